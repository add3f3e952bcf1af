"""Booking reads: the slot grid, the front-desk day sheet, a resident's bookings.

The grid of one venue for 7 days costs a fixed number of queries whatever the
number of courts: courts, hours, closures, policy, prices, calendar and one read
of the occupancy rows, then arithmetic.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db.models import Prefetch, QuerySet
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
from tiyu.booking.rules import Window, booking_window, policy_for, tiers_for
from tiyu.booking.timegrid import CourtTree, closed_days, day_slots, local_day, local_dt
from tiyu.venues.config import holiday_calendar, venue_config
from tiyu.venues.models import Court, OpeningHours, Venue
from tiyu.venues.pricing import PriceBook

MAX_GRID_DAYS = 14


class CellState:
    """What a grid cell shows."""

    FREE = "free"
    TAKEN = "taken"
    CLOSED = "closed"
    HELD_BY_ME = "held_by_me"
    MINE = "mine"


@dataclass(frozen=True)
class Cell:
    """One court's slot on one day: its price and state."""

    court_id: int
    start: time
    end: time
    starts_at: datetime
    price_fen: int | None
    band: str
    state: str


@dataclass
class DayGrid:
    """One day: the courts' cells and the union of start times (the rows)."""

    day: date
    day_type: str
    bookable: bool
    cells: dict[int, list[Cell]] = field(default_factory=dict)

    @property
    def times(self) -> list[time]:
        return sorted({c.start for cells in self.cells.values() for c in cells})

    def at(self, court_id: int, start: time) -> Cell | None:
        """The court's cell starting at ``start``, if any (30-minute courts in a 60-minute row)."""
        return next((c for c in self.cells.get(court_id, ()) if c.start == start), None)


@dataclass
class Grid:
    """The slot grid of a venue for some days."""

    venue: Venue
    courts: list[Court]
    days: list[DayGrid]
    policy: BookingPolicy
    window: Window


@dataclass(frozen=True)
class Holder:
    """Who occupies a unit, as the grid needs to know it."""

    user_id: int | None
    live_hold: bool
    confirmed: bool
    is_block: bool


def _holders(
    court_ids: list[int], first: datetime, last: datetime, now: datetime
) -> dict[tuple[int, datetime], Holder]:
    rows = Occupancy.objects.filter(
        court_id__in=court_ids, starts_at__gte=first, starts_at__lt=last
    ).values_list("court_id", "starts_at", "block_id", "hold_expires_at", "slot__booking__user_id")
    out = {}
    for court_id, starts_at, block_id, expires, user_id in rows:
        if expires is not None and expires <= now:
            continue  # a lapsed hold is free for the taking
        out[(court_id, starts_at)] = Holder(
            user_id=user_id,
            live_hold=expires is not None,
            confirmed=block_id is None and expires is None,
            is_block=block_id is not None,
        )
    return out


def _state(holders: list[Holder], units: int, user_id: int | None) -> str:
    """Free when no unit is held; mine only when every unit is mine (a hall with one
    part of it booked by me is still taken as a whole)."""
    if not holders:
        return CellState.FREE
    if len(holders) < units or user_id is None:
        return CellState.TAKEN
    if any(h.is_block or h.user_id != user_id for h in holders):
        return CellState.TAKEN
    return CellState.HELD_BY_ME if any(h.live_hold for h in holders) else CellState.MINE


def slot_grid(
    *,
    venue: Venue,
    user: Any = None,
    first_day: date | None = None,
    days: int = 7,
    now: datetime | None = None,
) -> Grid:
    """Days x courts x slots with a price and a state in every cell."""
    now = now or timezone.now()
    today = local_day(now)
    first_day = max(first_day or today, today)
    days = max(1, min(days, MAX_GRID_DAYS))
    last_day = first_day + timedelta(days=days - 1)
    config = venue_config(venue.pk)
    tree = CourtTree(config.courts)
    courts = [c for c in config.courts if c.is_active]
    hours = config.hours
    closed = closed_days(config.closures)
    policy = policy_for(venue.pk)
    window = booking_window(policy, now)
    book = PriceBook.for_range(config.rules, holiday_calendar(), first_day, last_day)
    tiers = tiers_for(user, venue.pk, today)
    holders = _holders(
        list(tree.courts),
        local_dt(first_day, time(0)),
        local_dt(last_day, time(0)) + timedelta(days=1),
        now,
    )
    user_id = user.pk if user is not None and getattr(user, "is_authenticated", False) else None
    grid_days = []
    for offset in range(days):
        day = first_day + timedelta(days=offset)
        bookable = window.contains(day) and day not in closed
        day_grid = DayGrid(day=day, day_type=book.day_type(day), bookable=bookable)
        for court in courts:
            cells = []
            for start, end in day_slots(court, day, hours):
                starts_at = local_dt(day, start)
                price = book.price(court.pk, day, start, end)
                fen = price.for_tiers(tiers) if price else None
                if not bookable or price is None or starts_at <= now:
                    state = CellState.CLOSED
                else:
                    units = tree.units(
                        court.pk, starts_at, starts_at + timedelta(minutes=court.slot_minutes)
                    )
                    state = _state([holders[u] for u in units if u in holders], len(units), user_id)
                cells.append(
                    Cell(court.pk, start, end, starts_at, fen, price.band if price else "", state)
                )
            day_grid.cells[court.pk] = cells
        grid_days.append(day_grid)
    return Grid(venue=venue, courts=courts, days=grid_days, policy=policy, window=window)


def bookings_for_user(
    user: Any, tab: str = "upcoming", *, now: datetime | None = None
) -> QuerySet[Booking]:
    """A resident's bookings: ``upcoming`` (live, not over), ``past`` or ``cancelled``."""
    now = now or timezone.now()
    qs = (
        Booking.objects.filter(user=user)
        .select_related("venue")
        .prefetch_related(
            Prefetch(
                "slots", queryset=BookingSlot.objects.select_related("court").order_by("starts_at")
            )
        )
    )
    if tab == "cancelled":
        return qs.filter(status__in=(BookingStatus.CANCELLED, BookingStatus.EXPIRED)).order_by(
            "-id"
        )
    live = qs.filter(status__in=(BookingStatus.HELD, BookingStatus.CONFIRMED))
    upcoming = live.filter(slots__ends_at__gt=now).distinct()
    if tab == "past":
        return live.exclude(pk__in=upcoming.values("pk")).order_by("-id")
    return upcoming.exclude(status=BookingStatus.HELD, hold_expires_at__lte=now).order_by("id")


def booking_detail(booking: Booking) -> Booking:
    """A booking with its venue, slots and courts loaded.

    A booking a service has just written carries its slots already (see
    ``services.remember_slots``) and is returned as it is, without a re-read.
    """
    if "slots" in getattr(booking, "_prefetched_objects_cache", {}):
        return booking
    return (
        Booking.objects.select_related("venue", "payment", "user")
        .prefetch_related(
            Prefetch(
                "slots", queryset=BookingSlot.objects.select_related("court").order_by("starts_at")
            )
        )
        .get(pk=booking.pk)
    )


@dataclass
class SheetRow:
    """One court slot of the day sheet with who holds it."""

    court: Court
    start: time
    end: time
    starts_at: datetime
    slot: BookingSlot | None = None
    block: Block | None = None
    via_parent: bool = False


@dataclass
class DaySheet:
    """Courts x today's slots for the front desk."""

    venue: Venue
    day: date
    courts: list[Court]
    rows: dict[int, list[SheetRow]]
    series: list[Series]

    @property
    def times(self) -> list[time]:
        return sorted({r.start for rows in self.rows.values() for r in rows})

    def at(self, court_id: int, start: time) -> SheetRow | None:
        return next((r for r in self.rows.get(court_id, ()) if r.start == start), None)


def day_sheet(*, venue: Venue, day: date, now: datetime | None = None) -> DaySheet:
    """The front desk's view of a day: every slot of every court and who has it."""
    now = now or timezone.now()
    all_courts = list(Court.objects.filter(venue=venue).order_by("sort_order", "id"))
    tree = CourtTree(all_courts)
    courts = [c for c in all_courts if c.is_active]
    hours = list(OpeningHours.objects.filter(venue=venue))
    start = local_dt(day, time(0))
    rows_occ = Occupancy.objects.filter(
        court_id__in=list(tree.courts),
        starts_at__gte=start,
        starts_at__lt=start + timedelta(days=1),
    ).select_related("slot__booking__user", "slot__booking__payment", "slot__court", "block")
    by_unit = {}
    for occ in rows_occ:
        if occ.hold_expires_at is not None and occ.hold_expires_at <= now:
            continue
        by_unit[(occ.court_id, occ.starts_at)] = occ
    rows: dict[int, list[SheetRow]] = {}
    for court in courts:
        out = []
        for s, e in day_slots(court, day, hours):
            starts_at = local_dt(day, s)
            row = SheetRow(court, s, e, starts_at)
            for unit in tree.units(
                court.pk, starts_at, starts_at + timedelta(minutes=court.slot_minutes)
            ):
                holder = by_unit.get(unit)
                if holder is None:
                    continue
                if holder.block is not None:
                    row.block = holder.block
                elif holder.slot is not None:
                    row.slot = holder.slot
                    row.via_parent = holder.slot.court_id != court.pk
                break
            out.append(row)
        rows[court.pk] = out
    series = list(
        Series.objects.filter(
            venue=venue, first_date__lte=day, last_date__gte=day, weekday=day.weekday()
        )
    )
    return DaySheet(venue=venue, day=day, courts=courts, rows=rows, series=series)


def slot_is_live(slot: BookingSlot) -> bool:
    """Whether a slot still holds its court."""
    return slot.status in (SlotStatus.HELD, SlotStatus.CONFIRMED, SlotStatus.CHECKED_IN)
