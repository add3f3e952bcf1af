"""Races for one slot on PostgreSQL: 50 concurrent clients, exactly one wins.

Each client runs in its own thread with its own database connection, all released
together by a barrier, so the holds really overlap inside the database. The
losers must all get the same clear refusal (``slot_taken``, 409): no other error,
no deadlock, nothing written for them. SQLite serialises every writer at BEGIN,
so a race there proves nothing; these tests run on PostgreSQL (the CI's second
pass sets ``DATABASE_URL``) and skip elsewhere.
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection

from tiyu.booking.models import Booking, BookingStatus, Occupancy
from tiyu.booking.services import SlotChoice, booking_hold, booking_pay
from tiyu.core.errors import DomainError
from tiyu.payments.models import Payment
from tiyu.wallet.models import Entry, LedgerTransaction

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="concurrency races need PostgreSQL (set DATABASE_URL); SQLite serialises writers",
    ),
    pytest.mark.django_db(transaction=True),
]

CLIENTS = 50
JOIN_TIMEOUT_S = 60


def race(calls: list[Callable[[], Any]]) -> list[tuple[str, Any]]:
    """Run ``calls`` at once, one thread and one connection each.

    Returns ``("ok", result)`` or ``("error", exception)`` per call, in order. A
    thread still running after the timeout (a deadlock, a lock never released)
    fails the test.
    """
    barrier = threading.Barrier(len(calls))
    results: list[tuple[str, Any]] = [("missing", None)] * len(calls)

    def run(i: int) -> None:
        try:
            barrier.wait(timeout=JOIN_TIMEOUT_S)
            results[i] = ("ok", calls[i]())
        except Exception as exc:  # recorded and judged by the test
            results[i] = ("error", exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(calls))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(JOIN_TIMEOUT_S)
    stuck = [t for t in threads if t.is_alive()]
    assert not stuck, f"{len(stuck)} clients never finished (deadlock?)"
    return results


def residents(n: int) -> list[Any]:
    from tiyu.accounts.services import user_create

    return [user_create(username=f"racer{i}", password="race-pass-2026") for i in range(n)]


def hold_call(arena: Any, user: Any, court: Any, start: Any) -> Callable[[], Booking]:
    return lambda: booking_hold(
        user=user, venue_id=arena.venue.pk, slots=[SlotChoice(court.pk, start)]
    )


def assert_one_winner(results: list[tuple[str, Any]]) -> Booking:
    """Exactly one booking; every other client got ``slot_taken`` (409) and nothing else."""
    wins = [value for kind, value in results if kind == "ok"]
    errors = [value for kind, value in results if kind == "error"]
    assert len(wins) == 1, f"{len(wins)} winners"
    assert len(errors) == len(results) - 1
    kinds = Counter(
        (e.code, e.status) if isinstance(e, DomainError) else type(e).__name__ for e in errors
    )
    assert kinds == Counter({("slot_taken", 409): len(results) - 1}), kinds
    return wins[0]


def test_fifty_residents_race_for_one_court_slot_and_one_wins(arena):
    start = arena.slot(arena.court3, 1, 10)
    people = residents(CLIENTS)
    results = race([hold_call(arena, p, arena.court3, start) for p in people])
    winner = assert_one_winner(results)
    assert Booking.objects.count() == 1
    assert Booking.objects.get().status == BookingStatus.HELD
    rows = set(Occupancy.objects.values_list("court_id", "starts_at", "slot__booking_id"))
    granule = start + (arena.slot(arena.court3, 1, 11) - start) / 2
    assert rows == {
        (arena.court3.pk, start, winner.pk),
        (arena.court3.pk, granule, winner.pk),
    }


def test_hall_against_its_part_one_winner_and_only_its_units(arena):
    """Half the clients want the whole hall, half its first part, at the same hour."""
    start = arena.slot(arena.hall, 1, 15)
    people = residents(CLIENTS)
    calls = [
        hold_call(arena, p, arena.hall if i % 2 else arena.part1, start)
        for i, p in enumerate(people)
    ]
    winner = assert_one_winner(race(calls))
    assert Booking.objects.count() == 1
    slot = winner.slots.get()
    leaves = (
        {arena.part1.pk, arena.part2.pk} if slot.court_id == arena.hall.pk else {arena.part1.pk}
    )
    rows = list(Occupancy.objects.values_list("court_id", "slot__booking_id"))
    assert {court for court, _b in rows} == leaves
    assert {booking for _c, booking in rows} == {winner.pk}
    assert len(rows) == 2 * len(leaves)  # two half-hour units per leaf court


def test_twenty_concurrent_pays_of_one_hold_make_one_payment(arena):
    resident = arena.world.resident
    arena.fund(resident, 10_000)
    booking = booking_hold(
        user=resident,
        venue_id=arena.venue.pk,
        slots=[SlotChoice(arena.court3.pk, arena.slot(arena.court3, 1, 9))],
    )
    txns_before = LedgerTransaction.objects.count()
    results = race(
        [
            lambda: booking_pay(user=resident, number=booking.number, method="stored_value")
            for _ in range(20)
        ]
    )
    oks = [v for kind, v in results if kind == "ok"]
    errors = [v for kind, v in results if kind == "error"]
    assert len(oks) == 1
    assert Counter(getattr(e, "code", type(e).__name__) for e in errors) == Counter(
        {"booking_already_paid": 19}
    )
    booking.refresh_from_db()
    assert booking.status == BookingStatus.CONFIRMED
    assert Payment.objects.filter(reference=booking.number).count() == 1
    assert LedgerTransaction.objects.count() == txns_before + 1
    debits = Entry.objects.filter(account__user=resident, amount_fen__lt=0)
    assert [e.amount_fen for e in debits] == [-4000]
    assert arena.balance(resident) == 6000


def test_fifty_clients_race_over_http_and_one_wins(arena, live_server):
    """The same race through the public API on a threaded server."""
    import httpx

    from tiyu.accounts.services import token_issue

    start = arena.slot(arena.court3, 2, 19)
    tokens = [token_issue(user=p)[0] for p in residents(CLIENTS)]
    body = {
        "venue_id": arena.venue.pk,
        "slots": [{"court_id": arena.court3.pk, "starts_at": start.isoformat()}],
    }

    def post(token: str) -> Callable[[], httpx.Response]:
        # The test server's listen backlog is small: 50 simultaneous connects can be
        # reset. A real client retries with its Idempotency-Key, which makes a retry
        # of a request that did get through return the first answer, never a second hold.
        headers = {"Authorization": f"Bearer {token}", "Idempotency-Key": f"race-{token[:12]}"}

        def call() -> httpx.Response:
            transport = httpx.HTTPTransport(retries=5)
            with httpx.Client(
                base_url=live_server.url, timeout=JOIN_TIMEOUT_S, transport=transport
            ) as client:
                for attempt in range(5):
                    try:
                        return client.post("/api/v1/bookings", json=body, headers=headers)
                    except httpx.TransportError:
                        if attempt == 4:
                            raise
                        time.sleep(0.05 * (attempt + 1))
                raise AssertionError("unreachable")

        return call

    results = race([post(t) for t in tokens])
    assert all(kind == "ok" for kind, _v in results), [v for k, v in results if k != "ok"]
    answers = Counter((r.status_code, r.json().get("code")) for _k, r in results)
    assert answers == Counter({(201, None): 1, (409, "slot_taken"): CLIENTS - 1}), answers
    booking = Booking.objects.get()
    assert set(Occupancy.objects.values_list("slot__booking_id", flat=True)) == {booking.pk}
