"""Cancellation tiers and partial cancels, the booking jobs, late gateway payments."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from tiyu.booking import jobs
from tiyu.booking.models import Booking, BookingStatus, Occupancy, SlotStatus
from tiyu.booking.services import (
    SlotChoice,
    booking_cancel,
    booking_confirm_payment,
    booking_hold,
    booking_pay,
    cancellation_quote,
)
from tiyu.core.errors import DomainError
from tiyu.notices.models import Notice
from tiyu.payments.models import Payment, PaymentStatus, Refund

pytestmark = pytest.mark.django_db


def paid_booking(arena, user, *picks, now=None):
    arena.fund(user, 100000)
    booking = booking_hold(
        user=user,
        venue_id=arena.venue.pk,
        slots=[SlotChoice(c.pk, s) for c, s in picks],
        now=now,
    )
    booking_pay(user=user, number=booking.number, method="stored_value", now=now)
    booking.refresh_from_db()
    return booking


@pytest.mark.parametrize(
    ("hours_before", "refund"),
    [(30, 4000), (24, 4000), (10, 3200), (2, 3200), (1, 2000)],
)
def test_refund_follows_the_tiers_copied_onto_the_booking(arena, hours_before, refund):
    resident = arena.world.resident
    start = arena.slot(arena.court3, 3, 12)
    booking = paid_booking(arena, resident, (arena.court3, start))
    # A later policy change does not touch this booking.
    from tiyu.booking.models import BookingPolicy

    BookingPolicy.objects.create(venue=arena.venue, cancel_tiers=[[0, 100]])
    now = start - timedelta(hours=hours_before)
    assert cancellation_quote(booking, now=now).refund_fen == refund
    booking_cancel(actor=resident, booking=booking, now=now)
    booking.refresh_from_db()
    assert booking.status == BookingStatus.CANCELLED
    assert booking.refunded_fen == refund
    assert booking.payment.refunded_fen == refund
    assert arena.balance(resident) == 100000 - 4000 + refund
    assert not Occupancy.objects.filter(slot__booking=booking).exists()


def test_cancelling_one_slot_refunds_that_slot_alone(arena):
    resident = arena.world.resident
    a, b = arena.slot(arena.part1, 3, 18), arena.slot(arena.part1, 3, 19)
    booking = paid_booking(arena, resident, (arena.part1, a), (arena.part1, b))
    first = booking.slots.get(starts_at=a)
    booking_cancel(actor=resident, booking=booking, slot_ids=[first.pk])
    booking.refresh_from_db()
    assert booking.status == BookingStatus.CONFIRMED
    assert booking.refunded_fen == 4000
    assert list(booking.slots.values_list("status", flat=True)) == [
        SlotStatus.CANCELLED,
        SlotStatus.CONFIRMED,
    ]
    # The freed hour is bookable again; the other is not.
    booking_hold(
        user=arena.resident2, venue_id=arena.venue.pk, slots=[SlotChoice(arena.part1.pk, a)]
    )
    with pytest.raises(DomainError):
        booking_hold(
            user=arena.resident2, venue_id=arena.venue.pk, slots=[SlotChoice(arena.part1.pk, b)]
        )


def test_no_cancel_after_the_start_and_nothing_changes(arena):
    resident = arena.world.resident
    start = arena.slot(arena.court3, 1, 12)
    booking = paid_booking(arena, resident, (arena.court3, start))
    with pytest.raises(DomainError) as err:
        booking_cancel(actor=resident, booking=booking, now=start + timedelta(minutes=1))
    assert err.value.code == "cancel_too_late"
    booking.refresh_from_db()
    assert booking.status == BookingStatus.CONFIRMED and booking.refunded_fen == 0


def test_venue_cancellation_waives_the_fee(arena):
    resident = arena.world.resident
    start = arena.slot(arena.court3, 1, 12)
    booking = paid_booking(arena, resident, (arena.court3, start))
    booking_cancel(
        actor=arena.world.staff, booking=booking, by_venue=True, now=start - timedelta(minutes=30)
    )
    booking.refresh_from_db()
    assert booking.refunded_fen == 4000


def test_expire_job_frees_lapsed_holds_and_runs_twice_safely(arena):
    booking = booking_hold(
        user=arena.world.resident,
        venue_id=arena.venue.pk,
        slots=[SlotChoice(arena.court3.pk, arena.slot(arena.court3, 1, 9))],
    )
    later = timezone.now() + timedelta(minutes=11)
    assert jobs.holds_expire(timezone.now()) == 0
    assert jobs.holds_expire(later) == 1
    assert jobs.holds_expire(later) == 0
    booking.refresh_from_db()
    assert booking.status == BookingStatus.EXPIRED
    assert not Occupancy.objects.exists()


def test_no_shows_then_a_ban(arena):
    from tiyu.booking.models import BookingPolicy

    BookingPolicy.objects.create(venue=arena.venue, no_show_limit=2, no_show_ban_days=7)
    resident = arena.world.resident
    for hour in (9, 10):
        paid_booking(arena, resident, (arena.court3, arena.slot(arena.court3, 1, hour)))
    after = arena.slot(arena.court3, 1, 12)
    assert jobs.no_shows_mark(after) == 2
    assert jobs.no_shows_mark(after) == 0
    with pytest.raises(DomainError) as err:
        booking_hold(
            user=resident,
            venue_id=arena.venue.pk,
            slots=[SlotChoice(arena.court3.pk, arena.slot(arena.court3, 2, 9))],
            now=after,
        )
    assert err.value.code == "booking_banned"


def test_active_booking_and_hours_limits(arena):
    from tiyu.booking.models import BookingPolicy

    BookingPolicy.objects.create(venue=arena.venue, max_active_bookings=2, max_hours_per_day=2)
    resident = arena.world.resident
    pick = [SlotChoice(arena.court3.pk, arena.slot(arena.court3, 1, h)) for h in (9, 10, 11)]
    with pytest.raises(DomainError) as err:
        booking_hold(user=resident, venue_id=arena.venue.pk, slots=pick)
    assert err.value.code == "booking_limit_hours"
    booking_hold(user=resident, venue_id=arena.venue.pk, slots=pick[:1])
    booking_hold(
        user=resident,
        venue_id=arena.venue.pk,
        slots=[SlotChoice(arena.court3.pk, arena.slot(arena.court3, 2, 9))],
    )
    with pytest.raises(DomainError) as err:
        booking_hold(
            user=resident,
            venue_id=arena.venue.pk,
            slots=[SlotChoice(arena.court3.pk, arena.slot(arena.court3, 3, 9))],
        )
    assert err.value.code == "booking_limit_active"
    assert Booking.objects.filter(user=resident).count() == 2


def test_reminders_go_once(arena):
    resident = arena.world.resident
    start = arena.slot(arena.court3, 1, 12)
    paid_booking(arena, resident, (arena.court3, start))
    soon = start - timedelta(hours=1)
    assert jobs.reminders_send(soon) == 1
    jobs.reminders_send(soon)
    assert Notice.objects.filter(user=resident, kind="booking_reminder").count() == 1


def _gateway_payment(booking, amount=None):
    """A gateway payment that succeeded, with the ledger legs a verified notice posts."""
    from django.db import transaction

    from tiyu.wallet.services import clearing_account, post, venue_revenue_account

    with transaction.atomic():
        post(
            kind="payment",
            reference=booking.number,
            legs=[
                (clearing_account(), -booking.total_fen),
                (venue_revenue_account(booking.venue), booking.total_fen),
            ],
        )
    return Payment.objects.create(
        purpose="booking",
        reference=booking.number,
        user=booking.user,
        venue=booking.venue,
        method="sandbox",
        amount_fen=booking.total_fen if amount is None else amount,
        status=PaymentStatus.SUCCEEDED,
        paid_at=timezone.now(),
    )


def test_a_late_payment_still_confirms_when_the_slot_is_free(arena):
    booking = booking_hold(
        user=arena.world.resident,
        venue_id=arena.venue.pk,
        slots=[SlotChoice(arena.court3.pk, arena.slot(arena.court3, 1, 9))],
    )
    later = timezone.now() + timedelta(minutes=20)
    jobs.holds_expire(later)
    payment = _gateway_payment(booking)
    booking_confirm_payment(payment=payment, now=later)
    booking.refresh_from_db()
    assert booking.status == BookingStatus.CONFIRMED and booking.payment == payment
    assert Occupancy.objects.filter(slot__booking=booking, hold_expires_at=None).count() == 2
    # Twice is once.
    booking_confirm_payment(payment=payment, now=later)
    assert not Refund.objects.exists()


def test_a_late_payment_for_a_lost_slot_is_refunded(arena, settings):
    start = arena.slot(arena.court3, 1, 9)
    first = booking_hold(
        user=arena.world.resident,
        venue_id=arena.venue.pk,
        slots=[SlotChoice(arena.court3.pk, start)],
    )
    later = timezone.now() + timedelta(minutes=20)
    booking_hold(
        user=arena.resident2,
        venue_id=arena.venue.pk,
        slots=[SlotChoice(arena.court3.pk, start)],
        now=later,
    )
    payment = _gateway_payment(first)
    booking_confirm_payment(payment=payment, now=later)
    first.refresh_from_db()
    payment.refresh_from_db()
    assert first.status == BookingStatus.EXPIRED
    assert payment.refunded_fen == payment.amount_fen
    assert Notice.objects.filter(user=arena.world.resident, kind="refund").exists()
