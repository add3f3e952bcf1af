"""The booking API through its public endpoints, with bearer tokens.

Grid, hold (with idempotency), pay with stored value, the cancellation quote and
cancel for residents; then the role matrix of every front-desk endpoint: the
venue's staff and manager may act, everyone else (an official of the same
district, a resident, staff of another venue) gets a 404 and nothing changes.
"""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tiyu.booking.models import (
    Block,
    Booking,
    BookingPolicy,
    BookingSlot,
    BookingStatus,
    Occupancy,
    Series,
    SlotStatus,
)
from tiyu.venues.models import Court, PriceRule

pytestmark = pytest.mark.django_db


def post(client: Any, url: str, body: Any, headers: dict[str, str]) -> Any:
    return client.post(url, data=json.dumps(body), content_type="application/json", headers=headers)


def hold_body(arena: Any, *picks: tuple[Any, Any]) -> dict[str, Any]:
    return {
        "venue_id": arena.venue.pk,
        "slots": [{"court_id": c.pk, "starts_at": s.isoformat()} for c, s in picks],
    }


def grid_url(arena: Any, days: int = 7) -> str:
    return f"/api/v1/venues/{arena.venue.pk}/grid?days={days}"


# --- grid --------------------------------------------------------------------


def test_grid_has_prices_and_states(arena, api_client):
    resident = arena.world.resident
    start = arena.slot(arena.court3, 1, 10)
    r = post(
        api_client,
        "/api/v1/bookings",
        hold_body(arena, (arena.court3, start)),
        api_client.token(resident),
    )
    assert r.status_code == 201

    def cells(headers: dict[str, str]) -> dict[tuple[int, str], dict[str, Any]]:
        r = api_client.get(grid_url(arena), headers=headers)
        assert r.status_code == 200
        body = r.json()
        assert [c["id"] for c in body["courts"]] == [
            arena.hall.pk,
            arena.part1.pk,
            arena.part2.pk,
            arena.court3.pk,
        ]
        assert len(body["days"]) == 7
        return {(c["court_id"], c["starts_at"]): c for day in body["days"] for c in day["cells"]}

    def key(court: Any, moment: Any) -> tuple[int, str]:
        return court.pk, moment.astimezone(timezone.get_current_timezone()).isoformat()

    mine = cells(api_client.token(resident))
    theirs = cells(api_client.token(arena.resident2))
    assert mine[key(arena.court3, start)]["state"] == "held_by_me"
    assert theirs[key(arena.court3, start)]["state"] == "taken"
    free = key(arena.court3, arena.slot(arena.court3, 1, 12))
    assert theirs[free]["state"] == "free" and theirs[free]["price_fen"] == 4000
    # The hall is not free either while one of its parts... is free; court3 is its own.
    assert theirs[key(arena.hall, arena.slot(arena.hall, 1, 10))]["state"] == "free"


def test_grid_of_an_unknown_venue_is_404(api_client, arena):
    r = api_client.get("/api/v1/venues/999999/grid")
    assert r.status_code == 404 and r.json()["code"] == "venue_not_found"


def test_grid_costs_the_same_queries_whatever_the_number_of_courts(arena, api_client):
    from datetime import time

    headers = api_client.token(arena.world.resident)
    api_client.get(grid_url(arena), headers=headers)  # warm caches (sessions, content types)
    cache.clear()  # both counts are cold reads: configuration and calendar included
    with CaptureQueriesContext(connection) as few:
        assert api_client.get(grid_url(arena), headers=headers).status_code == 200
    for i in range(5):
        court = Court.objects.create(venue=arena.venue, name=f"加场{i}", sort_order=10 + i)
        PriceRule.objects.create(court=court, starts=time(8), ends=time(22), price_fen=3000)
    Court.objects.create(venue=arena.venue, parent=court, name="加场分场", sort_order=20)
    cache.clear()  # what the court and price services do (and a cold calendar)
    with CaptureQueriesContext(connection) as many:
        r = api_client.get(grid_url(arena), headers=headers)
    assert r.status_code == 200 and len(r.json()["courts"]) == 10
    assert len(many) == len(few), [q["sql"][:80] for q in many.captured_queries]


# --- hold, pay, cancel -------------------------------------------------------


def test_hold_is_idempotent_with_a_key(arena, api_client):
    headers = {**api_client.token(arena.world.resident), "Idempotency-Key": "hold-1"}
    body = hold_body(arena, (arena.court3, arena.slot(arena.court3, 1, 10)))
    first = post(api_client, "/api/v1/bookings", body, headers)
    assert first.status_code == 201 and first.json()["status"] == "held"
    counts = (Booking.objects.count(), BookingSlot.objects.count(), Occupancy.objects.count())
    again = post(api_client, "/api/v1/bookings", body, headers)
    assert again.status_code == 201 and again.json()["number"] == first.json()["number"]
    assert (Booking.objects.count(), BookingSlot.objects.count(), Occupancy.objects.count()) == (
        counts
    )
    other = post(
        api_client,
        "/api/v1/bookings",
        hold_body(arena, (arena.court3, arena.slot(arena.court3, 1, 11))),
        headers,
    )
    assert other.status_code == 409 and other.json()["code"] == "idempotency_key_reused"
    assert Booking.objects.count() == counts[0]


def test_a_taken_slot_is_409_and_writes_nothing(arena, api_client):
    body = hold_body(arena, (arena.part1, arena.slot(arena.part1, 1, 15)))
    assert (
        post(
            api_client, "/api/v1/bookings", body, api_client.token(arena.world.resident)
        ).status_code
        == 201
    )
    before = (Booking.objects.count(), BookingSlot.objects.count(), Occupancy.objects.count())
    hall = hold_body(arena, (arena.hall, arena.slot(arena.hall, 1, 15)))
    r = post(api_client, "/api/v1/bookings", hall, api_client.token(arena.resident2))
    assert r.status_code == 409 and r.json()["code"] == "slot_taken"
    assert (Booking.objects.count(), BookingSlot.objects.count(), Occupancy.objects.count()) == (
        before
    )


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"venue_id": 1},
        {"venue_id": 1, "slots": []},
        {"venue_id": 1, "slots": [{"court_id": 1, "starts_at": "tomorrow at ten"}]},
        {"venue_id": "x", "slots": [{"court_id": 1, "starts_at": "2030-01-01T10:00:00+08:00"}]},
    ],
)
def test_a_malformed_hold_is_422(arena, api_client, body):
    r = post(api_client, "/api/v1/bookings", body, api_client.token(arena.world.resident))
    assert r.status_code == 422 and r.json()["code"] == "invalid_request"
    assert not Booking.objects.exists()


def test_a_hold_needs_a_user(arena, api_client):
    body = hold_body(arena, (arena.court3, arena.slot(arena.court3, 1, 10)))
    r = post(api_client, "/api/v1/bookings", body, {"Authorization": "Bearer nope"})
    assert r.status_code == 401 and not Booking.objects.exists()


def test_pay_with_stored_value_then_quote_and_cancel(arena, api_client):
    resident = arena.world.resident
    headers = api_client.token(resident)
    arena.fund(resident, 10_000)
    start = arena.slot(arena.court3, 3, 10)  # more than 24 h ahead: cancelling is free
    number = post(
        api_client, "/api/v1/bookings", hold_body(arena, (arena.court3, start)), headers
    ).json()["number"]
    paid = post(api_client, f"/api/v1/bookings/{number}/pay", {"method": "stored_value"}, headers)
    assert paid.status_code == 200
    booking = paid.json()["booking"]
    assert booking["status"] == "confirmed" and booking["entry_code"] and booking["entry_token"]
    assert paid.json()["pay_request"] is None
    assert arena.balance(resident) == 6000
    again = post(api_client, f"/api/v1/bookings/{number}/pay", {"method": "stored_value"}, headers)
    assert again.status_code == 409 and again.json()["code"] == "booking_already_paid"
    assert arena.balance(resident) == 6000

    quote = api_client.get(f"/api/v1/bookings/{number}/cancellation", headers=headers)
    assert quote.status_code == 200
    assert quote.json()["refund_fen"] == 4000 and quote.json()["fee_fen"] == 0
    other = api_client.get(
        f"/api/v1/bookings/{number}/cancellation", headers=api_client.token(arena.resident2)
    )
    assert other.status_code == 404
    refused = post(
        api_client, f"/api/v1/bookings/{number}/cancel", {}, api_client.token(arena.resident2)
    )
    assert refused.status_code == 404
    assert Booking.objects.get(number=number).status == BookingStatus.CONFIRMED

    done = post(api_client, f"/api/v1/bookings/{number}/cancel", {}, headers)
    assert done.status_code == 200
    assert done.json()["status"] == "cancelled" and done.json()["refunded_fen"] == 4000
    assert arena.balance(resident) == 10_000
    assert not Occupancy.objects.exists()


def test_pay_with_an_unknown_method_is_refused(arena, api_client):
    headers = api_client.token(arena.world.resident)
    number = post(
        api_client,
        "/api/v1/bookings",
        hold_body(arena, (arena.court3, arena.slot(arena.court3, 1, 10))),
        headers,
    ).json()["number"]
    r = post(api_client, f"/api/v1/bookings/{number}/pay", {"method": "bitcoin"}, headers)
    assert r.status_code == 400 and r.json()["code"] == "method_invalid"
    assert Booking.objects.get(number=number).status == BookingStatus.HELD


# --- the front desk: who may do what ----------------------------------------------


@pytest.fixture
def outsiders(arena):
    """Everyone who must not work this venue's desk."""
    from tiyu.accounts.models import Role
    from tiyu.accounts.services import membership_grant, user_create

    other_staff = user_create(username="pool_staff", password="pool-staff-2026")
    membership_grant(user=other_staff, role=Role.VENUE_STAFF, venue=arena.world.jinjiang_pool)
    return {
        "official": arena.world.wuhou_official,
        "resident": arena.world.resident,
        "other_staff": other_staff,
    }


INSIDERS = ["staff", "manager"]
OUTSIDERS = ["official", "resident", "other_staff"]


def person(arena: Any, outsiders: dict[str, Any], who: str) -> Any:
    return outsiders[who] if who in outsiders else getattr(arena.world, who)


def desk(arena: Any, path: str = "") -> str:
    return f"/api/v1/desk/venues/{arena.venue.pk}{path}"


def confirmed_now(arena: Any) -> Booking:
    """A paid booking whose slot is on now (rows written directly: any hour of the day)."""
    now = timezone.now()
    booking = Booking.objects.create(
        user=arena.resident2, venue=arena.venue, status=BookingStatus.CONFIRMED
    )
    BookingSlot.objects.create(
        booking=booking,
        court=arena.court3,
        starts_at=now - timedelta(minutes=10),
        ends_at=now + timedelta(minutes=50),
        price_fen=0,
        status=SlotStatus.CONFIRMED,
    )
    return booking


@pytest.mark.parametrize("who", INSIDERS + OUTSIDERS)
def test_check_in(arena, api_client, outsiders, who):
    booking = confirmed_now(arena)
    user = person(arena, outsiders, who)
    r = post(
        api_client, desk(arena, "/check-in"), {"code": booking.entry_code}, api_client.token(user)
    )
    status = booking.slots.get().status
    if who in INSIDERS:
        assert r.status_code == 200 and status == SlotStatus.CHECKED_IN
    else:
        assert r.status_code == 404 and status == SlotStatus.CONFIRMED


@pytest.mark.parametrize("who", INSIDERS + OUTSIDERS)
def test_walk_in(arena, api_client, outsiders, who):
    body = {
        "slots": [
            {"court_id": arena.court3.pk, "starts_at": arena.slot(arena.court3, 1, 20).isoformat()}
        ],
        "method": "cash",
        "customer_name": "散客",
    }
    r = post(
        api_client, desk(arena, "/bookings"), body, api_client.token(person(arena, outsiders, who))
    )
    if who in INSIDERS:
        assert r.status_code == 201 and r.json()["status"] == "confirmed"
        assert Booking.objects.get().channel == "front_desk"
    else:
        assert r.status_code == 404
        assert not Booking.objects.exists() and not Occupancy.objects.exists()


@pytest.mark.parametrize("who", INSIDERS + OUTSIDERS)
def test_blocks(arena, api_client, outsiders, who):
    headers = api_client.token(person(arena, outsiders, who))
    start = arena.slot(arena.court3, 2, 8)
    body = {
        "court_id": arena.court3.pk,
        "starts_at": start.isoformat(),
        "ends_at": (start + timedelta(hours=2)).isoformat(),
        "reason": "换灯",
    }
    r = post(api_client, desk(arena, "/blocks"), body, headers)
    if who in OUTSIDERS:
        assert r.status_code == 404
        assert not Block.objects.exists() and not Occupancy.objects.exists()
        from tiyu.booking.desk import BlockData, block_add

        block = block_add(
            actor=arena.world.staff,
            venue_id=arena.venue.pk,
            data=BlockData(arena.court3.pk, start, start + timedelta(hours=2)),
        )
        gone = api_client.delete(desk(arena, f"/blocks/{block.pk}"), headers=headers)
        assert gone.status_code == 404 and Block.objects.filter(pk=block.pk).exists()
        assert Occupancy.objects.count() == 4
        return
    assert r.status_code == 201 and Occupancy.objects.filter(block_id=r.json()["id"]).count() == 4
    gone = api_client.delete(desk(arena, f"/blocks/{r.json()['id']}"), headers=headers)
    assert gone.status_code == 204
    assert not Block.objects.exists() and not Occupancy.objects.exists()


@pytest.mark.parametrize("who", INSIDERS + OUTSIDERS)
def test_series(arena, api_client, outsiders, who):
    first = timezone.localdate() + timedelta(days=3)
    body = {
        "court_id": arena.court3.pk,
        "title": "青羽俱乐部",
        "weekday": first.weekday(),
        "starts": "19:00",
        "ends": "21:00",
        "first_date": first.isoformat(),
        "last_date": (first + timedelta(days=14)).isoformat(),
        "customer_phone": arena.resident2.phone,
        "method": "cash",
    }
    headers = api_client.token(person(arena, outsiders, who))
    r = post(api_client, desk(arena, "/series"), body, headers)
    if who in OUTSIDERS:
        assert r.status_code == 404
        assert not Series.objects.exists() and not Booking.objects.exists()
        return
    assert r.status_code == 201 and len(r.json()["bookings"]) == 3
    cancel = post(api_client, desk(arena, f"/series/{r.json()['id']}/cancel"), {}, headers)
    assert cancel.status_code == 200 and cancel.json()["status"] == "cancelled"


@pytest.mark.parametrize("who", INSIDERS + OUTSIDERS)
def test_series_cancel_by_outsiders_changes_nothing(arena, api_client, outsiders, who):
    from datetime import time

    from tiyu.booking.series import SeriesData, series_create

    first = timezone.localdate() + timedelta(days=3)
    result = series_create(
        actor=arena.world.staff,
        venue_id=arena.venue.pk,
        data=SeriesData(
            court_id=arena.court3.pk,
            title="俱乐部",
            weekday=first.weekday(),
            starts=time(19),
            ends=time(20),
            first_date=first,
            last_date=first,
            customer_phone=arena.resident2.phone,
            method="cash",
        ),
    )
    r = post(
        api_client,
        desk(arena, f"/series/{result.series.pk}/cancel"),
        {},
        api_client.token(person(arena, outsiders, who)),
    )
    result.series.refresh_from_db()
    if who in OUTSIDERS:
        assert r.status_code == 404 and result.series.status == "active"
        assert Booking.objects.get().status == BookingStatus.CONFIRMED
    else:
        assert r.status_code == 200 and result.series.status == "cancelled"


@pytest.mark.parametrize("who", INSIDERS + OUTSIDERS)
def test_policy_read(arena, api_client, outsiders, who):
    r = api_client.get(
        desk(arena, "/policy"), headers=api_client.token(person(arena, outsiders, who))
    )
    if who in INSIDERS:
        assert r.status_code == 200 and r.json()["hold_minutes"] == 10
    else:
        assert r.status_code == 404


@pytest.mark.parametrize("who", ["staff", *OUTSIDERS])
def test_policy_change_is_for_managers_only(arena, api_client, outsiders, who):
    r = api_client.put(
        desk(arena, "/policy"),
        data=json.dumps({"hold_minutes": 5}),
        content_type="application/json",
        headers=api_client.token(person(arena, outsiders, who)),
    )
    assert r.status_code in (403, 404)
    assert not BookingPolicy.objects.filter(venue=arena.venue).exists()


def test_policy_change_by_the_manager(arena, api_client):
    r = api_client.put(
        desk(arena, "/policy"),
        data=json.dumps({"hold_minutes": 5, "cancel_tiers": [[48, 0], [0, 30]]}),
        content_type="application/json",
        headers=api_client.token(arena.world.manager),
    )
    assert r.status_code == 200 and r.json()["hold_minutes"] == 5
    policy = BookingPolicy.objects.get(venue=arena.venue)
    assert policy.hold_minutes == 5 and policy.cancel_tiers == [[48, 0], [0, 30]]
    bad = api_client.put(
        desk(arena, "/policy"),
        data=json.dumps({"hold_minutes": 500}),
        content_type="application/json",
        headers=api_client.token(arena.world.manager),
    )
    assert bad.status_code == 400 and bad.json()["code"] == "policy_invalid"
    policy.refresh_from_db()
    assert policy.hold_minutes == 5


@pytest.mark.parametrize("who", INSIDERS + OUTSIDERS)
def test_desk_cancel(arena, api_client, outsiders, who):
    arena.fund(arena.resident2, 10_000)
    headers2 = api_client.token(arena.resident2)
    start = arena.slot(arena.court3, 1, 21)
    number = post(
        api_client, "/api/v1/bookings", hold_body(arena, (arena.court3, start)), headers2
    ).json()["number"]
    post(api_client, f"/api/v1/bookings/{number}/pay", {"method": "stored_value"}, headers2)
    r = post(
        api_client,
        desk(arena, f"/bookings/{number}/cancel"),
        {},
        api_client.token(person(arena, outsiders, who)),
    )
    booking = Booking.objects.get(number=number)
    if who in INSIDERS:
        assert r.status_code == 200 and booking.status == BookingStatus.CANCELLED
        assert arena.balance(arena.resident2) == 10_000  # the venue cancelling waives the fee
    else:
        assert r.status_code == 404 and booking.status == BookingStatus.CONFIRMED
        assert arena.balance(arena.resident2) == 6000
