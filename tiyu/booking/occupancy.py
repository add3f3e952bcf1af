"""Taking and releasing occupancy rows: the one place court time changes hands.

Callers hold ``lock_units`` for the units they touch (one call per transaction,
keys in a fixed order), recount the rows inside the lock, and let
``UNIQUE(court, starts_at)`` have the last word.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import IntegrityError
from django.utils.translation import gettext_lazy as _

from tiyu.booking.models import Booking, BookingSlot, BookingStatus, Occupancy, SlotStatus
from tiyu.booking.timegrid import LOCAL, CourtTree
from tiyu.core.errors import Conflict
from tiyu.core.locking import lock_keys

Unit = tuple[int, datetime]


@dataclass(frozen=True)
class Claim:
    """The units one booking slot or block needs."""

    units: list[Unit]
    slot_id: int | None = None
    block_id: int | None = None


def lock_units(units: Iterable[Unit], *, user_id: int | None = None) -> None:
    """Lock these units (leaf court + half hour), plus the resident (for fair-use counts).

    One key per unit, not per court: two residents booking different hours of one
    court never wait for each other, and every writer of a unit names that unit.
    """
    keys: list[object] = [f"unit:{court}:{int(start.timestamp())}" for court, start in set(units)]
    if user_id is not None:
        keys.append(f"user:{user_id}")
    lock_keys("booking", keys)


def slot_units(tree: CourtTree, slots: Iterable[BookingSlot]) -> list[Unit]:
    """Every unit the given slots occupy."""
    return [u for s in slots for u in tree.units(s.court_id, s.starts_at, s.ends_at)]


def taken_error(units: Sequence[Unit] = ()) -> Conflict:
    """The refusal every loser of a race for a slot gets."""
    when = sorted({local_dt_str(g) for _, g in units})
    return Conflict(
        "slot_taken",
        _("所选时段已被预订，请选择其他时段。"),
        fields={"slots": ", ".join(when)} if when else None,
    )


def local_dt_str(moment: datetime) -> str:
    """A unit's local start, as the error names it."""
    return moment.astimezone(LOCAL).strftime("%Y-%m-%d %H:%M")


def occupy(claims: Sequence[Claim], *, now: datetime, hold_expires_at: datetime | None) -> None:
    """Write the occupancy rows of ``claims``; raise ``slot_taken`` if any unit is in use.

    Units already owned by the claiming slot are kept (a late payment re-securing
    its own hold); units of an expired hold are released first, so an expired hold
    frees its slots for this very request without waiting for the cleanup job.
    """
    wanted: dict[Unit, Claim] = {u: c for c in claims for u in c.units}
    if not wanted:
        return
    courts = {c for c, _ in wanted}
    starts = {g for _, g in wanted}
    existing = Occupancy.objects.filter(court_id__in=courts, starts_at__in=starts).values_list(
        "court_id", "starts_at", "slot_id", "block_id", "hold_expires_at"
    )
    expired_slots: set[int] = set()
    mine: set[Unit] = set()
    clashes: list[Unit] = []
    for court_id, starts_at, slot_id, _block_id, expires in existing:
        unit = (court_id, starts_at)
        claim = wanted.get(unit)
        if claim is None:
            continue
        if slot_id is not None and slot_id == claim.slot_id:
            mine.add(unit)
        elif slot_id is not None and expires is not None and expires <= now:
            expired_slots.add(slot_id)
        else:
            clashes.append(unit)
    if clashes:
        raise taken_error(clashes)
    if expired_slots:
        release_expired_holds(expired_slots, now=now)
    rows = [
        Occupancy(
            court_id=court_id,
            starts_at=starts_at,
            slot_id=claim.slot_id,
            block_id=claim.block_id,
            hold_expires_at=hold_expires_at if claim.slot_id else None,
        )
        for (court_id, starts_at), claim in wanted.items()
        if (court_id, starts_at) not in mine
    ]
    try:
        Occupancy.objects.bulk_create(rows)
    except IntegrityError as exc:
        # Only reachable if someone wrote without the lock; the constraint still wins.
        # No savepoint: the caller's transaction is spoilt and rolls back with this error.
        raise taken_error([(r.court_id, r.starts_at) for r in rows]) from exc


def release_expired_holds(slot_ids: Iterable[int], *, now: datetime) -> list[int]:
    """Expire the held bookings owning these slots and free all their units.

    Returns the ids of the bookings expired. Only holds whose expiry has passed
    are touched, so a hold paid a moment ago is never released.
    """
    booking_ids = list(
        Booking.objects.filter(
            slots__id__in=list(slot_ids),
            status=BookingStatus.HELD,
            hold_expires_at__lte=now,
        )
        .values_list("id", flat=True)
        .distinct()
    )
    if not booking_ids:
        return []
    Occupancy.objects.filter(slot__booking_id__in=booking_ids).delete()
    BookingSlot.objects.filter(booking_id__in=booking_ids, status=SlotStatus.HELD).update(
        status=SlotStatus.EXPIRED
    )
    Booking.objects.filter(id__in=booking_ids).update(status=BookingStatus.EXPIRED)
    return booking_ids


def release_slots(slot_ids: Iterable[int]) -> None:
    """Free the units of cancelled slots."""
    Occupancy.objects.filter(slot_id__in=list(slot_ids)).delete()


def confirm_units(slot_ids: list[int]) -> None:
    """A paid booking's units stop expiring."""
    Occupancy.objects.filter(slot_id__in=slot_ids).update(hold_expires_at=None)


def claims_for(tree: CourtTree, slots: Iterable[Any]) -> list[Claim]:
    """One claim per booking slot, covering its leaf courts' units."""
    return [
        Claim(units=tree.units(s.court_id, s.starts_at, s.ends_at), slot_id=s.pk) for s in slots
    ]
