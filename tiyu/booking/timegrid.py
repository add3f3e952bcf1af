"""Time arithmetic of the slot grid: local days, a court's slots, occupancy units.

Pure functions over already-loaded rows, so the grid, the hold and the front desk
agree on what a slot is without asking the database again.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings

from tiyu.booking.models import GRANULE
from tiyu.venues.models import Closure, Court, OpeningHours

LOCAL = ZoneInfo(settings.TIME_ZONE)


def local_dt(day: date, at: time) -> datetime:
    """An aware datetime for a local wall-clock time."""
    return datetime.combine(day, at, tzinfo=LOCAL)


def local_day(moment: datetime) -> date:
    """The local calendar day of an aware datetime."""
    return moment.astimezone(LOCAL).date()


def granules(starts_at: datetime, ends_at: datetime) -> list[datetime]:
    """The 30-minute occupancy units covering ``starts_at``–``ends_at``."""
    out = []
    moment = starts_at
    while moment < ends_at:
        out.append(moment)
        moment += GRANULE
    return out


@dataclass(frozen=True)
class Slot:
    """One bookable slot of one court on one local day."""

    court_id: int
    day: date
    start: time
    end: time

    @property
    def starts_at(self) -> datetime:
        return local_dt(self.day, self.start)

    @property
    def ends_at(self) -> datetime:
        return self.starts_at + timedelta(minutes=_minutes(self.start, self.end))


def _minutes(start: time, end: time) -> int:
    return (end.hour * 60 + end.minute) - (start.hour * 60 + start.minute)


def _add(at: time, minutes: int) -> time | None:
    total = at.hour * 60 + at.minute + minutes
    if total >= 24 * 60:
        return None
    return time(total // 60, total % 60)


def day_slots(
    court: Court, day: date, hours: Iterable[OpeningHours]
) -> Iterator[tuple[time, time]]:
    """A court's slots on ``day``: each opening period cut into ``slot_minutes`` pieces.

    A period that does not divide evenly loses its last partial slot; a slot never
    runs past closing time.
    """
    for period in hours:
        if period.weekday != day.weekday():
            continue
        start: time | None = period.opens
        while start is not None:
            end = _add(start, court.slot_minutes)
            if end is None or end > period.closes:
                break
            yield start, end
            start = end


def closed_days(closures: Iterable[Closure]) -> set[date]:
    """Every local day covered by a closure."""
    days: set[date] = set()
    for closure in closures:
        day = closure.starts_on
        while day <= closure.ends_on:
            days.add(day)
            day += timedelta(days=1)
    return days


class CourtTree:
    """A venue's courts with their parts, to find the leaf units a slot occupies."""

    def __init__(self, courts: Iterable[Court]) -> None:
        self.courts = {c.pk: c for c in courts}
        self.children: dict[int, list[int]] = {}
        for court in self.courts.values():
            if court.parent_id is not None:
                self.children.setdefault(court.parent_id, []).append(court.pk)

    def leaves(self, court_id: int) -> list[int]:
        """The leaf courts under ``court_id`` (itself when it has no parts)."""
        kids = self.children.get(court_id)
        if not kids:
            return [court_id]
        out: list[int] = []
        for kid in kids:
            out.extend(self.leaves(kid))
        return out

    def units(
        self, court_id: int, starts_at: datetime, ends_at: datetime
    ) -> list[tuple[int, datetime]]:
        """Every (leaf court, 30-minute start) a slot of ``court_id`` occupies."""
        return [(leaf, g) for leaf in self.leaves(court_id) for g in granules(starts_at, ends_at)]
