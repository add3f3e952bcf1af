"""``/api/v1/environment``: a venue's newest readings, chart series and thresholds; alerts.

Everything needs a signed-in user. Readings, series and thresholds are seen by anyone
whose scope reaches the venue (its staff, officials of its region); changing
thresholds needs a manager of the venue. Alerts follow :mod:`tiyu.environment.selectors`:
officials see (and may acknowledge) only escalated ones; only the venue closes them.
Acknowledge and close honour ``Idempotency-Key``.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.http import HttpRequest
from django.utils import timezone
from ninja import Query, Router, Schema
from pydantic import Field

from tiyu.accounts.api_auth import require_user
from tiyu.core.idempotency import run_idempotent
from tiyu.environment import services
from tiyu.environment.readings import Metric, unit_of
from tiyu.environment.schemas import (
    AlertOut,
    CloseIn,
    PointOut,
    ReadingOut,
    SeriesOut,
    ThresholdOut,
    ThresholdsIn,
    alert_out,
    reading_out,
    threshold_out,
)
from tiyu.environment.selectors import (
    alerts_visible,
    environment_venue,
    latest_readings,
    reading_series,
    thresholds_for,
)

router = Router(tags=["environment"])
ERRORS = {400: dict, 401: dict, 403: dict, 404: dict, 409: dict, 422: dict}
MAX_ALERTS = 200


def _aware(value: datetime) -> datetime:
    return timezone.make_aware(value) if timezone.is_naive(value) else value


@router.get(
    "/venues/{venue_id}/readings",
    response={200: list[ReadingOut], **ERRORS},
    summary="The newest value of every sensor at a venue, with its range",
)
def readings(request: HttpRequest, venue_id: int) -> list[ReadingOut]:
    venue = environment_venue(require_user(request), venue_id)
    return [reading_out(r) for r in latest_readings(venue.pk)]


class SeriesQuery(Schema):
    metric: Metric
    start: datetime | None = Field(None, alias="from", description="Default: 24 h before `to`")
    end: datetime | None = Field(None, alias="to", description="Default: now")
    device_id: int | None = Field(None, description="One sensor; default: all averaged")


@router.get(
    "/venues/{venue_id}/series",
    response={200: SeriesOut, **ERRORS},
    summary="A metric's values over time for a chart (at most 300 points)",
)
def series(request: HttpRequest, venue_id: int, q: Query[SeriesQuery]) -> SeriesOut:
    venue = environment_venue(require_user(request), venue_id)
    end = _aware(q.end) if q.end else timezone.now()
    start = _aware(q.start) if q.start else end - timedelta(hours=24)
    points = reading_series(venue.pk, q.metric, start=start, end=end, device_id=q.device_id)
    return SeriesOut(
        venue_id=venue.pk,
        metric=str(q.metric),
        unit=unit_of(q.metric),
        device_id=q.device_id,
        start=start,
        end=end,
        points=[PointOut(at=t, value=v) for t, v in points],
    )


class AlertsQuery(Schema):
    status: str | None = Field(None, description="open | acknowledged | closed | active")
    venue_id: int | None = None


@router.get(
    "/alerts",
    response={200: list[AlertOut], **ERRORS},
    summary="The alerts I see (venue staff: their venues'; officials: escalated ones)",
)
def alerts(request: HttpRequest, q: Query[AlertsQuery]) -> list[AlertOut]:
    user = require_user(request)
    qs = alerts_visible(user, status=q.status or None, venue_id=q.venue_id)
    return [alert_out(a) for a in qs[:MAX_ALERTS]]


@router.post(
    "/alerts/{alert_id}/acknowledge",
    response={200: AlertOut, **ERRORS},
    summary="Acknowledge an open alert",
)
def acknowledge(request: HttpRequest, alert_id: int) -> tuple[int, dict]:
    user = require_user(request)

    def action() -> tuple[int, dict]:
        alert = services.alert_acknowledge(actor=user, alert_id=alert_id)
        return 200, alert_out(alert).model_dump(mode="json")

    return run_idempotent(
        key=request.headers.get("Idempotency-Key"),
        scope=f"environment.acknowledge:{alert_id}",
        user=user,
        payload={},
        action=action,
    )


@router.post(
    "/alerts/{alert_id}/close",
    response={200: AlertOut, **ERRORS},
    summary="Close an alert with a note of what was done (venue staff)",
)
def close(request: HttpRequest, alert_id: int, payload: CloseIn) -> tuple[int, dict]:
    user = require_user(request)

    def action() -> tuple[int, dict]:
        alert = services.alert_close(actor=user, alert_id=alert_id, note=payload.note)
        return 200, alert_out(alert).model_dump(mode="json")

    return run_idempotent(
        key=request.headers.get("Idempotency-Key"),
        scope=f"environment.close:{alert_id}",
        user=user,
        payload=payload.dict(),
        action=action,
    )


@router.get(
    "/venues/{venue_id}/thresholds",
    response={200: list[ThresholdOut], **ERRORS},
    summary="Every metric's effective range at a venue and where it comes from",
)
def thresholds(request: HttpRequest, venue_id: int) -> list[ThresholdOut]:
    venue = environment_venue(require_user(request), venue_id)
    return [threshold_out(t) for t in thresholds_for(venue)]


@router.put(
    "/venues/{venue_id}/thresholds",
    response={200: list[ThresholdOut], **ERRORS},
    summary="Override (or reset) ranges at a venue I manage; all or nothing",
)
def thresholds_put(
    request: HttpRequest, venue_id: int, payload: ThresholdsIn
) -> list[ThresholdOut]:
    user = require_user(request)
    services.thresholds_update(
        actor=user,
        venue_id=venue_id,
        changes=[
            services.ThresholdChange(metric=t.metric, low=t.low, high=t.high, reset=t.reset)
            for t in payload.thresholds
        ],
    )
    venue = environment_venue(user, venue_id)
    return [threshold_out(t) for t in thresholds_for(venue)]
