"""Write path of foot traffic: record gate events, rebuild rollups, prune old raw events."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tiyu.core.bulk import insert_new_rows
from tiyu.core.errors import validation_error
from tiyu.core.locking import lock_keys, share_keys
from tiyu.traffic import partitions, recount
from tiyu.traffic.events import Direction, GateEventIn
from tiyu.traffic.models import GateEvent, Grain, TrafficRollup, VisitorDay
from tiyu.traffic.rollup import Deltas, hour_start, local_day, month_start, upsert, venue_regions

log = logging.getLogger(__name__)
REBUILD_LOCK = ("traffic", ["rebuild"])


@dataclass(frozen=True)
class RecordResult:
    """How many of a batch's events were new and how many had been recorded before."""

    inserted: int
    duplicates: int


def _new_events(events: Sequence[GateEventIn], now: datetime) -> list[GateEventIn]:
    """Insert the raw events; the ones the database did not have before."""
    adapt = connection.ops.adapt_datetimefield_value
    by_id: dict[tuple[int, str], GateEventIn] = {}
    for e in events:
        by_id.setdefault((e.device_id, e.message_id), e)
    received = adapt(now)
    rows = [
        [
            e.venue_id,
            e.device_id,
            e.message_id,
            adapt(e.occurred_at),
            received,
            e.direction,
            e.method,
            e.person_key,
        ]
        # Key order: two batches resending the same messages then wait, never deadlock.
        for e in sorted(by_id.values(), key=lambda e: (e.device_id, e.message_id, e.occurred_at))
    ]
    returned = insert_new_rows(
        GateEvent._meta.db_table,
        [
            "venue_id",
            "device_id",
            "message_id",
            "occurred_at",
            "received_at",
            "direction",
            "method",
            "person_key",
        ],
        rows,
        "device_id, message_id, occurred_at",
        "device_id, message_id",
    )
    return [by_id[(int(d), m)] for d, m in returned]


def _new_visitors(entries: list[GateEventIn]) -> list[tuple[int, date]]:
    """Insert the visitor-days the entries make; (venue, day) of each one that is new."""
    adapt = connection.ops.adapt_datetimefield_value
    firsts: dict[tuple[int, date, str], datetime] = {}
    for e in entries:
        k = (e.venue_id, local_day(e.occurred_at), e.visitor_key)
        if k not in firsts or e.occurred_at < firsts[k]:
            firsts[k] = e.occurred_at
    rows = [
        [v, connection.ops.adapt_datefield_value(d), p, adapt(t)]
        for (v, d, p), t in sorted(firsts.items())  # key order, as for the raw rows
    ]
    returned = insert_new_rows(
        VisitorDay._meta.db_table,
        ["venue_id", "day", "person_key", "first_at"],
        rows,
        "venue_id, day, person_key",
        "venue_id, day",
    )
    return [
        (int(v), d if isinstance(d, date) else date.fromisoformat(str(d)[:10])) for v, d in returned
    ]


@transaction.atomic
def gate_events_record(
    events: Sequence[GateEventIn], *, now: datetime | None = None
) -> RecordResult:
    """Record a batch of gate events once each and add them to every rollup above them.

    Set-based: one insert-or-ignore for the raw events, one for the visitor-days
    they make, one sorted upsert into the rollups. An event seen before (same
    device, message id and time) adds nothing, so a device may resend freely.
    """
    now = now or timezone.now()
    if not events:
        return RecordResult(0, 0)
    share_keys(*REBUILD_LOCK)
    regions = venue_regions(e.venue_id for e in events)
    unknown = {e.venue_id for e in events} - regions.keys()
    if unknown:
        raise validation_error("venue_id", _("未知场馆。"), "venue_unknown")
    new = _new_events(events, now)
    deltas = Deltas()
    for e in new:
        entry = e.direction == Direction.IN
        deltas.add_hour(
            e.venue_id,
            regions[e.venue_id],
            hour_start(e.occurred_at),
            entries=int(entry),
            exits=int(not entry),
        )
    for venue_id, day in _new_visitors([e for e in new if e.direction == Direction.IN]):
        deltas.add_visitors(venue_id, regions[venue_id], day)
    upsert(deltas)
    return RecordResult(inserted=len(new), duplicates=len(events) - len(new))


def _whole_months(start: date, end: date) -> tuple[datetime, datetime]:
    """The instants bounding the months from ``start``'s to ``end``'s, inclusive."""
    first = month_start(start)
    last = month_start(end)
    after = month_start((last + timedelta(days=32)).date())
    return first, after


@transaction.atomic
def traffic_rebuild(*, start: date, end: date) -> recount.Counts:
    """Recompute visitor-days and every rollup of the months ``start``…``end`` from raw events.

    Whole months are rebuilt so month rows stay whole. Ingest waits while this
    runs (it takes the rebuild lock in shared mode). Returns the counts written.
    """
    if end < start:
        raise validation_error("to", _("结束日期早于开始日期。"), "range_reversed")
    lock_keys(*REBUILD_LOCK)
    lo, hi = _whole_months(start, end)
    VisitorDay.objects.filter(day__gte=lo.date(), day__lt=hi.date()).delete()
    TrafficRollup.objects.filter(period__gte=lo, period__lt=hi).delete()
    VisitorDay.objects.bulk_create(recount.visitor_days(lo, hi), batch_size=2000)
    counts = recount.rollups(lo, hi)
    TrafficRollup.objects.bulk_create(recount.as_rows(counts), batch_size=2000)
    log.info("traffic rebuilt %s..%s: %d rollup rows", lo.date(), hi.date(), len(counts))
    return counts


def traffic_prune(*, now: datetime | None = None) -> int:
    """Delete raw events older than ``TRAFFIC_RETENTION_DAYS``; the number removed. Rollups stay.

    On PostgreSQL whole monthly partitions past the retention are dropped first.
    """
    now = now or timezone.now()
    cutoff = now - timedelta(days=settings.TRAFFIC_RETENTION_DAYS)
    dropped = partitions.drop_before(cutoff)
    deleted, _ = GateEvent.objects.filter(occurred_at__lt=cutoff).delete()
    return dropped + deleted


__all__ = ["Grain", "RecordResult", "gate_events_record", "traffic_prune", "traffic_rebuild"]
