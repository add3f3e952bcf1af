"""Rollup arithmetic: which rows a passage adds to, and one upsert that adds it.

A passage at a venue adds to the venue's hour, day and month rows and to the same
three rows of every region above the venue (district, city, province, nation).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import lru_cache
from typing import Any

from django.db import connection
from django.utils import timezone

from tiyu.regions.models import Region
from tiyu.traffic.models import Grain, TrafficRollup
from tiyu.venues.models import Venue

Key = tuple[str, str, datetime]  # (grain, subject, period)


def local_tz():  # type: ignore[no-untyped-def]
    return timezone.get_default_timezone()


def hour_start(at: datetime) -> datetime:
    """The local hour ``at`` falls in, as an aware datetime."""
    return at.astimezone(local_tz()).replace(minute=0, second=0, microsecond=0)


def day_start(day: date) -> datetime:
    """Local midnight at the start of ``day``."""
    return datetime(day.year, day.month, day.day, tzinfo=local_tz())


def month_start(day: date) -> datetime:
    """Local midnight on the first of ``day``'s month."""
    return datetime(day.year, day.month, 1, tzinfo=local_tz())


def local_day(at: datetime) -> date:
    """The local calendar day of an instant."""
    return at.astimezone(local_tz()).date()


@lru_cache(maxsize=8192)
def region_chain(code: str) -> tuple[str, ...]:
    """``code`` and every region above it, nearest first (GB/T 2260 codes never move)."""
    chain: list[str] = []
    current: str | None = code
    while current:
        chain.append(current)
        current = Region.objects.filter(code=current).values_list("parent_id", flat=True).first()
    return tuple(chain)


def venue_regions(venue_ids: Iterable[int]) -> dict[int, str]:
    """Each venue's region code, read in one query (a venue may be moved; codes may not)."""
    ids = sorted(set(venue_ids))
    return dict(Venue.objects.filter(pk__in=ids).values_list("pk", "region_id"))


@dataclass
class Row:
    """What one rollup row gains."""

    region_code: str
    venue_id: int | None
    entries: int = 0
    exits: int = 0
    visitors: int = 0


@dataclass
class Deltas:
    """Additions to rollup rows, summed per row before one upsert."""

    rows: dict[Key, Row] = field(default_factory=dict)

    def _add(self, venue_id: int, region: str, grain: str, period: datetime, **n: int) -> None:
        subjects: list[tuple[str, str, int | None]] = [(f"v{venue_id}", region, venue_id)]
        subjects += [(f"r{code}", code, None) for code in region_chain(region)]
        for subject, code, vid in subjects:
            row = self.rows.get((grain, subject, period))
            if row is None:
                row = self.rows[(grain, subject, period)] = Row(code, vid)
            row.entries += n.get("entries", 0)
            row.exits += n.get("exits", 0)
            row.visitors += n.get("visitors", 0)

    def add_hour(
        self, venue_id: int, region: str, hour: datetime, entries: int, exits: int
    ) -> None:
        """Passages of one local hour (``hour`` is its start) at a venue."""
        day = local_day(hour)
        for grain, period in (
            (Grain.HOUR, hour),
            (Grain.DAY, day_start(day)),
            (Grain.MONTH, month_start(day)),
        ):
            self._add(venue_id, region, grain, period, entries=entries, exits=exits)

    def add_visitors(self, venue_id: int, region: str, day: date, n: int = 1) -> None:
        """``n`` more unique visitors of ``venue_id`` on ``day``."""
        self._add(venue_id, region, Grain.DAY, day_start(day), visitors=n)
        self._add(venue_id, region, Grain.MONTH, month_start(day), visitors=n)


UPSERT_CHUNK = 500


def upsert(deltas: Deltas) -> None:
    """Add ``deltas`` to the rollup table, in key order so concurrent batches never deadlock."""
    table = TrafficRollup._meta.db_table
    adapt = connection.ops.adapt_datetimefield_value
    keys = sorted(deltas.rows, key=lambda k: (k[0], k[1], k[2].timestamp()))
    with connection.cursor() as cursor:
        for i in range(0, len(keys), UPSERT_CHUNK):
            chunk = keys[i : i + UPSERT_CHUNK]
            params: list[Any] = []
            for grain, subject, period in chunk:
                r = deltas.rows[(grain, subject, period)]
                params += [grain, subject, r.region_code, r.venue_id, adapt(period)]
                params += [r.entries, r.exits, r.visitors]
            values = ",".join(["(%s,%s,%s,%s,%s,%s,%s,%s)"] * len(chunk))
            cursor.execute(
                f"INSERT INTO {table} (grain, subject, region_code, venue_id, period, entries,"
                f" exits, visitors) VALUES {values} ON CONFLICT (grain, subject, period) DO UPDATE"
                f" SET entries = {table}.entries + excluded.entries,"
                f" exits = {table}.exits + excluded.exits,"
                f" visitors = {table}.visitors + excluded.visitors",
                params,
            )
