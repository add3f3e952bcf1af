"""What a sensor tells us: the metrics, their units and physical ranges, and the typed
input of :func:`tiyu.environment.services.readings_record`.

The devices app parses each ``"type": "reading"`` message with :func:`parse_reading`
(one message refused never refuses its neighbours), then records the valid ones in
one call. A value outside the physical range of its metric (pH 15, humidity 140 %)
is a broken sensor or a bad message, not an alert, and is refused here.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _

from tiyu.core.device_messages import check_message_id, parse_time
from tiyu.core.errors import validation_error


class Metric(models.TextChoices):
    """What a reading measures (value, Chinese label); each has a unit in :data:`UNITS`."""

    TEMPERATURE = "temperature", _("室内温度")
    HUMIDITY = "humidity", _("相对湿度")
    CO2 = "co2", _("二氧化碳")
    WATER_TEMPERATURE = "water_temperature", _("池水温度")
    PH = "ph", _("池水 pH")
    CHLORINE = "chlorine", _("游离性余氯")
    TURBIDITY = "turbidity", _("浑浊度")


METRIC_MAX = 24

UNITS: dict[str, str] = {
    Metric.TEMPERATURE: "°C",
    Metric.HUMIDITY: "%RH",
    Metric.CO2: "ppm",
    Metric.WATER_TEMPERATURE: "°C",
    Metric.PH: "pH",
    Metric.CHLORINE: "mg/L",
    Metric.TURBIDITY: "NTU",
}

# What a working sensor can report at all (inclusive). Outside: refused as absurd.
PHYSICAL_RANGE: dict[str, tuple[float, float]] = {
    Metric.TEMPERATURE: (-50.0, 80.0),
    Metric.HUMIDITY: (0.0, 100.0),
    Metric.CO2: (0.0, 100_000.0),  # 10 % by volume; indoor sensors top out far below
    Metric.WATER_TEMPERATURE: (0.0, 60.0),
    Metric.PH: (0.0, 14.0),
    Metric.CHLORINE: (0.0, 20.0),  # shock chlorination stays well under this
    Metric.TURBIDITY: (0.0, 1000.0),
}

# Decimal places a value is shown with (pH 7.42, CO2 812).
DECIMALS: dict[str, int] = {
    Metric.TEMPERATURE: 1,
    Metric.HUMIDITY: 0,
    Metric.CO2: 0,
    Metric.WATER_TEMPERATURE: 1,
    Metric.PH: 2,
    Metric.CHLORINE: 2,
    Metric.TURBIDITY: 2,
}


def unit_of(metric: str) -> str:
    """The unit a metric's values are in ("" for an unknown metric)."""
    return UNITS.get(metric, "")


def label_of(metric: str) -> str:
    """The metric's label in the active language."""
    try:
        return str(Metric(metric).label)
    except ValueError:
        return metric


def range_text(low: float | None, high: float | None, metric: str) -> str:
    """A range as people write it: "7.00–7.80", "≤ 1000", "≥ 0.30", or "" for none."""
    places = DECIMALS.get(metric, 2)
    if low is not None and high is not None:
        return f"{low:.{places}f}–{high:.{places}f}"
    if high is not None:
        return f"≤ {high:.{places}f}"
    if low is not None:
        return f"≥ {low:.{places}f}"
    return ""


@dataclass(frozen=True)
class ReadingIn:
    """One sensor value as recorded: which venue and device, when, what and how much."""

    venue_id: int
    device_id: int
    message_id: str
    measured_at: datetime
    metric: str
    value: float


def check_value(metric: str, value: Any, field: str = "value") -> float:
    """A finite number (not a bool) inside the metric's physical range, as a float."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise validation_error(field, _("读数须为数字。"), "bad_value")
    number = float(value)
    if not math.isfinite(number):
        raise validation_error(field, _("读数须为有限的数字。"), "value_not_finite")
    low, high = PHYSICAL_RANGE[metric]
    if not low <= number <= high:
        raise validation_error(
            field,
            _("读数 %(value)s 超出该指标的物理范围（%(low)s–%(high)s %(unit)s），请检查传感器。")
            % {"value": number, "low": low, "high": high, "unit": unit_of(metric)},
            "value_absurd",
        )
    return number


def check_metric(value: Any, field: str = "metric") -> str:
    """One of :class:`Metric`'s values."""
    if not isinstance(value, str) or value not in Metric.values:
        raise validation_error(field, _("未知的监测指标。"), "bad_metric")
    return value


def parse_reading(raw: dict[str, Any], *, venue_id: int, device_id: int) -> ReadingIn:
    """A reading message's fields as a :class:`ReadingIn`, or a 400 naming the bad field.

    ``raw`` is one device message:
    ``{"id": "m-1", "type": "reading", "at": "2026-12-02T09:30:00+08:00",
    "metric": "ph", "value": 7.4}``.
    """
    message_id = check_message_id(raw.get("id"))
    measured_at = parse_time(raw.get("at"))
    metric = check_metric(raw.get("metric"))
    value = check_value(metric, raw.get("value"))
    return ReadingIn(
        venue_id=venue_id,
        device_id=device_id,
        message_id=message_id,
        measured_at=measured_at,
        metric=metric,
        value=value,
    )
