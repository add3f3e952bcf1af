"""Periodic booking work: expire lapsed holds, mark no-shows, send reminders.

Every job can run twice, or late, with the same result: each picks its rows by
state and time and moves them only forward.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from tiyu.booking import notify
from tiyu.booking.models import Booking, BookingSlot, BookingStatus, SlotStatus
from tiyu.booking.occupancy import lock_units, release_expired_holds, slot_units
from tiyu.booking.timegrid import CourtTree
from tiyu.venues.models import Court

REMINDER_LEAD = timedelta(hours=2)


def holds_expire(now: datetime | None = None, *, batch: int = 500) -> int:
    """Expire held bookings whose hold has lapsed and free their units; returns how many.

    Requests already take over lapsed holds on their own; this job only tidies up
    the ones nobody wanted, so the grid and "my bookings" read cleanly.
    """
    now = now or timezone.now()
    done = 0
    ids = list(
        Booking.objects.filter(status=BookingStatus.HELD, hold_expires_at__lte=now).values_list(
            "id", "venue_id"
        )[:batch]
    )
    for booking_id, venue_id in ids:
        with transaction.atomic():
            tree = CourtTree(Court.objects.filter(venue_id=venue_id))
            slots = list(BookingSlot.objects.filter(booking_id=booking_id))
            lock_units(slot_units(tree, slots))
            done += len(release_expired_holds([s.pk for s in slots], now=now))
    return done


@transaction.atomic
def no_shows_mark(now: datetime | None = None) -> int:
    """Confirmed slots that ended without a check-in become no-shows."""
    now = now or timezone.now()
    return BookingSlot.objects.filter(
        status=SlotStatus.CONFIRMED, ends_at__lte=now, booking__status=BookingStatus.CONFIRMED
    ).update(status=SlotStatus.NO_SHOW)


def reminders_send(now: datetime | None = None) -> int:
    """Remind residents of confirmed slots starting within two hours; once per slot."""
    now = now or timezone.now()
    slots = BookingSlot.objects.select_related("booking__venue", "booking__user", "court").filter(
        status=SlotStatus.CONFIRMED, starts_at__gt=now, starts_at__lte=now + REMINDER_LEAD
    )
    sent = 0
    for slot in slots:
        with transaction.atomic():
            notify.slot_reminder(slot)
        sent += 1
    return sent
