"""Booking benchmark: concurrent residents hold and pay court slots over HTTP, then an audit.

``uv run python bench/booking.py`` (about 2–3 minutes) or ``--quick`` (under a minute).

The app runs with its production settings (DEBUG off, a secret key) on PostgreSQL
(``DATABASE_URL``, default ``postgres://postgres@127.0.0.1:5432/tiyu_bench_booking``,
dropped and created here) behind granian, started by ``tiyu serve`` itself. The
only difference is ``ROOT_URLCONF = "bench.booking_floor"``: the app's URLs plus
the benchmark's floor endpoint (see that module).

1. Seed through the services: venues with a hall and its two parts plus
   30-minute courts, hours, prices, a generous booking policy, residents with a
   funded stored-value card and an API token each.
2. Floor: every client POSTs ``/bench/floor`` (bearer auth + one INSERT) for a
   while; ``floor_per_s`` is its rate.
3. Bookings: every client books random free slots, one booking at a time:
   ``POST /api/v1/bookings`` (hold) then ``POST /api/v1/bookings/{n}/pay`` with
   stored value (confirms). A hall slot may meet a part already sold: 409
   ``slot_taken`` is counted, not an error. ``p50_ms``/``p99_ms`` are per booking
   (hold + pay); ``ratio`` = ``bookings_per_s / floor_per_s``.
4. Hot case: all clients fight for the same 10 slots until each is sold.
5. Audit from the rows: ``double_bookings`` = (leaf court, 30-minute unit) pairs
   claimed by more than one live slot, recomputed from BookingSlot rows and the
   court tree (not from the occupancy table), and the ledger (every transaction
   sums to zero, balances are their entries' sums, none negative).

Prints one JSON line.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.harness import Harness, django_setup, free_port, local_redis, percentile

HARNESS = Harness("booking", settings="bench.booking_floor_settings")
DATA_DIR = HARNESS.data_dir
SEED_FILE = DATA_DIR / "seed.json"
SEED = 2026
HOT_SLOTS = 10
VENUES = 12  # the default run; --quick seeds 4
PLAIN_COURTS = 7  # per venue, besides the hall and its two parts
DAYS = range(1, 7)  # tomorrow .. six days ahead: always inside the booking window
PRICE_FEN = 1000
FUND_FEN = 500_000


# --- child: seed ---------------------------------------------------------------------


def seed(clients: int, venues: int, residents: int) -> dict[str, Any]:
    """Migrate, then seed venues, courts, prices and funded residents through the services."""
    django_setup()
    from datetime import time as dtime
    from datetime import timedelta

    from django.core.management import call_command
    from django.db import connection
    from django.utils import timezone

    from bench.booking_floor import FLOOR_TABLE_SQL
    from tiyu.accounts.models import Role
    from tiyu.accounts.services import membership_grant, token_issue, user_create
    from tiyu.booking.desk import policy_update
    from tiyu.booking.timegrid import local_dt
    from tiyu.payments.services import topup_cash
    from tiyu.regions.loader import RegionRow, load_regions
    from tiyu.venues.services import (
        PriceRuleData,
        VenueData,
        court_save,
        opening_hours_set,
        price_rule_save,
        venue_create,
    )

    started = time.perf_counter()
    call_command("migrate", interactive=False, verbosity=0)
    sys.stderr.write(f"migrated in {time.perf_counter() - started:.1f}s\n")
    with connection.cursor() as cursor:
        cursor.execute(FLOOR_TABLE_SQL)
    load_regions(
        [
            RegionRow("000000", "中华人民共和国", 35.86, 104.19),
            RegionRow("510000", "四川省", 30.65, 104.07),
            RegionRow("510100", "成都市", 30.57, 104.06),
            RegionRow("510107", "武侯区", 30.64, 104.04),
        ]
    )
    admin = user_create(username="bench-admin", password="bench-admin-2026")
    membership_grant(user=admin, role=Role.PLATFORM_ADMIN)
    today = timezone.localdate()
    slots: list[dict[str, Any]] = []  # every bookable slot: venue, court, start
    for v in range(venues):
        venue = venue_create(
            actor=admin,
            data=VenueData(
                name=f"压测场馆{v}",
                kind="gymnasium",
                region_code="510107",
                address=f"压测路{v}号",
                lat=30.64 + v / 1000,
                lng=104.04,
                sport_codes=["badminton"],
            ),
        )
        opening_hours_set(
            actor=admin,
            venue_id=venue.pk,
            periods=[(d, dtime(8), dtime(22)) for d in range(7)],
        )
        policy_update(
            actor=admin,
            venue_id=venue.pk,
            values={"max_active_bookings": 50, "max_hours_per_day": 24},
        )
        hall = court_save(
            actor=admin, venue_id=venue.pk, name="主馆", sport_codes=["badminton"], slot_minutes=60
        )
        courts = [(hall, 60)]
        for p in (1, 2):
            part = court_save(
                actor=admin,
                venue_id=venue.pk,
                name=f"分场{p}",
                sport_codes=["badminton"],
                parent_id=hall.pk,
                slot_minutes=60,
            )
            courts.append((part, 60))
        for c in range(PLAIN_COURTS):
            court = court_save(
                actor=admin,
                venue_id=venue.pk,
                name=f"{c + 1}号场",
                sport_codes=["badminton"],
                slot_minutes=30,
            )
            courts.append((court, 30))
        for court, minutes in courts:
            price_rule_save(
                actor=admin,
                venue_id=venue.pk,
                court_id=court.pk,
                data=PriceRuleData(starts=dtime(8), ends=dtime(22), price_fen=PRICE_FEN),
            )
            for d in DAYS:
                day = today + timedelta(days=d)
                at = local_dt(day, dtime(8))
                end = local_dt(day, dtime(22))
                while at < end:
                    slots.append(
                        {
                            "venue_id": venue.pk,
                            "court_id": court.pk,
                            "starts_at": at.isoformat(),
                            "plain": minutes == 30,
                        }
                    )
                    at += timedelta(minutes=minutes)
    tokens = []
    for i in range(residents):
        user = user_create(username=f"bench-r{i}", password="bench-resident-2026")
        topup_cash(user=user, venue=venue, amount_fen=FUND_FEN, actor=admin)
        tokens.append(token_issue(user=user)[0])
    rng = random.Random(SEED)
    rng.shuffle(slots)
    hot = [s for s in slots if s["plain"]][:HOT_SLOTS]
    hot_keys = {(s["court_id"], s["starts_at"]) for s in hot}
    pool = [s for s in slots if (s["court_id"], s["starts_at"]) not in hot_keys]
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")
    return {"tokens": tokens, "pool": pool, "hot": hot}


# --- child: audit ---------------------------------------------------------------------


def audit() -> dict[str, Any]:
    """Double bookings recomputed from slots and the court tree; the ledger's sums."""
    django_setup()
    from collections import Counter

    from django.db import connection
    from django.db.models import Q
    from django.utils import timezone

    from tiyu.booking.models import BookingSlot, BookingStatus, SlotStatus
    from tiyu.booking.timegrid import CourtTree
    from tiyu.payments.models import Payment, PaymentStatus, Purpose
    from tiyu.venues.models import Court
    from tiyu.wallet.models import OUTSIDE_KINDS, POOLED_KINDS

    now = timezone.now()
    tree = CourtTree(Court.objects.all())
    live = BookingSlot.objects.filter(
        Q(status__in=(SlotStatus.CONFIRMED, SlotStatus.CHECKED_IN))
        | Q(
            status=SlotStatus.HELD,
            booking__status=BookingStatus.HELD,
            booking__hold_expires_at__gt=now,
        )
    ).values_list("court_id", "starts_at", "ends_at")
    claims: Counter = Counter()
    for court_id, starts_at, ends_at in live.iterator():
        for unit in tree.units(court_id, starts_at, ends_at):
            claims[unit] += 1
    double = sum(1 for n in claims.values() if n > 1)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM (SELECT transaction_id FROM wallet_entry "
            "GROUP BY transaction_id HAVING sum(amount_fen) <> 0) t"
        )
        unbalanced = cursor.fetchone()[0]
        cursor.execute(
            "SELECT count(*) FROM wallet_account a LEFT JOIN (SELECT account_id, "
            "sum(amount_fen) s FROM wallet_entry GROUP BY account_id) e ON e.account_id = a.id "
            "WHERE a.balance_fen <> CASE WHEN a.kind = ANY(%s) THEN 0 ELSE coalesce(e.s, 0) END",
            [[str(k) for k in POOLED_KINDS]],
        )
        mismatched = cursor.fetchone()[0]  # personal caches = entries, pooled caches 0
        cursor.execute(
            "SELECT count(*) FROM wallet_account a LEFT JOIN (SELECT account_id, "
            "sum(amount_fen) s FROM wallet_entry GROUP BY account_id) e ON e.account_id = a.id "
            "WHERE coalesce(e.s, 0) < 0 AND NOT a.kind = ANY(%s)",
            [[str(k) for k in OUTSIDE_KINDS]],
        )
        negative = cursor.fetchone()[0]
    confirmed = BookingSlot.objects.filter(
        booking__status=BookingStatus.CONFIRMED, status=SlotStatus.CONFIRMED
    ).count()
    payments = Payment.objects.filter(
        purpose=Purpose.BOOKING, status=PaymentStatus.SUCCEEDED
    ).count()
    return {
        "double_bookings": double,
        "live_units": len(claims),
        "confirmed_slots": confirmed,
        "booking_payments": payments,
        "ledger_unbalanced": unbalanced,
        "ledger_mismatched": mismatched,
        "ledger_negative": negative,
    }


# --- parent: server and load ----------------------------------------------------------


class Stats:
    """Counts and latencies of one phase."""

    def __init__(self) -> None:
        self.ok = 0
        self.taken = 0
        self.errors: dict[str, int] = {}
        self.latencies: list[float] = []

    def error(self, what: str) -> None:
        self.errors[what] = self.errors.get(what, 0) + 1


async def floor_phase(base: str, tokens: list[str], clients: int, seconds: float) -> Stats:
    import httpx

    stats = Stats()
    deadline = time.perf_counter() + seconds

    async def client_loop(i: int, http: httpx.AsyncClient) -> None:
        headers = {"Authorization": f"Bearer {tokens[i % len(tokens)]}"}
        while time.perf_counter() < deadline:
            t0 = time.perf_counter()
            r = await http.post("/bench/floor", headers=headers)
            if r.status_code == 201:
                stats.ok += 1
                stats.latencies.append((time.perf_counter() - t0) * 1000)
            else:
                stats.error(f"floor {r.status_code}")

    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    async with httpx.AsyncClient(base_url=base, limits=limits, timeout=60) as http:
        await asyncio.gather(*(client_loop(i, http) for i in range(clients)))
    return stats


async def book(http: Any, token: str, slot: dict[str, Any], stats: Stats) -> bool:
    """Hold then pay one slot; True when confirmed, False when taken."""
    headers = {"Authorization": f"Bearer {token}"}
    t0 = time.perf_counter()
    body = {
        "venue_id": slot["venue_id"],
        "slots": [{"court_id": slot["court_id"], "starts_at": slot["starts_at"]}],
    }
    r = await http.post("/api/v1/bookings", json=body, headers=headers)
    if r.status_code == 409 and r.json().get("code") == "slot_taken":
        stats.taken += 1
        return False
    if r.status_code != 201:
        stats.error(f"hold {r.status_code} {r.text[:80]}")
        return False
    number = r.json()["number"]
    r = await http.post(
        f"/api/v1/bookings/{number}/pay", json={"method": "stored_value"}, headers=headers
    )
    if r.status_code != 200 or r.json()["booking"]["status"] != "confirmed":
        stats.error(f"pay {r.status_code} {r.text[:80]}")
        return False
    stats.ok += 1
    stats.latencies.append((time.perf_counter() - t0) * 1000)
    return True


async def booking_phase(
    base: str, tokens: list[str], pool: list[dict[str, Any]], clients: int, seconds: float
) -> Stats:
    import httpx

    stats = Stats()
    deadline = time.perf_counter() + seconds
    queue = list(pool)

    async def client_loop(i: int, http: httpx.AsyncClient) -> None:
        mine = tokens[i::clients]  # each client books as its own residents, in turn
        n = 0
        while time.perf_counter() < deadline and queue:
            await book(http, mine[n % len(mine)], queue.pop(), stats)
            n += 1

    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    async with httpx.AsyncClient(base_url=base, limits=limits, timeout=60) as http:
        await asyncio.gather(*(client_loop(i, http) for i in range(clients)))
    if not queue:
        stats.error("pool exhausted")
    return stats


async def hot_phase(
    base: str, tokens: list[str], hot: list[dict[str, Any]], clients: int
) -> tuple[Stats, float]:
    """Every client tries the 10 hot slots in its own random order until all are sold."""
    import httpx

    stats = Stats()
    started = time.perf_counter()

    async def client_loop(i: int, http: httpx.AsyncClient) -> None:
        order = list(hot)
        random.Random(i).shuffle(order)
        for slot in order:
            await book(http, tokens[i % len(tokens)], slot, stats)

    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    async with httpx.AsyncClient(base_url=base, limits=limits, timeout=60) as http:
        await asyncio.gather(*(client_loop(i, http) for i in range(clients)))
    return stats, time.perf_counter() - started


def main() -> None:
    """Parse arguments; run the whole benchmark, or one child step."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="short phases (under a minute)")
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--workers", type=int, default=int(os.environ.get("WEB_WORKERS", "2")))
    parser.add_argument("--seconds", type=float, help="length of the booking phase")
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    parser.add_argument("--venues", type=int, help="venues to seed (4 quick, 12 default)")
    parser.add_argument("--child", choices=["seed", "audit"], help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child == "seed":
        data = seed(args.clients, args.venues, args.clients * (1 if args.quick else 2))
        SEED_FILE.write_text(json.dumps(data))
        print(json.dumps({"slots": len(data["pool"])}))
        return
    if args.child == "audit":
        print(json.dumps(audit()))
        return

    floor_s = 5.0 if args.quick else 30.0
    booking_s = args.seconds or (10.0 if args.quick else 60.0)
    venues = args.venues or (4 if args.quick else VENUES)
    seed_args = ["--clients", str(args.clients), "--venues", str(venues)]
    if args.quick:
        seed_args.append("--quick")
    HARNESS.reset_database()
    try:
        t0 = time.perf_counter()
        HARNESS.run_child(__file__, "seed", *seed_args)
        data = json.loads(SEED_FILE.read_text())
        sys.stderr.write(f"seeded {len(data['pool'])} slots in {time.perf_counter() - t0:.1f}s\n")
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        server = HARNESS.start_server(port, args.workers)
        try:
            asyncio.run(HARNESS.wait_ready(base, server))
            tokens = data["tokens"]
            # Warm every worker's imports and connections on both paths.
            asyncio.run(floor_phase(base, tokens, args.clients, 1.0))
            asyncio.run(booking_phase(base, tokens, data["pool"][-200:], args.clients, 1.0))
            floor = asyncio.run(floor_phase(base, tokens, args.clients, floor_s))
            books = asyncio.run(
                booking_phase(base, tokens, data["pool"][:-200], args.clients, booking_s)
            )
            hot, hot_s = asyncio.run(hot_phase(base, tokens, data["hot"], args.clients))
        finally:
            HARNESS.stop(server)
        checked = HARNESS.run_child(__file__, "audit")
    finally:
        if not args.keep:
            HARNESS.drop_database()
    floor_per_s = floor.ok / floor_s
    bookings_per_s = books.ok / booking_s
    out = {
        "bench": "booking",
        "clients": args.clients,
        "workers": args.workers,
        "jobs": "redis" if local_redis() else "sqlite",
        "bookings": books.ok,
        "bookings_per_s": round(bookings_per_s, 1),
        "p50_ms": round(percentile(books.latencies, 50), 1),
        "p99_ms": round(percentile(books.latencies, 99), 1),
        "taken": books.taken,
        "errors": sum(books.errors.values()) + sum(floor.errors.values()),
        "double_bookings": checked["double_bookings"],
        "ledger_ok": not (
            checked["ledger_unbalanced"]
            or checked["ledger_mismatched"]
            or checked["ledger_negative"]
        ),
        "floor_per_s": round(floor_per_s, 1),
        "floor_p50_ms": round(percentile(floor.latencies, 50), 1),
        "floor_p99_ms": round(percentile(floor.latencies, 99), 1),
        "ratio": round(bookings_per_s / floor_per_s, 3) if floor_per_s else None,
        "hot_slots": HOT_SLOTS,
        "hot_bookings": hot.ok,
        "hot_taken": hot.taken,
        "hot_errors": sum(hot.errors.values()),
        "hot_s": round(hot_s, 2),
    }
    errors = {**floor.errors, **books.errors, **hot.errors}
    if errors:
        sys.stderr.write(f"errors: {errors}\n")
    sys.stderr.write(f"audit: {checked}\n")
    print(json.dumps(out))


if __name__ == "__main__":
    main()
