"""What a zone's lights should do, from its courts' bookings (reads only; no writes here).

A slot lights a zone when the slot's court and one of the zone's courts share a
leaf court: booking a hall lights a zone over one of its parts, and booking a
part lights a zone over the whole hall.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

from tiyu.booking.models import BookingSlot, SlotStatus
from tiyu.booking.timegrid import CourtTree
from tiyu.lighting.intervals import Interval, merge
from tiyu.lighting.models import LightZone
from tiyu.venues.models import Court

# Slots the lights follow: paid ones (a hold is not a booking yet).
PLANNED_STATUSES = (SlotStatus.CONFIRMED, SlotStatus.CHECKED_IN)
# Slots that count as booked hours in the report: also the paid ones nobody came to.
BOOKED_STATUSES = (SlotStatus.CONFIRMED, SlotStatus.CHECKED_IN, SlotStatus.NO_SHOW)


def lighting_courts(zone: LightZone, tree: CourtTree | None = None) -> list[int]:
    """Every court of the venue whose slots light ``zone``."""
    tree = tree or CourtTree(Court.objects.filter(venue_id=zone.venue_id))
    leaves = {leaf for c in zone.courts.all() for leaf in tree.leaves(c.pk)}
    return sorted(cid for cid in tree.courts if leaves.intersection(tree.leaves(cid)))


def booked_intervals(
    zone: LightZone,
    start: datetime,
    end: datetime,
    *,
    statuses: Iterable[str] = PLANNED_STATUSES,
    court_ids: list[int] | None = None,
) -> list[Interval]:
    """The zone's booked time touching [start, end), merged (not clipped)."""
    ids = court_ids if court_ids is not None else lighting_courts(zone)
    rows = BookingSlot.objects.filter(
        court_id__in=ids, status__in=list(statuses), starts_at__lt=end, ends_at__gt=start
    ).values_list("starts_at", "ends_at")
    return merge(rows)


def lit_windows(zone: LightZone, booked: list[Interval]) -> list[Interval]:
    """Booked intervals widened by the zone's lead and grace; windows that meet become one,
    so the lights never go off and on again between back-to-back bookings."""
    lead = timedelta(minutes=zone.lead_minutes)
    grace = timedelta(minutes=zone.grace_minutes)
    return [(s - lead, e + grace) for s, e in merge(booked, gap=lead + grace)]


def planned_on_at(zone: LightZone, moment: datetime) -> bool:
    """Whether the plan wants the zone lit at ``moment``."""
    day = timedelta(days=1)
    booked = booked_intervals(zone, moment - day, moment + day)
    return any(s <= moment < e for s, e in lit_windows(zone, booked))
