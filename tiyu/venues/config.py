"""A venue's booking configuration (courts, hours, closures, price rules) and the
holiday calendar, cached for the hot path.

A hold and the slot grid need the same static facts on every request; reading them
is five queries. They change rarely and only through the venue services, which call
:func:`venue_config_changed` (through ``venue_for_change``) so the cache is dropped
after their transaction commits. With a per-process cache other processes may see a
change up to ``CONFIG_TTL`` seconds late (a shared Redis cache removes that lag).
The grid and the hold read the same cached prices, so a price shown is the price held.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.core.cache import cache
from django.db import transaction

from tiyu.venues.models import Closure, Court, Holiday, OpeningHours, PriceRule

CONFIG_TTL = 30
HOLIDAYS_KEY = "booking:holidays"


@dataclass
class VenueConfig:
    """Everything about a venue's courts that a hold or the grid needs."""

    courts: list[Court]
    hours: list[OpeningHours]
    closures: list[Closure]
    rules: list[PriceRule]


def _key(venue_id: int) -> str:
    return f"booking:venue-config:{venue_id}"


def venue_config(venue_id: int) -> VenueConfig:
    """The venue's courts (all, active or not), hours, closures and price rules."""
    config = cache.get(_key(venue_id))
    if config is None:
        config = VenueConfig(
            courts=list(Court.objects.filter(venue_id=venue_id).order_by("sort_order", "id")),
            hours=list(OpeningHours.objects.filter(venue_id=venue_id)),
            closures=list(Closure.objects.filter(venue_id=venue_id)),
            rules=list(PriceRule.objects.filter(court__venue_id=venue_id)),
        )
        cache.set(_key(venue_id), config, CONFIG_TTL)
    return config


def holiday_calendar() -> dict[date, str]:
    """Every calendar date that departs from the weekday pattern, with its kind."""
    calendar = cache.get(HOLIDAYS_KEY)
    if calendar is None:
        calendar = dict(Holiday.objects.values_list("date", "kind"))
        cache.set(HOLIDAYS_KEY, calendar, CONFIG_TTL)
    return calendar


def _forget(key: str) -> None:
    # Now, so this transaction reads its own change; and again after commit, in case
    # another request cached the old rows while the change was not yet committed.
    cache.delete(key)
    transaction.on_commit(lambda: cache.delete(key))


def venue_config_changed(venue_id: int) -> None:
    """Drop the venue's cached configuration (now and once the transaction commits)."""
    _forget(_key(venue_id))


def holidays_changed() -> None:
    """Drop the cached holiday calendar (now and once the transaction commits)."""
    _forget(HOLIDAYS_KEY)
