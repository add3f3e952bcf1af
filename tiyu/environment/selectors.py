"""Reads of environment monitoring: the newest value of each sensor, a chart series,
the alerts a user may see, a venue's thresholds.

Visibility of alerts: a venue's staff and managers see all its alerts; officials (and
association staff) see only escalated ones in their region, i.e. those nobody at
the venue acknowledged in time. Platform admins see everything. Readings and
thresholds are seen by anyone whose scope reaches the venue.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db import connection
from django.db.models import Avg, QuerySet
from django.db.models.expressions import RawSQL
from django.utils.translation import gettext_lazy as _

from tiyu.core.errors import validation_error
from tiyu.environment.models import (
    ACTIVE_STATUSES,
    Alert,
    AlertStatus,
    CurrentReading,
    Reading,
    Threshold,
)
from tiyu.environment.readings import (
    DECIMALS,
    Metric,
    check_metric,
    label_of,
    range_text,
    unit_of,
)
from tiyu.environment.services import alerts_in_view, effective_limits
from tiyu.environment.standards import default_limit
from tiyu.regions.scope import get_scoped
from tiyu.venues.models import Venue

MAX_POINTS = 300
MAX_SERIES_DAYS = 400


@dataclass(frozen=True)
class LatestReading:
    """The newest value of one sensor, with the range it is judged against."""

    device_id: int
    metric: str
    label: str
    unit: str
    value: float
    measured_at: datetime
    low: float | None
    high: float | None
    in_range: bool

    @property
    def has_limit(self) -> bool:
        return self.low is not None or self.high is not None

    @property
    def decimals(self) -> int:
        return DECIMALS.get(self.metric, 2)

    @property
    def range_text(self) -> str:
        return range_text(self.low, self.high, self.metric)


def _metric_order(metric: str) -> int:
    return Metric.values.index(metric) if metric in Metric.values else len(Metric.values)


def latest_readings(venue_id: int) -> list[LatestReading]:
    """Per device and metric, the newest value at the venue, ordered by metric then device."""
    venue = Venue.objects.only("id", "kind").filter(pk=venue_id).first()
    if venue is None:
        return []
    limits = effective_limits([venue])[venue.pk]
    out = []
    for c in CurrentReading.objects.filter(venue_id=venue_id):
        limit = limits.get(c.metric)
        out.append(
            LatestReading(
                device_id=c.device_id,
                metric=c.metric,
                label=label_of(c.metric),
                unit=unit_of(c.metric),
                value=c.value,
                measured_at=c.measured_at,
                low=limit.low if limit else None,
                high=limit.high if limit else None,
                in_range=limit is None or limit.contains(c.value),
            )
        )
    return sorted(out, key=lambda r: (_metric_order(r.metric), r.device_id))


def _bucket_sql(table: str, start: datetime, seconds: int) -> tuple[str, list[Any]]:
    """SQL for the index of a reading's time bucket counted from ``start``."""
    column = f'"{table}"."measured_at"'
    epoch = int(start.timestamp())
    if connection.vendor == "postgresql":
        return f"floor((extract(epoch from {column}) - %s) / %s)::bigint", [epoch, seconds]
    return f"(CAST(strftime('%%s', {column}) AS INTEGER) - %s) / %s", [epoch, seconds]


def reading_series(
    venue_id: int,
    metric: str,
    *,
    start: datetime,
    end: datetime,
    device_id: int | None = None,
) -> list[tuple[datetime, float]]:
    """The values of ``metric`` at the venue in ``[start, end)``, oldest first, for a chart.

    With more than 300 readings the range is cut into equal buckets and each point
    is a bucket's average at the bucket's start, so a year fits a chart too. Without
    ``device_id`` all the venue's sensors of that metric are averaged together.
    """
    metric = check_metric(metric)
    if end <= start:
        raise validation_error("to", _("结束时间须晚于开始时间。"), "range_reversed")
    if end - start > timedelta(days=MAX_SERIES_DAYS):
        raise validation_error("from", _("时间范围最长 400 天。"), "range_too_long")
    qs = Reading.objects.filter(
        venue_id=venue_id, metric=metric, measured_at__gte=start, measured_at__lt=end
    )
    if device_id is not None:
        qs = qs.filter(device_id=device_id)
    if qs.count() <= MAX_POINTS:
        return list(qs.order_by("measured_at").values_list("measured_at", "value"))
    span = (end - start).total_seconds()
    seconds = max(1, int(-(-span // MAX_POINTS)))
    sql, params = _bucket_sql(Reading._meta.db_table, start, seconds)
    rows = (
        qs.annotate(bucket=RawSQL(sql, params))
        .values("bucket")
        .annotate(avg=Avg("value"))
        .order_by("bucket")
        .values_list("bucket", "avg")
    )
    return [(start + timedelta(seconds=int(b) * seconds), float(v)) for b, v in rows]


def environment_venue(user: Any, venue_id: int) -> Venue:
    """A venue whose readings the user may see (its staff, officials of its region), else 404."""
    return get_scoped(Venue.objects.select_related("region", "region__parent"), user, pk=venue_id)


STATUS_FILTERS = ("open", "acknowledged", "closed", "active")


def alerts_visible(
    user: Any, *, status: str | None = None, venue_id: int | None = None
) -> QuerySet[Alert]:
    """The alerts ``user`` sees, newest first; ``status`` is a state or ``active``
    (open or acknowledged)."""
    qs = alerts_in_view(user)
    if status == "active":
        qs = qs.filter(status__in=ACTIVE_STATUSES)
    elif status:
        if status not in AlertStatus.values:
            raise validation_error("status", _("未知的告警状态。"), "bad_status")
        qs = qs.filter(status=status)
    if venue_id is not None:
        qs = qs.filter(venue_id=venue_id)
    return qs.order_by("-opened_at", "-pk")


def alerts_open_for_venue(venue_id: int) -> list[Alert]:
    """A venue's open and acknowledged alerts, newest first (for the venue's own screens)."""
    return list(
        Alert.objects.filter(venue_id=venue_id, status__in=ACTIVE_STATUSES).order_by(
            "-opened_at", "-pk"
        )
    )


@dataclass(frozen=True)
class ThresholdRow:
    """One metric's effective range at a venue and where it comes from."""

    metric: str
    label: str
    unit: str
    low: float | None
    high: float | None
    source: str  # "venue" (override), "default" (kind default) or "none"
    standard: str
    default_low: float | None
    default_high: float | None

    @property
    def range_text(self) -> str:
        return range_text(self.low, self.high, self.metric)

    @property
    def default_text(self) -> str:
        return range_text(self.default_low, self.default_high, self.metric)


def thresholds_for(venue: Venue) -> list[ThresholdRow]:
    """Every metric's range at ``venue``: its override, else its kind's default, else none."""
    overrides = {t.metric: t for t in Threshold.objects.filter(venue=venue)}
    rows = []
    for metric in Metric.values:
        default = default_limit(venue.kind, metric)
        own = overrides.get(metric)
        if own is not None:
            low, high, source = own.low, own.high, "venue"
        elif default is not None:
            low, high, source = default.low, default.high, "default"
        else:
            low, high, source = None, None, "none"
        rows.append(
            ThresholdRow(
                metric=metric,
                label=label_of(metric),
                unit=unit_of(metric),
                low=low,
                high=high,
                source=source,
                standard=default.standard if default else "",
                default_low=default.low if default else None,
                default_high=default.high if default else None,
            )
        )
    return rows
