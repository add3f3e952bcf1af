"""Holds, payment with stored value, expiry and the hall/part rule, through the services."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from tiyu.booking.models import Booking, BookingStatus, Occupancy, SlotStatus
from tiyu.booking.services import SlotChoice, booking_hold, booking_pay
from tiyu.core.errors import DomainError
from tiyu.wallet.models import Account, Entry
from tiyu.wallet.selectors import account_balance

pytestmark = pytest.mark.django_db


def hold(arena, user, *picks, now=None):
    return booking_hold(
        user=user,
        venue_id=arena.venue.pk,
        slots=[SlotChoice(court.pk, start) for court, start in picks],
        now=now,
    )


def test_hold_writes_one_unit_per_leaf_court_and_half_hour(arena):
    booking = hold(arena, arena.world.resident, (arena.court3, arena.slot(arena.court3, 1, 10)))
    assert booking.status == BookingStatus.HELD
    assert booking.total_fen == 4000
    assert Occupancy.objects.filter(slot__booking=booking).count() == 2  # 10:00 and 10:30
    hall_booking = hold(arena, arena.resident2, (arena.hall, arena.slot(arena.hall, 1, 11)))
    # The hall occupies both its parts, never itself.
    courts = set(
        Occupancy.objects.filter(slot__booking=hall_booking).values_list("court_id", flat=True)
    )
    assert courts == {arena.part1.pk, arena.part2.pk}


def test_second_resident_gets_taken_and_nothing_is_written(arena):
    start = arena.slot(arena.court3, 1, 10)
    hold(arena, arena.world.resident, (arena.court3, start))
    before = (Booking.objects.count(), Occupancy.objects.count())
    with pytest.raises(DomainError) as err:
        hold(arena, arena.resident2, (arena.court3, start))
    assert err.value.code == "slot_taken" and err.value.status == 409
    assert (Booking.objects.count(), Occupancy.objects.count()) == before


def test_hall_and_parts_block_each_other(arena):
    start = arena.slot(arena.hall, 1, 15)
    hold(arena, arena.world.resident, (arena.part2, start))
    with pytest.raises(DomainError) as err:
        hold(arena, arena.resident2, (arena.hall, start))
    assert err.value.code == "slot_taken"
    hold(arena, arena.resident2, (arena.part1, start))  # the other part is still free
    other = arena.slot(arena.hall, 1, 16)
    hold(arena, arena.resident2, (arena.hall, other))
    with pytest.raises(DomainError):
        hold(arena, arena.world.resident, (arena.part1, other))


def test_an_expired_hold_frees_its_slot_for_the_next_request_at_once(arena):
    start = arena.slot(arena.court3, 2, 10)
    first = hold(arena, arena.world.resident, (arena.court3, start))
    later = timezone.now() + timedelta(minutes=11)
    second = hold(arena, arena.resident2, (arena.court3, start), now=later)
    first.refresh_from_db()
    assert first.status == BookingStatus.EXPIRED
    assert set(first.slots.values_list("status", flat=True)) == {SlotStatus.EXPIRED}
    assert second.status == BookingStatus.HELD
    assert Occupancy.objects.filter(slot__booking=second).count() == 2


def test_pay_with_stored_value_confirms_and_posts_a_balanced_ledger(arena):
    resident = arena.world.resident
    arena.fund(resident, 10000)
    booking = hold(
        arena,
        resident,
        (arena.part1, arena.slot(arena.part1, 1, 18)),
        (arena.part2, arena.slot(arena.part2, 1, 18)),
    )
    outcome = booking_pay(user=resident, number=booking.number, method="stored_value")
    booking.refresh_from_db()
    assert outcome.pay_request is None
    assert booking.status == BookingStatus.CONFIRMED and booking.payment is not None
    assert set(booking.slots.values_list("status", flat=True)) == {SlotStatus.CONFIRMED}
    assert not Occupancy.objects.filter(
        slot__booking=booking, hold_expires_at__isnull=False
    ).exists()
    assert arena.balance(resident) == 10000 - 8000
    for account in Account.objects.all():
        assert account_balance(account) == sum(
            e.amount_fen for e in Entry.objects.filter(account=account)
        )


def test_insufficient_balance_refuses_and_changes_nothing(arena):
    resident = arena.world.resident
    arena.fund(resident, 1000)
    booking = hold(arena, resident, (arena.court3, arena.slot(arena.court3, 1, 9)))
    entries = Entry.objects.count()
    with pytest.raises(DomainError) as err:
        booking_pay(user=resident, number=booking.number, method="stored_value")
    assert err.value.code == "balance_insufficient"
    booking.refresh_from_db()
    assert booking.status == BookingStatus.HELD
    assert Entry.objects.count() == entries and arena.balance(resident) == 1000


def test_paying_an_expired_hold_is_refused(arena):
    resident = arena.world.resident
    arena.fund(resident, 10000)
    booking = hold(arena, resident, (arena.court3, arena.slot(arena.court3, 1, 9)))
    with pytest.raises(DomainError) as err:
        booking_pay(
            user=resident,
            number=booking.number,
            method="stored_value",
            now=timezone.now() + timedelta(minutes=11),
        )
    assert err.value.code == "hold_expired"
    assert arena.balance(resident) == 10000


def test_another_residents_booking_is_not_found(arena):
    booking = hold(arena, arena.world.resident, (arena.court3, arena.slot(arena.court3, 1, 9)))
    with pytest.raises(DomainError) as err:
        booking_pay(user=arena.resident2, number=booking.number, method="stored_value")
    assert err.value.status == 404
    booking.refresh_from_db()
    assert booking.status == BookingStatus.HELD


@pytest.mark.parametrize(
    ("days", "hour", "code"),
    [(9, 10, "slot_outside_window"), (1, 7, "slot_closed"), (1, 22, "slot_closed")],
)
def test_slots_outside_the_window_or_hours_are_refused(arena, days, hour, code):
    with pytest.raises(DomainError) as err:
        hold(arena, arena.world.resident, (arena.court3, arena.slot(arena.court3, days, hour)))
    assert err.value.code == code
    assert not Booking.objects.exists()


def test_member_and_concession_prices_apply(arena):
    from tiyu.booking.models import Concession, VenueMember

    today = timezone.localdate()
    VenueMember.objects.create(venue=arena.venue, user=arena.world.resident, valid_until=today)
    Concession.objects.create(user=arena.resident2, group="student", valid_until=today)
    member = hold(arena, arena.world.resident, (arena.court3, arena.slot(arena.court3, 1, 9)))
    student = hold(arena, arena.resident2, (arena.court3, arena.slot(arena.court3, 1, 10)))
    assert (member.total_fen, student.total_fen) == (3000, 2000)
