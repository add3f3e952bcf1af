"""Interval arithmetic for the planner and the report: pure functions over (start, end) pairs."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, timedelta

from tiyu.booking.timegrid import local_dt

Interval = tuple[datetime, datetime]


def merge(intervals: Iterable[Interval], *, gap: timedelta = timedelta(0)) -> list[Interval]:
    """Sorted union of ``intervals``; two that overlap, touch or are ``gap`` or less apart
    become one (18:00–19:00 and 19:00–20:00 are 18:00–20:00)."""
    out: list[list[datetime]] = []
    for start, end in sorted(intervals):
        if end <= start:
            continue
        if out and start - out[-1][1] <= gap:
            if end > out[-1][1]:
                out[-1][1] = end
        else:
            out.append([start, end])
    return [(s, e) for s, e in out]


def clip(intervals: Iterable[Interval], start: datetime, end: datetime) -> list[Interval]:
    """The parts of ``intervals`` inside [start, end)."""
    out = []
    for s, e in intervals:
        s, e = max(s, start), min(e, end)
        if s < e:
            out.append((s, e))
    return out


def total_hours(intervals: Iterable[Interval]) -> float:
    """The length of (already disjoint) intervals in hours."""
    return sum((e - s).total_seconds() for s, e in intervals) / 3600


def subtract(base: list[Interval], cut: list[Interval]) -> list[Interval]:
    """The parts of disjoint sorted ``base`` not covered by disjoint sorted ``cut``."""
    out: list[Interval] = []
    for s, e in base:
        pieces = [(s, e)]
        for cs, ce in cut:
            nxt = []
            for ps, pe in pieces:
                if ce <= ps or cs >= pe:
                    nxt.append((ps, pe))
                    continue
                if ps < cs:
                    nxt.append((ps, cs))
                if ce < pe:
                    nxt.append((ce, pe))
            pieces = nxt
        out.extend(pieces)
    return out


def local_day_bounds(day: date) -> Interval:
    """The aware start and end of a local (Asia/Shanghai) calendar day."""
    start = local_dt(day, datetime.min.time())
    return start, local_dt(day + timedelta(days=1), datetime.min.time())


def days_between(first: date, last: date) -> list[date]:
    """Every day from ``first`` to ``last`` inclusive."""
    return [first + timedelta(days=i) for i in range((last - first).days + 1)]
