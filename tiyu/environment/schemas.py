"""API shapes of environment monitoring; every value travels with its unit."""

from __future__ import annotations

from datetime import datetime

from ninja import Schema
from pydantic import Field

from tiyu.environment.models import Alert
from tiyu.environment.readings import Metric, label_of, unit_of
from tiyu.environment.selectors import LatestReading, ThresholdRow

METRIC_HELP = "One of: " + ", ".join(Metric.values)


class ReadingOut(Schema):
    device_id: int
    metric: str = Field(description=METRIC_HELP)
    label: str
    unit: str = Field(description="°C, %RH, ppm, pH, mg/L or NTU")
    value: float
    measured_at: datetime
    low: float | None = Field(description="Effective lower limit (null: none)")
    high: float | None = Field(description="Effective upper limit (null: none)")
    in_range: bool


def reading_out(r: LatestReading) -> ReadingOut:
    return ReadingOut(**{k: getattr(r, k) for k in ReadingOut.model_fields})


class PointOut(Schema):
    at: datetime
    value: float


class SeriesOut(Schema):
    venue_id: int
    metric: str
    unit: str
    device_id: int | None
    start: datetime
    end: datetime
    points: list[PointOut] = Field(description="Oldest first; at most 300 (bucket averages)")


class AlertOut(Schema):
    id: int
    venue_id: int
    venue_name: str
    device_id: int
    metric: str
    label: str
    unit: str
    status: str = Field(description="open | acknowledged | closed")
    low: float | None
    high: float | None
    first_value: float
    first_at: datetime
    last_value: float
    last_at: datetime
    peak_value: float
    readings_out: int
    back_in_range_at: datetime | None
    opened_at: datetime
    escalated_at: datetime | None
    acknowledged_at: datetime | None
    closed_at: datetime | None
    close_note: str


def alert_out(a: Alert) -> AlertOut:
    return AlertOut(
        id=a.pk,
        venue_id=a.venue_id,
        venue_name=a.venue.name,
        device_id=a.device_id,
        metric=a.metric,
        label=label_of(a.metric),
        unit=unit_of(a.metric),
        status=a.status,
        low=a.low,
        high=a.high,
        first_value=a.first_value,
        first_at=a.first_at,
        last_value=a.last_value,
        last_at=a.last_at,
        peak_value=a.peak_value,
        readings_out=a.readings_out,
        back_in_range_at=a.back_in_range_at,
        opened_at=a.opened_at,
        escalated_at=a.escalated_at,
        acknowledged_at=a.acknowledged_at,
        closed_at=a.closed_at,
        close_note=a.close_note,
    )


class CloseIn(Schema):
    note: str = Field(max_length=500, description="What was done (required)")


class ThresholdOut(Schema):
    metric: str
    label: str
    unit: str
    low: float | None
    high: float | None
    source: str = Field(description="venue (override) | default (venue kind) | none")
    standard: str = Field(description="The standard the default comes from")
    default_low: float | None
    default_high: float | None


def threshold_out(t: ThresholdRow) -> ThresholdOut:
    return ThresholdOut(**{k: getattr(t, k) for k in ThresholdOut.model_fields})


class ThresholdIn(Schema):
    metric: str = Field(description=METRIC_HELP)
    low: float | None = None
    high: float | None = None
    reset: bool = Field(False, description="Drop the venue's override (the default applies)")


class ThresholdsIn(Schema):
    thresholds: list[ThresholdIn] = Field(max_length=len(Metric.values))
