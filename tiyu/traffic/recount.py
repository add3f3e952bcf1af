"""Recount foot traffic from raw events: what ``tiyu traffic rebuild`` writes and what the
tests compare the incrementally maintained rollups against."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.db.models import Case, CharField, Count, F, Min, Q, QuerySet, Value, When
from django.db.models.functions import Cast, Concat, TruncDate, TruncHour

from tiyu.traffic.events import Direction
from tiyu.traffic.models import GateEvent, TrafficRollup, VisitorDay
from tiyu.traffic.rollup import Deltas, Key, Row, local_tz, venue_regions

Counts = dict[Key, Row]


def _raw(lo: datetime, hi: datetime) -> QuerySet[GateEvent]:
    return GateEvent.objects.filter(occurred_at__gte=lo, occurred_at__lt=hi)


def _visitor_key() -> Case:
    """The same key as :attr:`GateEventIn.visitor_key`, in SQL."""
    synthetic = Concat(
        Value("~"),
        Cast("device_id", CharField()),
        Value(":"),
        F("message_id"),
        output_field=CharField(),
    )
    return Case(
        When(person_key="", then=synthetic), default=F("person_key"), output_field=CharField()
    )


def _entries_by_visitor(lo: datetime, hi: datetime) -> Any:
    return (
        _raw(lo, hi)
        .filter(direction=Direction.IN)
        .annotate(day=TruncDate("occurred_at", tzinfo=local_tz()), key=_visitor_key())
        .values("venue_id", "day", "key")
    )


def visitor_days(lo: datetime, hi: datetime) -> list[VisitorDay]:
    """One visitor-day per person, venue and local day with an entry in ``[lo, hi)``."""
    rows = _entries_by_visitor(lo, hi).annotate(first=Min("occurred_at")).order_by()
    return [
        VisitorDay(venue_id=r["venue_id"], day=r["day"], person_key=r["key"], first_at=r["first"])
        for r in rows
    ]


def rollups(lo: datetime, hi: datetime) -> Counts:
    """Every rollup row of ``[lo, hi)`` as counted from raw events alone."""
    hours = list(
        _raw(lo, hi)
        .annotate(hour=TruncHour("occurred_at", tzinfo=local_tz()))
        .values("venue_id", "hour")
        .annotate(
            entries=Count("id", filter=Q(direction=Direction.IN)),
            exits=Count("id", filter=Q(direction=Direction.OUT)),
        )
        .order_by()
    )
    visitors = list(
        _entries_by_visitor(lo, hi)
        .values("venue_id", "day")
        .annotate(n=Count("key", distinct=True))
        .order_by()
    )
    regions = venue_regions([h["venue_id"] for h in hours])
    deltas = Deltas()
    for h in hours:
        deltas.add_hour(h["venue_id"], regions[h["venue_id"]], h["hour"], h["entries"], h["exits"])
    for v in visitors:
        day: date = v["day"]
        deltas.add_visitors(v["venue_id"], regions[v["venue_id"]], day, v["n"])
    return deltas.rows


def as_rows(counts: Counts) -> list[TrafficRollup]:
    """Rollup model instances for ``counts``."""
    return [
        TrafficRollup(
            grain=g,
            subject=s,
            period=p,
            region_code=r.region_code,
            venue_id=r.venue_id,
            entries=r.entries,
            exits=r.exits,
            visitors=r.visitors,
        )
        for (g, s, p), r in counts.items()
    ]


def stored(lo: datetime, hi: datetime) -> Counts:
    """The rollup rows of ``[lo, hi)`` as they are stored, in the same shape as a recount."""
    out: Counts = {}
    for r in TrafficRollup.objects.filter(period__gte=lo, period__lt=hi):
        if r.entries or r.exits or r.visitors:
            out[(r.grain, r.subject, r.period)] = Row(
                r.region_code, r.venue_id, r.entries, r.exits, r.visitors
            )
    return out
