"""Default thresholds per venue kind, each with the standard it comes from.

This is the one table of default numbers. A venue manager may override any metric
for their venue (:func:`tiyu.environment.services.threshold_set`); the effective
threshold is the venue's override, else the default of its kind, else none.
``None`` on a side means open-ended (turbidity has no lower limit).

Standards (names as published):
- GB 37488-2019 《公共场所卫生指标及限值要求》: hygiene limits of public places,
  including the water of artificial swimming pools (pH, free residual chlorine,
  turbidity, water temperature).
- GB 19079.1-2013 《体育场所开放条件与技术要求 第1部分：游泳场所》: opening
  conditions of swimming venues (the stricter turbidity figure).
- GB/T 18883-2022 《室内空气质量标准》: indoor air (CO2 ≤ 0.10 % daily mean,
  temperature 22–28 °C in summer and 16–24 °C in winter, relative humidity
  40–80 % in summer and 30–60 % in winter). The defaults below are the union of
  the summer and winter bands, so one table serves the whole year.
"""

from __future__ import annotations

from dataclasses import dataclass

from tiyu.environment.readings import Metric
from tiyu.venues.models import VenueKind


@dataclass(frozen=True)
class Limit:
    """An allowed range; ``None`` on a side means open-ended."""

    low: float | None
    high: float | None
    standard: str = ""

    def contains(self, value: float) -> bool:
        """Whether ``value`` is inside the range (the bounds are allowed values)."""
        return (self.low is None or value >= self.low) and (self.high is None or value <= self.high)

    @property
    def is_open(self) -> bool:
        """No bound at all: every value is in range (nothing is ever alerted)."""
        return self.low is None and self.high is None


GB_37488 = "GB 37488-2019"
GB_19079_1 = "GB 19079.1-2013"
GB_T_18883 = "GB/T 18883-2022"

# Air inside any roofed venue.
INDOOR_AIR: dict[str, Limit] = {
    Metric.CO2: Limit(None, 1000.0, GB_T_18883),  # ≤ 0.10 % (1000 ppm), daily mean
    Metric.TEMPERATURE: Limit(16.0, 28.0, GB_T_18883),  # winter 16–24, summer 22–28 °C
    Metric.HUMIDITY: Limit(30.0, 80.0, GB_T_18883),  # winter 30–60, summer 40–80 %RH
}

# Water of an artificial swimming pool.
POOL_WATER: dict[str, Limit] = {
    Metric.PH: Limit(7.0, 7.8, GB_37488),
    Metric.CHLORINE: Limit(0.3, 1.0, GB_37488),  # free residual chlorine, mg/L
    Metric.TURBIDITY: Limit(None, 0.5, GB_19079_1),  # NTU
    Metric.WATER_TEMPERATURE: Limit(23.0, 30.0, GB_37488),  # °C
}

INDOOR_KINDS = frozenset(
    {
        VenueKind.GYMNASIUM,
        VenueKind.NATATORIUM,
        VenueKind.FITNESS_CENTRE,
        VenueKind.TRAINING_HALL,
        VenueKind.CLUB,
    }
)

# Kinds not listed (stadium, the outdoor kinds) have no defaults: nothing is alerted
# until their manager sets a threshold.
DEFAULTS: dict[str, dict[str, Limit]] = {
    VenueKind.GYMNASIUM: INDOOR_AIR,
    VenueKind.FITNESS_CENTRE: INDOOR_AIR,
    VenueKind.TRAINING_HALL: INDOOR_AIR,
    VenueKind.CLUB: INDOOR_AIR,
    VenueKind.NATATORIUM: {**INDOOR_AIR, **POOL_WATER},
}


def default_limit(kind: str, metric: str) -> Limit | None:
    """The default range of ``metric`` at a venue of ``kind``, or ``None``."""
    return DEFAULTS.get(kind, {}).get(metric)
