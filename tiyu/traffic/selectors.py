"""Reading foot traffic: every figure comes from the rollups, through the data scope.

A venue's figures are its ``v<id>`` rows; a region's are its ``r<code>`` rows.
Who may read which rows is :func:`tiyu.regions.scope.restrict` on
:class:`TrafficRollup` (venue staff: their venues; officials: their region).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db.models import QuerySet, Sum
from django.utils import timezone

from tiyu.core.errors import NotFound
from tiyu.regions.models import Region
from tiyu.regions.scope import region_in_scope, restrict
from tiyu.traffic.models import Grain, TrafficRollup
from tiyu.traffic.rollup import day_start, hour_start, local_tz, month_start
from tiyu.venues.models import Closure, OpeningHours, Venue


@dataclass(frozen=True)
class Totals:
    """Entries (人次) and unique visitors (人数) over some period."""

    entries: int = 0
    visitors: int = 0


@dataclass(frozen=True)
class HourPoint:
    """One local hour of a day: its start, entries and exits."""

    hour: datetime
    entries: int
    exits: int


@dataclass(frozen=True)
class TrafficSummary:
    """What the venue screen and the console headline: today, this month, this year, all time."""

    subject: str
    name: str
    today: Totals
    month: Totals
    year: Totals
    total: Totals
    hours: list[HourPoint]
    occupancy: int | None = None
    capacity: int | None = None
    open_now: bool | None = None


def visible_rollups(user: Any) -> QuerySet[TrafficRollup]:
    """The rollup rows ``user`` may read."""
    return restrict(TrafficRollup.objects.all(), user)


def _totals(rows: QuerySet[TrafficRollup]) -> Totals:
    agg = rows.aggregate(e=Sum("entries"), v=Sum("visitors"))
    return Totals(entries=agg["e"] or 0, visitors=agg["v"] or 0)


def _hours_of(rows: QuerySet[TrafficRollup], day: date) -> list[HourPoint]:
    start = day_start(day)
    got = {
        r.period: r
        for r in rows.filter(grain=Grain.HOUR, period__gte=start, period__lt=start + timedelta(1))
    }
    tz = local_tz()
    points = []
    for h in range(24):
        at = datetime.combine(day, time(h), tzinfo=tz)
        r = got.get(at)
        points.append(HourPoint(at, r.entries if r else 0, r.exits if r else 0))
    return points


def summarise(rows: QuerySet[TrafficRollup], subject: str, *, now: datetime) -> dict[str, Any]:
    """Today, month, year and all-time totals plus today's hours of one subject's rows."""
    rows = rows.filter(subject=subject)
    today = timezone.localtime(now, local_tz()).date()
    months = rows.filter(grain=Grain.MONTH)
    return {
        "subject": subject,
        "today": _totals(rows.filter(grain=Grain.DAY, period=day_start(today))),
        "month": _totals(months.filter(period=month_start(today))),
        "year": _totals(months.filter(period__gte=month_start(today.replace(month=1)))),
        "total": _totals(months),
        "hours": _hours_of(rows, today),
    }


def _opening_start(venue: Venue, now: datetime) -> datetime | None:
    """When the venue's current opening period began, or None if it is closed now."""
    local = timezone.localtime(now, local_tz())
    if Closure.objects.filter(
        venue=venue, starts_on__lte=local.date(), ends_on__gte=local.date()
    ).exists():
        return None
    for period in OpeningHours.objects.filter(venue=venue, weekday=local.weekday()):
        if period.opens <= local.time() < period.closes:
            return datetime.combine(local.date(), period.opens, tzinfo=local_tz())
    return None


def occupancy_now(venue: Venue, *, now: datetime | None = None) -> tuple[int, bool]:
    """People inside now (entries − exits since opening, never below 0) and whether it is open.

    Counting restarts at each opening, so nobody is left "inside" overnight
    when a gate missed an exit. Hours are whole, so the count starts at the top
    of the opening hour.
    """
    now = now or timezone.now()
    opened = _opening_start(venue, now)
    if opened is None:
        return 0, False
    agg = TrafficRollup.objects.filter(
        grain=Grain.HOUR, subject=f"v{venue.pk}", period__gte=hour_start(opened), period__lte=now
    ).aggregate(e=Sum("entries"), x=Sum("exits"))
    return max(0, (agg["e"] or 0) - (agg["x"] or 0)), True


def venue_traffic(user: Any, venue_id: int, *, now: datetime | None = None) -> TrafficSummary:
    """A venue's figures for someone who may see them (else :class:`NotFound`)."""
    now = now or timezone.now()
    venue = restrict(Venue.objects.all(), user).filter(pk=venue_id).first()
    if venue is None:
        raise NotFound()
    occupancy, open_now = occupancy_now(venue, now=now)
    return TrafficSummary(
        name=venue.name,
        occupancy=occupancy,
        capacity=venue.capacity,
        open_now=open_now,
        **summarise(visible_rollups(user), f"v{venue.pk}", now=now),
    )


def region_traffic(user: Any, code: str, *, now: datetime | None = None) -> TrafficSummary:
    """A region's figures for an official whose region contains it (else :class:`NotFound`)."""
    now = now or timezone.now()
    region = Region.objects.filter(code=code).first()
    if region is None or not region_in_scope(user, code):
        raise NotFound()
    return TrafficSummary(name=region.name, **summarise(visible_rollups(user), f"r{code}", now=now))


@dataclass(frozen=True)
class SeriesPoint:
    """One period of a series."""

    period: datetime
    entries: int
    exits: int
    visitors: int


def traffic_series(
    user: Any, subject: str, grain: str, *, start: datetime, end: datetime
) -> list[SeriesPoint]:
    """The rows of one subject and grain in ``[start, end)``, oldest first (gaps are absent)."""
    rows = visible_rollups(user).filter(
        subject=subject, grain=grain, period__gte=start, period__lt=end
    )
    return [SeriesPoint(r.period, r.entries, r.exits, r.visitors) for r in rows.order_by("period")]
