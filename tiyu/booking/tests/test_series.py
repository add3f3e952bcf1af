"""Recurring bookings: dates, skipped conflicts, one payment, cancelling whole or one date."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

import pytest
from django.utils import timezone

from tiyu.booking.desk import booking_check_in, walk_in_book
from tiyu.booking.models import Booking, BookingStatus, Occupancy, Series, SeriesStatus, SlotStatus
from tiyu.booking.series import SeriesData, series_cancel, series_create, series_dates
from tiyu.booking.services import SlotChoice
from tiyu.core.errors import DomainError
from tiyu.payments.models import Payment
from tiyu.venues.services import closure_add
from tiyu.wallet.models import Account, Entry
from tiyu.wallet.selectors import account_balance

pytestmark = pytest.mark.django_db


def at(day, hour):
    return datetime.combine(day, time(hour), tzinfo=timezone.get_current_timezone())


def first_day():
    return timezone.localdate() + timedelta(days=3)


def data(arena, *, weeks=4, **changes):
    first = first_day()
    values = dict(
        court_id=arena.court3.pk,
        title="青羽俱乐部",
        weekday=first.weekday(),
        starts=time(19),
        ends=time(21),
        first_date=first,
        last_date=first + timedelta(days=7 * (weeks - 1)),
        customer_phone=arena.resident2.phone,
        method="cash",
    )
    values.update(changes)
    return SeriesData(**values)


def create(arena, actor=None, **changes):
    return series_create(
        actor=actor or arena.world.staff, venue_id=arena.venue.pk, data=data(arena, **changes)
    )


def test_series_dates_are_every_weekday_of_the_term():
    # 2026-03-02 is a Monday.
    assert series_dates(date(2026, 3, 2), date(2026, 3, 31), 2) == [
        date(2026, 3, 4),
        date(2026, 3, 11),
        date(2026, 3, 18),
        date(2026, 3, 25),
    ]
    assert series_dates(date(2026, 3, 5), date(2026, 3, 10), 2) == []


def test_series_books_every_date_in_one_payment(arena):
    result = create(arena)
    assert len(result.bookings) == 4 and result.skipped == []
    assert result.total_fen == 4 * 2 * 4000
    payment = Payment.objects.get()
    assert payment.amount_fen == result.total_fen and payment.reference == f"S{result.series.pk}"
    for booking in result.bookings:
        booking.refresh_from_db()
        assert booking.status == BookingStatus.CONFIRMED and booking.payment == payment
        assert booking.channel == "series" and booking.user == arena.resident2
        assert booking.slots.count() == 2  # 19:00 and 20:00
    assert Occupancy.objects.filter(hold_expires_at__isnull=False).count() == 0


def test_conflicts_are_skipped_and_listed_and_the_rest_is_booked(arena):
    first = first_day()
    clash = first + timedelta(days=14)
    walk_in_book(
        actor=arena.world.staff,
        venue_id=arena.venue.pk,
        slots=[SlotChoice(arena.court3.pk, at(clash, 20))],
        method="cash",
        customer_name="散客",
    )
    closure_add(
        actor=arena.world.manager,
        venue_id=arena.venue.pk,
        starts_on=first + timedelta(days=7),
        ends_on=first + timedelta(days=7),
        reason="检修",
    )
    result = create(arena)
    assert [s["date"] for s in result.skipped] == [
        (first + timedelta(days=7)).isoformat(),
        clash.isoformat(),
    ]
    assert all(s["reason"] for s in result.skipped)
    assert len(result.bookings) == 2 and result.total_fen == 2 * 8000
    series = Series.objects.get()
    assert series.skipped == result.skipped
    assert Payment.objects.get(reference=f"S{series.pk}").amount_fen == 16000


def test_all_dates_taken_writes_nothing(arena):
    first = first_day()
    walk_in_book(
        actor=arena.world.staff,
        venue_id=arena.venue.pk,
        slots=[SlotChoice(arena.court3.pk, at(first, 19))],
        method="cash",
    )
    before = (Booking.objects.count(), Payment.objects.count(), Occupancy.objects.count())
    with pytest.raises(DomainError) as err:
        create(arena, weeks=1)
    assert err.value.code == "series_all_taken"
    assert not Series.objects.exists()
    assert (Booking.objects.count(), Payment.objects.count(), Occupancy.objects.count()) == before


def test_series_paid_from_the_clubs_card_or_refused_whole(arena):
    arena.fund(arena.resident2, 10000)
    with pytest.raises(DomainError) as err:
        create(arena, method="stored_value")  # ¥320 > ¥100
    assert err.value.code == "balance_insufficient"
    assert not Series.objects.exists() and not Booking.objects.exists()
    assert arena.balance(arena.resident2) == 10000
    result = create(arena, method="stored_value", weeks=1)
    assert arena.balance(arena.resident2) == 10000 - 8000
    assert result.bookings[0].payment.method == "stored_value"
    for account in Account.objects.all():
        assert account_balance(account) == sum(
            e.amount_fen for e in Entry.objects.filter(account=account)
        )


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"customer_phone": ""}, "customer_phone"),
        ({"customer_phone": "13000000000"}, "phone"),
        ({"ends": time(18)}, "ends"),
        ({"title": "  "}, "title"),
        ({"method": "wechat"}, "method"),
        ({"weekday": 7}, "weekday"),
    ],
)
def test_invalid_series_input_is_refused(arena, changes, field):
    with pytest.raises(DomainError) as err:
        create(arena, **changes)
    assert field in err.value.fields
    assert not Series.objects.exists() and not Booking.objects.exists()


def test_a_term_longer_than_a_year_is_refused(arena):
    with pytest.raises(DomainError) as err:
        create(arena, weeks=60)
    assert err.value.code == "series_size"


def test_an_official_cannot_create_a_series(arena):
    with pytest.raises(DomainError) as err:
        create(arena, actor=arena.world.wuhou_official)
    assert err.value.status == 404
    assert not Series.objects.exists()


def _by_day(series):
    return {
        timezone.localtime(b.slots.order_by("starts_at").first().starts_at).date(): b
        for b in Booking.objects.filter(series=series)
    }


def test_cancelling_one_date_refunds_that_date_only(arena):
    result = create(arena)
    series = result.series
    target = first_day() + timedelta(days=7)
    series_cancel(actor=arena.world.staff, venue_id=arena.venue.pk, series_id=series.pk, on=target)
    days = _by_day(series)
    assert days[target].status == BookingStatus.CANCELLED and days[target].refunded_fen == 8000
    assert set(days[target].slots.values_list("status", flat=True)) == {SlotStatus.CANCELLED}
    others = [b for d, b in days.items() if d != target]
    assert all(b.status == BookingStatus.CONFIRMED and b.refunded_fen == 0 for b in others)
    assert Payment.objects.get().refunded_fen == 8000
    series.refresh_from_db()
    assert series.status == SeriesStatus.ACTIVE
    with pytest.raises(DomainError) as err:  # nothing left on that date
        series_cancel(
            actor=arena.world.staff, venue_id=arena.venue.pk, series_id=series.pk, on=target
        )
    assert err.value.code == "series_nothing_to_cancel"


def test_cancelling_the_whole_series_leaves_dates_already_played(arena):
    result = create(arena)
    series = result.series
    first = first_day()
    # Play the first date, then cancel the series the day after it.
    booking_check_in(
        actor=arena.world.staff, code=_by_day(series)[first].entry_code, now=at(first, 19)
    )
    later = at(first + timedelta(days=1), 12)
    series_cancel(actor=arena.world.staff, venue_id=arena.venue.pk, series_id=series.pk, now=later)
    series.refresh_from_db()
    assert series.status == SeriesStatus.CANCELLED
    days = _by_day(series)
    assert days[first].status == BookingStatus.CONFIRMED and days[first].refunded_fen == 0
    assert all(b.status == BookingStatus.CANCELLED for d, b in days.items() if d != first)
    assert Payment.objects.get().refunded_fen == 3 * 8000
    assert not Occupancy.objects.filter(slot__booking__status=BookingStatus.CANCELLED).exists()


def test_cancel_by_an_official_or_another_venue_is_refused(arena):
    series = create(arena).series
    with pytest.raises(DomainError) as err:
        series_cancel(
            actor=arena.world.wuhou_official, venue_id=arena.venue.pk, series_id=series.pk
        )
    assert err.value.status == 404
    with pytest.raises(DomainError) as err:
        series_cancel(
            actor=arena.world.admin, venue_id=arena.world.jinjiang_pool.pk, series_id=series.pk
        )
    assert err.value.code == "series_not_found"
    assert Payment.objects.get().refunded_fen == 0
