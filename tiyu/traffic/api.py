"""``/api/v1/traffic``: foot-traffic figures of a venue or region and their series.

Everything is read from the rollups through the data scope: venue staff see
their venues, officials their region; anything else is a 404.
"""

from __future__ import annotations

from dataclasses import asdict
from datetime import datetime, timedelta

from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from ninja import Query, Router, Schema
from pydantic import Field

from tiyu.accounts.api_auth import require_user
from tiyu.core.errors import validation_error
from tiyu.traffic.models import Grain
from tiyu.traffic.selectors import region_traffic, traffic_series, venue_traffic

router = Router(tags=["traffic"])
ERRORS = {400: dict, 401: dict, 404: dict, 422: dict}
MAX_POINTS = {Grain.HOUR: 24 * 62, Grain.DAY: 800, Grain.MONTH: 600}


class TotalsOut(Schema):
    entries: int = Field(description="人次: every passage in")
    visitors: int = Field(description="人数: one person once per venue per day")


class HourOut(Schema):
    hour: datetime
    entries: int
    exits: int


class SummaryOut(Schema):
    subject: str = Field(description="v<venue id> or r<region code>")
    name: str
    today: TotalsOut
    month: TotalsOut
    year: TotalsOut
    total: TotalsOut
    hours: list[HourOut] = Field(description="today, 24 local hours")
    occupancy: int | None = Field(None, description="people inside now (venues only)")
    capacity: int | None = None
    open_now: bool | None = None


class SeriesQuery(Schema):
    subject: str = Field(description="v<venue id> or r<region code>")
    grain: Grain = Grain.DAY
    start: datetime = Field(alias="from")
    end: datetime | None = Field(None, alias="to")


class PointOut(Schema):
    period: datetime
    entries: int
    exits: int
    visitors: int


@router.get("/venues/{venue_id}", response={200: SummaryOut, **ERRORS}, summary="A venue's figures")
def venue_summary(request: HttpRequest, venue_id: int) -> dict:
    return asdict(venue_traffic(require_user(request), venue_id))


@router.get("/regions/{code}", response={200: SummaryOut, **ERRORS}, summary="A region's figures")
def region_summary(request: HttpRequest, code: str) -> dict:
    return asdict(region_traffic(require_user(request), code))


@router.get(
    "/series", response={200: list[PointOut], **ERRORS}, summary="Hourly, daily or monthly series"
)
def series(request: HttpRequest, q: Query[SeriesQuery]) -> list[dict]:
    user = require_user(request)
    end = q.end or timezone.now()
    if end <= q.start:
        raise validation_error("to", _("结束时间须晚于开始时间。"), "range_reversed")
    step = {Grain.HOUR: timedelta(hours=1), Grain.DAY: timedelta(days=1)}.get(q.grain)
    if step and (end - q.start) / step > MAX_POINTS[q.grain]:
        raise validation_error(
            "from", _("时间范围过长，请缩短或改用更粗的粒度。"), "range_too_long"
        )
    return [asdict(p) for p in traffic_series(user, q.subject, q.grain, start=q.start, end=end)]
