"""Ingest benchmark: signed gate-event batches over HTTP and MQTT, then an audit.

``uv run python bench/ingest.py`` (PostgreSQL, a few minutes), ``--quick`` (under a
minute), ``--sqlite`` (the embedded default).

1. A child migrates a scratch database and registers 500 gates at 100 venues in
   8 districts through the services.
2. HTTP: batches of 1,000 gate events, each batch from one device, 10% of each
   batch resent from that device's earlier batches, times shuffled (out of order),
   posted signed to ``tiyu serve`` by several clients at once.
3. MQTT: the same kind of batches published to the broker for a running
   ``tiyu mqtt`` bridge; done when every batch's result has come back down.
4. db_limit: a plain ``executemany`` insert-or-ignore of the same shape of rows
   into the same raw table, in 1,000-row transactions (then removed again).
5. Audit: raw events equal the distinct events sent (lost, double_counted), and
   the rollups equal a recount from raw at every level.

Prints ``{"bench": "ingest", "http_events_per_s", "mqtt_events_per_s",
"db_limit_rows_per_s", "ratio", "lost", "double_counted", "rollup_lag_s", ...}``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import socket
import sys
import threading
import time
import uuid
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.harness import Harness, django_setup, free_port

DEVICES = 500
VENUES = 100
BATCH = 1000
DUP_SHARE = 0.10
SH = ZoneInfo("Asia/Shanghai")
DISTRICTS = [  # code, name, centre
    ("510104", "锦江区", 30.6006, 104.1145),
    ("510107", "武侯区", 30.6444, 104.0408),
    ("510108", "成华区", 30.6624, 104.0990),
    ("510116", "双流区", 30.5772, 103.9215),
    ("510302", "自流井区", 29.3403, 104.7745),
    ("500103", "渝中区", 29.5556, 106.5652),
    ("500106", "沙坪坝区", 29.5437, 106.4529),
    ("500112", "渝北区", 29.7181, 106.6316),
]
PARENTS = [
    ("000000", "中华人民共和国"),
    ("510000", "四川省"),
    ("510100", "成都市"),
    ("510300", "自贡市"),
    ("500000", "重庆市"),
    ("500100", "重庆市"),
]


def harness(sqlite: bool) -> Harness:
    return Harness("ingest-sqlite" if sqlite else "ingest", sqlite=sqlite)


def seed_file(h: Harness) -> Path:
    return h.data_dir / "seed.json"


# --- children (Django) ---------------------------------------------------------------


def seed() -> dict[str, Any]:
    """Migrate; regions, venues and gates through the services."""
    django_setup()
    from django.core.management import call_command

    from tiyu.accounts.models import Role
    from tiyu.accounts.services import membership_grant, user_create
    from tiyu.devices.services import device_register
    from tiyu.regions.loader import RegionRow, load_regions
    from tiyu.venues.services import VenueData, venue_create

    call_command("migrate", interactive=False, verbosity=0)
    load_regions(
        [RegionRow(c, n, 30.6, 104.0) for c, n in PARENTS]
        + [RegionRow(c, n, lat, lng) for c, n, lat, lng in DISTRICTS]
    )
    admin = user_create(username="bench-admin", password="bench-admin-2026")
    membership_grant(user=admin, role=Role.PLATFORM_ADMIN)
    venues = []
    for v in range(VENUES):
        code, _name, lat, lng = DISTRICTS[v % len(DISTRICTS)]
        data = VenueData(
            name=f"压测场馆{v}",
            kind="gymnasium",
            region_code=code,
            address=f"压测路{v}号",
            lat=lat + v / 100000,
            lng=lng,
            sport_codes=["badminton"],
        )
        venues.append(venue_create(actor=admin, data=data))
    devices = []
    for d in range(DEVICES):
        venue = venues[d % VENUES]
        device, secret = device_register(
            actor=admin, venue_id=venue.pk, kind="gate", name=f"闸机{d}"
        )
        devices.append({"id": device.pk, "secret": secret})
    return {"devices": devices}


def db_limit(rows: int) -> dict[str, Any]:
    """Plain executemany insert-or-ignore into the raw table; rows/s, then clean up."""
    django_setup()
    from django.db import connection, transaction

    now = datetime.now(SH)
    adapt = connection.ops.adapt_datetimefield_value
    data = [
        [
            1 + i % VENUES,
            10**12 + i % DEVICES,
            f"lim{i}",
            adapt(now - timedelta(seconds=i)),
            adapt(now),
            "in",
            "face",
            f"p{i % 5000}",
        ]
        for i in range(rows)
    ]
    sql = (
        "INSERT INTO traffic_gateevent (venue_id, device_id, message_id, occurred_at, "
        "received_at, direction, method, person_key) VALUES (%s,%s,%s,%s,%s,%s,%s,%s) "
        "ON CONFLICT DO NOTHING"
    )
    started = time.perf_counter()
    with connection.cursor() as cursor:
        for i in range(0, rows, BATCH):
            with transaction.atomic():
                cursor.executemany(sql, data[i : i + BATCH])
    elapsed = time.perf_counter() - started
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM traffic_gateevent WHERE device_id >= %s", [10**12])
    return {"rows_per_s": rows / elapsed}


def audit(expected: int, expected_in: int) -> dict[str, Any]:
    """Raw events against what was sent; rollups against a recount at every level."""
    django_setup()
    from django.db.models import Sum

    from tiyu.traffic import recount
    from tiyu.traffic.models import GateEvent, Grain, TrafficRollup

    raw = GateEvent.objects.count()
    lo = datetime.now(SH).replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    lo = (lo - timedelta(days=1)).replace(day=1)
    hi = datetime.now(SH) + timedelta(days=40)
    stored = recount.stored(lo, hi)
    equal = stored == recount.rollups(lo, hi)
    nation = (
        TrafficRollup.objects.filter(grain=Grain.DAY, subject="r000000").aggregate(
            e=Sum("entries")
        )["e"]
        or 0
    )
    return {
        "raw": raw,
        "lost": max(0, expected - raw),
        "double_counted": max(0, raw - expected) + abs(nation - expected_in),
        "rollup_equals_recount": equal,
        "rollup_rows": len(stored),
    }


# --- the parent: traffic generation and clients ---------------------------------------


class Events:
    """Batches per device with fresh messages, resends of earlier ones, shuffled times."""

    def __init__(self, devices: list[dict[str, Any]], seed: int) -> None:
        self.devices = devices
        self.rng = random.Random(seed)
        self.sent: dict[int, list[dict[str, Any]]] = {d["id"]: [] for d in devices}
        self.unique = 0
        self.unique_in = 0
        self.now = datetime.now(SH).replace(microsecond=0)

    def batch(self, device: dict[str, Any], tag: str) -> list[dict[str, Any]]:
        history = self.sent[device["id"]]
        dups = min(len(history), int(BATCH * DUP_SHARE))
        fresh = BATCH - dups
        out = self.rng.sample(history, dups) if dups else []
        for _ in range(fresh):
            direction = "in" if self.rng.random() < 0.6 else "out"
            m = {
                "id": f"{tag}-{uuid.uuid4().hex[:16]}",
                "type": "gate",
                "at": (self.now - timedelta(seconds=self.rng.randint(0, 47 * 3600))).isoformat(),
                "direction": direction,
                "method": "face",
                "person": f"h{self.rng.randint(0, 20000)}",
            }
            out.append(m)
            history.append(m)
            self.unique += 1
            self.unique_in += direction == "in"
        self.rng.shuffle(out)  # out of order within the batch too
        return out

    def plan(self, batches: int, tag: str) -> list[tuple[dict[str, Any], list[dict[str, Any]]]]:
        """``batches`` batches; devices are reused so later batches carry resends."""
        per = max(1, batches // 4)
        chosen = self.rng.sample(self.devices, min(per, len(self.devices)))
        return [
            (chosen[i % len(chosen)], self.batch(chosen[i % len(chosen)], tag))
            for i in range(batches)
        ]


async def http_phase(base: str, plan: list[Any], clients: int) -> tuple[float, int, dict]:
    import httpx

    from tiyu.devices.client import http_request

    queue: asyncio.Queue[Any] = asyncio.Queue()
    for item in plan:
        queue.put_nowait(item)
    errors: dict[str, int] = {}
    events = 0

    async def worker(http: httpx.AsyncClient) -> None:
        nonlocal events
        while not queue.empty():
            device, batch = queue.get_nowait()
            headers, body = http_request(device["id"], device["secret"], batch)
            r = await http.post("/api/v1/devices/messages", content=body, headers=headers)
            if r.status_code != 200 or r.json()["rejected"]:
                key = str(r.status_code) + (r.text[:80] if r.status_code != 200 else "rejected")
                errors[key] = errors.get(key, 0) + 1
            else:
                events += len(batch)

    started = time.perf_counter()
    limits = httpx.Limits(max_connections=clients)
    async with httpx.AsyncClient(base_url=base, limits=limits, timeout=120) as http:
        await asyncio.gather(*(worker(http) for _ in range(clients)))
    return time.perf_counter() - started, events, errors


def mqtt_phase(plan: list[Any]) -> tuple[float, float, int, dict[str, int]]:
    """Publish every batch, wait for every result; (elapsed, lag after last publish, events)."""
    import paho.mqtt.client as mqtt

    from tiyu.devices.client import UP_TOPIC, mqtt_payload

    done = threading.Event()
    results: list[dict[str, Any]] = []
    lock = threading.Lock()
    client = mqtt.Client(
        mqtt.CallbackAPIVersion.VERSION2, client_id=f"bench-{uuid.uuid4().hex[:6]}"
    )

    def on_message(_c: Any, _u: Any, msg: Any) -> None:
        env = json.loads(msg.payload)
        for m in json.loads(env["body"])["messages"]:
            if m.get("type") == "result":
                with lock:
                    results.append(m)
                    if len(results) >= len(plan):
                        done.set()

    subscribed = threading.Event()
    client.on_message = on_message
    client.on_subscribe = lambda *_a: subscribed.set()
    client.max_inflight_messages_set(100)
    client.connect("127.0.0.1", 1883)
    client.loop_start()
    client.subscribe("tiyu/v1/d/+/down", qos=1)
    subscribed.wait(10)
    started = time.perf_counter()
    infos = [
        client.publish(UP_TOPIC.format(device_id=d["id"]), mqtt_payload(d["secret"], b), qos=1)
        for d, b in plan
    ]
    for info in infos:
        info.wait_for_publish(60)
    published = time.perf_counter()
    done.wait(300)
    finished = time.perf_counter()
    client.loop_stop()
    client.disconnect()
    errors: dict[str, int] = {}
    events = 0
    for r in results:
        if not r.get("ok") or r.get("rejected"):
            key = r.get("code") or "rejected"
            errors[key] = errors.get(key, 0) + 1
        else:
            events += r["accepted"] + r["duplicates"]
    if len(results) < len(plan):
        errors["no_result"] = len(plan) - len(results)
    return finished - started, finished - published, events, errors


def wait_for_line(log: Path, line: str, proc: Any, seconds: float = 120) -> None:
    """Until ``line`` appears in ``log``: a new session misses what is published before."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if log.exists() and line in log.read_text(errors="replace"):
            return
        if proc.poll() is not None:
            raise SystemExit(f"bridge exited: {log.read_text()[-2000:]}")
        time.sleep(0.1)
    raise SystemExit("bridge did not connect")


def broker_up() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 1883), timeout=1):
            return True
    except OSError:
        return False


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="under a minute")
    parser.add_argument("--sqlite", action="store_true", help="the embedded default database")
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--workers", type=int, default=int(os.environ.get("WEB_WORKERS", "2")))
    parser.add_argument("--batches", type=int, help="HTTP batches (MQTT sends half as many)")
    parser.add_argument("--keep", action="store_true")
    parser.add_argument("--child", choices=["seed", "limit", "audit"], help=argparse.SUPPRESS)
    parser.add_argument("--n", type=int, default=0, help=argparse.SUPPRESS)
    parser.add_argument("--n-in", type=int, default=0, help=argparse.SUPPRESS)
    args = parser.parse_args()
    h = harness(args.sqlite)
    if args.child == "seed":
        seed_file(h).write_text(json.dumps(seed()))
        print(json.dumps({"ok": True}))
        return
    if args.child == "limit":
        print(json.dumps(db_limit(args.n)))
        return
    if args.child == "audit":
        print(json.dumps(audit(args.n, args.n_in)))
        return

    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tiyu.config.settings")
    batches = args.batches or (24 if args.quick else 120)
    h.reset_database()
    try:
        h.run_child(__file__, "seed", *(["--sqlite"] if args.sqlite else []))
        devices = json.loads(seed_file(h).read_text())["devices"]
        events = Events(devices, seed=7)
        http_plan = events.plan(batches, "h")
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        server = h.start_server(port, args.workers)
        try:
            asyncio.run(h.wait_ready(base, server))
            warm = Events(devices, seed=8)
            asyncio.run(http_phase(base, warm.plan(2, "w"), 2))  # imports, connections
            events.unique += warm.unique
            events.unique_in += warm.unique_in
            http_s, http_events, http_errors = asyncio.run(
                http_phase(base, http_plan, args.clients)
            )
        finally:
            h.stop(server)
        mqtt_s = mqtt_lag = 0.0
        mqtt_events, mqtt_errors = 0, {"no_broker": 1}
        if broker_up():
            bridge = h.start(
                ["mqtt", "--client-id", f"tiyu-bench-{uuid.uuid4().hex[:6]}"], "mqtt.log"
            )
            try:
                wait_for_line(h.data_dir / "mqtt.log", "mqtt bridge connected", bridge)
                mqtt_plan = events.plan(max(2, batches // 2), "q")
                mqtt_s, mqtt_lag, mqtt_events, mqtt_errors = mqtt_phase(mqtt_plan)
            finally:
                h.stop(bridge)
        limit_rows = 20_000 if args.quick else 100_000
        sql_flag = ["--sqlite"] if args.sqlite else []
        limit = h.run_child(__file__, "limit", "--n", str(limit_rows), *sql_flag)
        checked = h.run_child(
            __file__, "audit", "--n", str(events.unique), "--n-in", str(events.unique_in), *sql_flag
        )
    finally:
        if not args.keep:
            h.drop_database()
    http_rate = http_events / http_s if http_s else 0.0
    out = {
        "bench": "ingest",
        "database": "sqlite" if args.sqlite else "postgresql",
        "workers": args.workers,
        "clients": args.clients,
        "devices": len(devices),
        "batch": BATCH,
        "http_batches": len(http_plan),
        "http_events_per_s": round(http_rate, 1),
        "mqtt_events_per_s": round(mqtt_events / mqtt_s, 1) if mqtt_s else None,
        "db_limit_rows_per_s": round(limit["rows_per_s"], 1),
        "ratio": round(http_rate / limit["rows_per_s"], 3),
        "lost": checked["lost"],
        "double_counted": checked["double_counted"],
        "rollup_equals_recount": checked["rollup_equals_recount"],
        "rollup_lag_s": round(mqtt_lag, 3),
        "errors": {**http_errors, **{f"mqtt:{k}": v for k, v in mqtt_errors.items()}},
    }
    sys.stderr.write(f"audit: {checked}\n")
    print(json.dumps(out))


if __name__ == "__main__":
    main()
