"""Front-desk services: the check-in window, blocks, walk-ins, no-show bans, policy, and
the desk's read API (day sheet, series list)."""

from __future__ import annotations

from datetime import datetime, time, timedelta

import pytest
from django.utils import timezone

from tiyu.booking.desk import (
    BlockData,
    block_add,
    block_remove,
    booking_check_in,
    concession_verify,
    member_add,
    policy_update,
    walk_in_book,
)
from tiyu.booking.entry import entry_token
from tiyu.booking.jobs import no_shows_mark
from tiyu.booking.models import (
    Block,
    Booking,
    BookingPolicy,
    BookingSlot,
    BookingStatus,
    Occupancy,
    SlotStatus,
)
from tiyu.booking.services import SlotChoice, booking_hold
from tiyu.core.errors import DomainError
from tiyu.payments.models import Payment

pytestmark = pytest.mark.django_db


def day_after(days=1):
    return timezone.localdate() + timedelta(days=days)


def at(day, hour, minute=0, second=0):
    return datetime.combine(day, time(hour, minute, second), tzinfo=timezone.get_current_timezone())


def walk_in(arena, court, day, *hours, phone="", method="cash", now=None, actor=None):
    return walk_in_book(
        actor=actor or arena.world.staff,
        venue_id=arena.venue.pk,
        slots=[SlotChoice(court.pk, at(day, h)) for h in hours],
        method=method,
        customer_phone=phone,
        customer_name="" if phone else "散客",
        now=now,
    )


def statuses(booking):
    return list(booking.slots.order_by("starts_at").values_list("status", flat=True))


# --- Check-in ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("hour", "minute", "second", "outcome"),
    [
        (9, 29, 59, "checkin_too_early"),  # the window opens 30 minutes before the start
        (9, 30, 0, "ok"),
        (10, 59, 59, "ok"),
        (11, 0, 0, "checkin_too_late"),  # and closes at the slot's end
    ],
)
def test_check_in_window_edges(arena, hour, minute, second, outcome):
    day = day_after()
    booking = walk_in(arena, arena.court3, day, 10)
    now = at(day, hour, minute, second)
    if outcome == "ok":
        booking_check_in(actor=arena.world.staff, code=booking.entry_code, now=now)
        assert statuses(booking) == [SlotStatus.CHECKED_IN]
        slot = booking.slots.get()
        assert slot.checked_in_at == now and slot.checked_in_by == arena.world.staff
        return
    with pytest.raises(DomainError) as err:
        booking_check_in(actor=arena.world.staff, code=booking.entry_code, now=now)
    assert err.value.code == outcome and err.value.status == 409
    assert statuses(booking) == [SlotStatus.CONFIRMED]


def test_check_in_window_follows_the_venue_policy(arena):
    BookingPolicy.objects.create(venue=arena.venue, checkin_before_minutes=60)
    day = day_after()
    booking = walk_in(arena, arena.court3, day, 10)
    booking_check_in(actor=arena.world.staff, code=booking.entry_code, now=at(day, 9, 0))
    assert statuses(booking) == [SlotStatus.CHECKED_IN]


def test_check_in_takes_only_the_slots_whose_window_is_open(arena):
    day = day_after()
    booking = walk_in(arena, arena.court3, day, 10, 11, 12)
    staff = arena.world.staff
    booking_check_in(actor=staff, code=booking.entry_code, now=at(day, 10, 15))
    assert statuses(booking) == [SlotStatus.CHECKED_IN, SlotStatus.CONFIRMED, SlotStatus.CONFIRMED]
    booking_check_in(actor=staff, code=booking.entry_code, now=at(day, 10, 45))
    assert statuses(booking)[:2] == [SlotStatus.CHECKED_IN, SlotStatus.CHECKED_IN]
    with pytest.raises(DomainError) as err:
        booking_check_in(actor=staff, code=booking.entry_code, now=at(day, 10, 50))
    assert err.value.code == "checkin_already"


def test_check_in_accepts_the_signed_qr_token_and_refuses_a_forged_one(arena):
    day = day_after()
    booking = walk_in(arena, arena.court3, day, 10)
    token = entry_token(booking)
    with pytest.raises(DomainError) as err:
        booking_check_in(actor=arena.world.staff, code=token[:-1] + "x", now=at(day, 10))
    assert err.value.code == "entry_code_invalid"
    booking_check_in(actor=arena.world.staff, code=token, now=at(day, 10))
    assert statuses(booking) == [SlotStatus.CHECKED_IN]


def test_check_in_refuses_other_venues_and_people_who_do_not_work_the_desk(arena):
    day = day_after()
    booking = walk_in(arena, arena.court3, day, 10)
    for actor, venue_id in (
        (arena.world.staff, arena.world.jinjiang_pool.pk),  # pinned to another desk
        (arena.world.wuhou_official, None),
        (arena.world.resident, None),
    ):
        with pytest.raises(DomainError) as err:
            booking_check_in(
                actor=actor, code=booking.entry_code, venue_id=venue_id, now=at(day, 10)
            )
        assert err.value.code == "entry_code_unknown" and err.value.status == 404
    assert statuses(booking) == [SlotStatus.CONFIRMED]


def test_an_unpaid_hold_cannot_be_checked_in(arena):
    start = arena.slot(arena.court3, 1, 10)
    booking = booking_hold(
        user=arena.world.resident,
        venue_id=arena.venue.pk,
        slots=[SlotChoice(arena.court3.pk, start)],
    )
    with pytest.raises(DomainError) as err:
        booking_check_in(actor=arena.world.staff, code=booking.entry_code, now=start)
    assert err.value.code == "booking_not_confirmed"


# --- Blocks --------------------------------------------------------------------------


def block(arena, court, day, start, end, *, actor=None, kind="maintenance"):
    return block_add(
        actor=actor or arena.world.staff,
        venue_id=arena.venue.pk,
        data=BlockData(court.pk, at(day, start), at(day, end), kind, "换地胶"),
    )


def test_a_block_refuses_booked_time_and_writes_nothing(arena):
    day = day_after()
    walk_in(arena, arena.part1, day, 10)
    before = (Block.objects.count(), Occupancy.objects.count())
    for court in (arena.part1, arena.hall):  # the part itself, and the hall above it
        with pytest.raises(DomainError) as err:
            block(arena, court, day, 9, 12)
        assert err.value.code == "slot_taken"
    assert (Block.objects.count(), Occupancy.objects.count()) == before
    block(arena, arena.part2, day, 9, 12)  # the other part is free


def test_blocked_time_cannot_be_booked_until_the_block_is_removed(arena):
    day = day_after()
    item = block(arena, arena.hall, day, 14, 16, kind="event")
    assert Occupancy.objects.filter(block=item).count() == 8  # 2 parts x 4 half-hours
    with pytest.raises(DomainError) as err:
        walk_in(arena, arena.part2, day, 15)
    assert err.value.code == "slot_taken"
    block_remove(actor=arena.world.staff, venue_id=arena.venue.pk, block_id=item.pk)
    assert not Occupancy.objects.filter(block_id=item.pk).exists()
    assert walk_in(arena, arena.part2, day, 15).status == BookingStatus.CONFIRMED


@pytest.mark.parametrize(
    ("start", "end", "code"),
    [((10, 15), (11, 0), "block_not_aligned"), ((11, 0), (10, 0), "block_time_order")],
)
def test_block_times_are_checked(arena, start, end, code):
    day = day_after()
    data = BlockData(arena.court3.pk, at(day, *start), at(day, *end), "maintenance")
    with pytest.raises(DomainError) as err:
        block_add(actor=arena.world.staff, venue_id=arena.venue.pk, data=data)
    assert err.value.code == code
    assert not Block.objects.exists()


def test_a_block_by_an_official_or_on_another_venues_court_is_refused(arena):
    day = day_after()
    with pytest.raises(DomainError) as err:
        block(arena, arena.court3, day, 9, 10, actor=arena.world.wuhou_official)
    assert err.value.status == 404
    from tiyu.venues.models import Court

    pool_lane = Court.objects.create(venue=arena.world.jinjiang_pool, name="1道")
    with pytest.raises(DomainError) as err:
        block(arena, pool_lane, day, 9, 10)
    assert err.value.code == "court_unknown"
    assert not Block.objects.exists()


# --- Walk-ins ------------------------------------------------------------------------


def test_walk_in_with_stored_value_needs_a_phone(arena):
    with pytest.raises(DomainError) as err:
        walk_in(arena, arena.court3, day_after(), 10, method="stored_value")
    assert err.value.code == "customer_required" and "phone" in err.value.fields
    assert not Booking.objects.exists()


def test_walk_in_with_stored_value_charges_the_residents_card(arena):
    arena.fund(arena.resident2, 5000)
    booking = walk_in(
        arena, arena.court3, day_after(), 10, phone=arena.resident2.phone, method="stored_value"
    )
    assert booking.user == arena.resident2 and booking.created_by == arena.world.staff
    assert booking.channel == "front_desk" and booking.status == BookingStatus.CONFIRMED
    assert arena.balance(arena.resident2) == 1000
    assert booking.payment.method == "stored_value"


def test_walk_in_with_an_unknown_phone_is_refused(arena):
    with pytest.raises(DomainError) as err:
        walk_in(arena, arena.court3, day_after(), 10, phone="13000000000")
    assert err.value.code == "customer_unknown"
    assert not Booking.objects.exists() and not Payment.objects.exists()


def test_walk_in_ignores_the_residents_window_but_not_the_past(arena):
    far = walk_in(arena, arena.court3, day_after(20), 10)  # beyond the 7-day window
    assert far.status == BookingStatus.CONFIRMED
    with pytest.raises(DomainError) as err:
        walk_in(arena, arena.court3, day_after(-1), 10)
    assert err.value.code == "slot_past"


def test_walk_in_by_an_official_is_not_found(arena):
    with pytest.raises(DomainError) as err:
        walk_in(arena, arena.court3, day_after(), 10, actor=arena.world.wuhou_official)
    assert err.value.status == 404
    assert not Booking.objects.exists()


# --- No-shows ------------------------------------------------------------------------


def test_no_shows_lead_to_a_ban_from_booking_at_the_venue(arena):
    BookingPolicy.objects.create(
        venue=arena.venue, no_show_limit=2, no_show_window_days=30, no_show_ban_days=14
    )
    resident = arena.resident2
    then = timezone.now() - timedelta(days=5)
    for days in (-3, -2):
        walk_in(arena, arena.court3, day_after(days), 10, phone=resident.phone, now=then)
    checked = walk_in(arena, arena.part1, day_after(-2), 10, phone=resident.phone, now=then)
    booking_check_in(actor=arena.world.staff, code=checked.entry_code, now=at(day_after(-2), 10))
    assert no_shows_mark() == 2
    assert no_shows_mark() == 0  # a second run changes nothing
    assert BookingSlot.objects.filter(status=SlotStatus.NO_SHOW).count() == 2
    assert statuses(checked) == [SlotStatus.CHECKED_IN]

    slot = [SlotChoice(arena.court3.pk, arena.slot(arena.court3, 1, 10))]
    with pytest.raises(DomainError) as err:
        booking_hold(user=resident, venue_id=arena.venue.pk, slots=slot)
    assert err.value.code == "booking_banned"
    assert not Booking.objects.filter(user=resident, status=BookingStatus.HELD).exists()
    # Another resident is not affected, and the ban lifts after its days.
    assert booking_hold(user=arena.world.resident, venue_id=arena.venue.pk, slots=slot)
    later = timezone.now() + timedelta(days=13)
    free = [SlotChoice(arena.court3.pk, at(later.date() + timedelta(days=1), 11))]
    assert booking_hold(user=resident, venue_id=arena.venue.pk, slots=free, now=later)


def test_one_no_show_under_the_limit_does_not_ban(arena):
    resident = arena.resident2
    then = timezone.now() - timedelta(days=5)
    walk_in(arena, arena.court3, day_after(-2), 10, phone=resident.phone, now=then)
    no_shows_mark()
    slot = [SlotChoice(arena.court3.pk, arena.slot(arena.court3, 1, 10))]
    assert booking_hold(user=resident, venue_id=arena.venue.pk, slots=slot).status == "held"


# --- Policy, members, concessions ----------------------------------------------------


def test_policy_update_is_for_managers(arena):
    values = {"hold_minutes": 5, "cancel_tiers": [[2, 50], [12, 0]]}
    with pytest.raises(DomainError) as err:
        policy_update(actor=arena.world.staff, venue_id=arena.venue.pk, values=values)
    assert err.value.status == 404 and not BookingPolicy.objects.exists()
    policy = policy_update(actor=arena.world.manager, venue_id=arena.venue.pk, values=values)
    assert policy.hold_minutes == 5 and policy.cancel_tiers == [[12, 0], [2, 50]]


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"hold_minutes": 0}, "hold_minutes"),
        ({"release_hour": 24}, "release_hour"),
        ({"cancel_tiers": [[2, 10], [2, 20]]}, "cancel_tiers"),
        ({"cancel_tiers": [[2, 120]]}, "cancel_tiers"),
        ({"cancel_tiers": []}, "cancel_tiers"),
    ],
)
def test_policy_values_out_of_range_are_refused(arena, values, field):
    with pytest.raises(DomainError) as err:
        policy_update(actor=arena.world.manager, venue_id=arena.venue.pk, values=values)
    assert field in err.value.fields
    assert not BookingPolicy.objects.exists()


def test_member_and_concession_by_phone(arena):
    until = day_after(30)
    member = member_add(
        actor=arena.world.staff,
        venue_id=arena.venue.pk,
        phone=arena.resident2.phone,
        valid_until=until,
    )
    assert member.user == arena.resident2
    again = member_add(
        actor=arena.world.staff,
        venue_id=arena.venue.pk,
        phone=arena.resident2.phone,
        valid_until=until + timedelta(days=30),
    )
    assert again.pk == member.pk and again.valid_until == until + timedelta(days=30)
    with pytest.raises(DomainError) as err:
        concession_verify(
            actor=arena.world.staff,
            venue_id=arena.venue.pk,
            phone=arena.resident2.phone,
            group="pirate",
            valid_until=until,
        )
    assert err.value.code == "concession_group_invalid"
    with pytest.raises(DomainError) as err:
        member_add(
            actor=arena.world.wuhou_official,
            venue_id=arena.venue.pk,
            phone=arena.resident2.phone,
            valid_until=until,
        )
    assert err.value.status == 404


# --- Read API ------------------------------------------------------------------------


@pytest.fixture
def desk_api():
    from ninja import NinjaAPI
    from ninja.testing import TestClient

    from tiyu.booking.api_desk import router

    # A throwaway API around the router, so the test does not depend on its mount.
    api = NinjaAPI(urls_namespace=f"desk-test-{id(router)}")
    api.add_router("/desk", router)
    return TestClient(api)


def test_sheet_api_lists_every_cell_with_who_has_it(arena, desk_api):
    day = day_after()
    booking = walk_in(arena, arena.hall, day, 9)
    block(arena, arena.court3, day, 12, 13)
    response = desk_api.get(
        f"/desk/venues/{arena.venue.pk}/sheet?day={day.isoformat()}", user=arena.world.staff
    )
    assert response.status_code == 200
    body = response.json()
    assert [c["name"] for c in body["courts"]] == ["主馆", "1号场", "2号场", "3号场"]
    assert len(body["cells"]) == 4 * 14
    booked = [c for c in body["cells"] if c["state"] == "booked"]
    assert {c["court_id"] for c in booked} == {arena.hall.pk, arena.part1.pk, arena.part2.pk}
    assert {c["booking_number"] for c in booked} == {booking.number}
    assert {c["via_court_id"] for c in booked} == {None, arena.hall.pk}
    assert booked[0]["customer"] == "散客" and booked[0]["payment_method"] == "cash"
    blocked = [c for c in body["cells"] if c["state"] == "blocked"]
    assert len(blocked) == 1 and blocked[0]["block_reason"] == "换地胶"


def test_desk_read_api_is_not_found_for_an_official(arena, desk_api):
    with pytest.raises(DomainError) as err:
        desk_api.get(f"/desk/venues/{arena.venue.pk}/sheet", user=arena.world.wuhou_official)
    assert err.value.status == 404
    with pytest.raises(DomainError):
        desk_api.get(f"/desk/venues/{arena.venue.pk}/series", user=arena.world.wuhou_official)


def test_series_api_lists_dates_and_skipped(arena, desk_api):
    from tiyu.booking.series import SeriesData, series_create

    first = day_after(3)
    walk_in(arena, arena.court3, first + timedelta(days=7), 19)
    series_create(
        actor=arena.world.staff,
        venue_id=arena.venue.pk,
        data=SeriesData(
            court_id=arena.court3.pk,
            title="周三夜场",
            weekday=first.weekday(),
            starts=time(19),
            ends=time(20),
            first_date=first,
            last_date=first + timedelta(days=14),
            customer_phone=arena.resident2.phone,
        ),
    )
    response = desk_api.get(f"/desk/venues/{arena.venue.pk}/series", user=arena.world.staff)
    [item] = response.json()
    assert item["title"] == "周三夜场" and item["total_fen"] == 8000
    assert [d["date"] for d in item["dates"]] == [
        first.isoformat(),
        (first + timedelta(days=14)).isoformat(),
    ]
    assert [s["date"] for s in item["skipped"]] == [(first + timedelta(days=7)).isoformat()]
    assert item["customer"] == "resident2 139****0002"
