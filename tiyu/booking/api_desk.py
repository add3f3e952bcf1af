"""``/api/v1/desk``: front-desk reads, the day sheet and the venue's series, as JSON.

The writes (check-in, walk-in, cancel, blocks, series, policy) live in
:mod:`tiyu.booking.api`. The small read helpers here (who a booking is for, a
series with its dates) are shared with the back-office pages.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any

from django.db.models import Prefetch
from django.http import HttpRequest
from django.utils import timezone
from ninja import Query, Router, Schema
from pydantic import Field

from tiyu.accounts.api_auth import require_user
from tiyu.booking import desk, series, services
from tiyu.booking.api import idempotent, slot_choices
from tiyu.booking.desk import desk_venue
from tiyu.booking.models import Booking, BookingSlot, Series, SlotStatus
from tiyu.booking.rules import policy_for
from tiyu.booking.schemas import (
    BlockIn,
    BlockOut,
    BookingOut,
    CancelIn,
    CheckInIn,
    PolicyIO,
    SeriesIn,
    SeriesOut,
    SkippedOut,
    WalkInIn,
    booking_out,
)
from tiyu.booking.selectors import DaySheet, SheetRow, booking_detail, day_sheet
from tiyu.booking.timegrid import local_day
from tiyu.core.errors import NotFound
from tiyu.venues.models import WEEKDAYS, Venue

router = Router(tags=["front desk"])
ERRORS = {400: dict, 401: dict, 404: dict, 409: dict, 422: dict}


def customer_label(booking: Booking) -> str:
    """Who a booking is for as the desk shows it: the walk-in's name or the user, masked phone.

    A walk-in booked without a phone sits under the staff member's account
    (``created_by`` empty); their phone is not the customer's, so it is left out.
    """
    user = booking.user
    staff_account = bool(booking.customer_name) and booking.created_by_id is None
    name = booking.customer_name or str(user)
    phone = "" if staff_account or not user.phone else user.masked_phone
    return f"{name} {phone}".strip()


@dataclass
class SeriesDate:
    """One date of a series: its booking and where it stands."""

    day: date
    booking: Booking
    status: str
    status_label: str
    starts_at: datetime

    @property
    def cancellable(self) -> bool:
        return self.status == SlotStatus.CONFIRMED and self.starts_at > timezone.now()


@dataclass
class SeriesView:
    """A series with its dates, its price and the skipped dates."""

    series: Series
    dates: list[SeriesDate] = field(default_factory=list)

    @property
    def total_fen(self) -> int:
        return sum(d.booking.total_fen for d in self.dates)

    @property
    def refunded_fen(self) -> int:
        return sum(d.booking.refunded_fen for d in self.dates)

    @property
    def live_count(self) -> int:
        return sum(1 for d in self.dates if d.status != SlotStatus.CANCELLED)

    @property
    def weekday_label(self) -> str:
        return str(dict(WEEKDAYS)[self.series.weekday])


def _date_status(slots: list[BookingSlot]) -> tuple[str, str]:
    """A date's status from its slots: the most advanced one wins (checked in, no-show …)."""
    order = [
        SlotStatus.CHECKED_IN,
        SlotStatus.NO_SHOW,
        SlotStatus.CONFIRMED,
        SlotStatus.HELD,
        SlotStatus.CANCELLED,
        SlotStatus.EXPIRED,
    ]
    statuses = {s.status for s in slots}
    status = next((s for s in order if s in statuses), SlotStatus.CANCELLED)
    return status, str(SlotStatus(status).label)


def series_views(venue: Venue, series_id: int | None = None) -> list[SeriesView]:
    """The venue's series (newest first) with every date, in three queries."""
    qs = Series.objects.filter(venue=venue).select_related("court__parent", "user")
    if series_id is not None:
        qs = qs.filter(pk=series_id)
    out = {s.pk: SeriesView(s) for s in qs}
    bookings = (
        Booking.objects.filter(series_id__in=list(out))
        .select_related("user")
        .prefetch_related(Prefetch("slots", queryset=BookingSlot.objects.order_by("starts_at")))
    )
    by_series: dict[int, list[SeriesDate]] = defaultdict(list)
    for booking in bookings:
        slots = list(booking.slots.all())
        if not slots or booking.series_id is None:
            continue
        status, label = _date_status(slots)
        by_series[booking.series_id].append(
            SeriesDate(local_day(slots[0].starts_at), booking, status, label, slots[0].starts_at)
        )
    for pk, view in out.items():
        view.dates = sorted(by_series.get(pk, []), key=lambda d: d.day)
    return list(out.values())


class SheetCourtOut(Schema):
    id: int
    name: str
    parent_id: int | None
    slot_minutes: int


class SheetCellOut(Schema):
    court_id: int
    start: time
    end: time
    starts_at: datetime
    state: str = Field(description="free | booked | blocked")
    booking_number: str | None = None
    customer: str | None = None
    slot_status: str | None = None
    payment_method: str | None = None
    via_court_id: int | None = Field(default=None, description="The hall or part the booking is on")
    block_kind: str | None = None
    block_reason: str | None = None


class SheetOut(Schema):
    venue_id: int
    day: date
    courts: list[SheetCourtOut]
    cells: list[SheetCellOut]


def _cell_out(row: SheetRow) -> SheetCellOut:
    cell = SheetCellOut(
        court_id=row.court.pk, start=row.start, end=row.end, starts_at=row.starts_at, state="free"
    )
    if row.block is not None:
        cell.state = "blocked"
        cell.block_kind = row.block.kind
        cell.block_reason = row.block.reason
    elif row.slot is not None:
        booking = row.slot.booking
        cell.state = "booked"
        cell.booking_number = booking.number
        cell.customer = customer_label(booking)
        cell.slot_status = row.slot.status
        cell.payment_method = booking.payment.method if booking.payment else None
        cell.via_court_id = row.slot.court_id if row.via_parent else None
    return cell


def sheet_out(sheet: DaySheet) -> SheetOut:
    """The API shape of a day sheet."""
    return SheetOut(
        venue_id=sheet.venue.pk,
        day=sheet.day,
        courts=[
            SheetCourtOut(id=c.pk, name=c.name, parent_id=c.parent_id, slot_minutes=c.slot_minutes)
            for c in sheet.courts
        ],
        cells=[_cell_out(r) for rows in sheet.rows.values() for r in rows],
    )


class SheetQuery(Schema):
    day: date | None = None


@router.get(
    "/venues/{venue_id}/sheet",
    response={200: SheetOut, **ERRORS},
    summary="The front desk's day sheet: every court slot and who has it",
)
def sheet(request: HttpRequest, venue_id: int, q: Query[SheetQuery]) -> SheetOut:
    venue = desk_venue(require_user(request), venue_id)
    return sheet_out(day_sheet(venue=venue, day=q.day or timezone.localdate()))


class SeriesDateOut(Schema):
    date: date
    booking_number: str
    status: str
    total_fen: int
    refunded_fen: int


class SkippedDateOut(Schema):
    date: str
    reason: str


class SeriesItemOut(Schema):
    id: int
    title: str
    court_id: int
    court_name: str
    weekday: int
    starts: time
    ends: time
    first_date: date
    last_date: date
    status: str
    customer: str
    total_fen: int
    refunded_fen: int
    dates: list[SeriesDateOut]
    skipped: list[SkippedDateOut]


@router.get(
    "/venues/{venue_id}/series",
    response={200: list[SeriesItemOut], **ERRORS},
    summary="The venue's recurring bookings with their dates and skipped conflicts",
)
def series_list(request: HttpRequest, venue_id: int) -> list[SeriesItemOut]:
    venue = desk_venue(require_user(request), venue_id)
    return [
        SeriesItemOut(
            id=v.series.pk,
            title=v.series.title,
            court_id=v.series.court_id,
            court_name=v.series.court.name,
            weekday=v.series.weekday,
            starts=v.series.starts,
            ends=v.series.ends,
            first_date=v.series.first_date,
            last_date=v.series.last_date,
            status=v.series.status,
            customer=f"{v.series.user} {v.series.user.masked_phone}".strip(),
            total_fen=v.total_fen,
            refunded_fen=v.refunded_fen,
            dates=[
                SeriesDateOut(
                    date=d.day,
                    booking_number=d.booking.number,
                    status=d.status,
                    total_fen=d.booking.total_fen,
                    refunded_fen=d.booking.refunded_fen,
                )
                for d in v.dates
            ],
            skipped=v.series.skipped,
        )
        for v in series_views(venue)
    ]


# --- Front-desk writes -------------------------------------------------------------

DESK = "/venues/{venue_id}"


@router.post(
    f"{DESK}/check-in", response={200: BookingOut, **ERRORS}, summary="Check in an entry code"
)
def check_in(request: HttpRequest, venue_id: int, payload: CheckInIn) -> BookingOut:
    user = require_user(request)
    desk.desk_venue(user, venue_id)
    booking = desk.booking_check_in(actor=user, code=payload.code, venue_id=venue_id)
    return booking_out(booking_detail(booking))


@router.post(f"{DESK}/bookings", response={201: BookingOut, **ERRORS}, summary="Book for a walk-in")
def walk_in(request: HttpRequest, venue_id: int, payload: WalkInIn) -> tuple[int, dict]:
    user = require_user(request)

    def action() -> tuple[int, dict]:
        booking = desk.walk_in_book(
            actor=user,
            venue_id=venue_id,
            slots=slot_choices(payload.slots),
            method=payload.method,
            customer_phone=payload.customer_phone,
            customer_name=payload.customer_name,
        )
        return 201, booking_out(booking_detail(booking)).model_dump(mode="json")

    return idempotent(request, f"desk.walk_in:{venue_id}", user, payload.dict(), action)


@router.post(
    f"{DESK}/bookings/{{number}}/cancel",
    response={200: BookingOut, **ERRORS},
    summary="Venue cancels a booking (no fee)",
)
def desk_cancel(request: HttpRequest, venue_id: int, number: str, payload: CancelIn) -> BookingOut:
    user = require_user(request)
    venue = desk.desk_venue(user, venue_id)
    found = venue.bookings.filter(number=number).first()
    if found is None:
        raise NotFound("booking_not_found")
    booking = services.booking_cancel(
        actor=user, booking=found, slot_ids=payload.slot_ids, by_venue=True
    )
    return booking_out(booking_detail(booking))


@router.post(
    f"{DESK}/blocks", response={201: BlockOut, **ERRORS}, summary="Take court time off sale"
)
def block_add(request: HttpRequest, venue_id: int, payload: BlockIn) -> tuple[int, BlockOut]:
    user = require_user(request)
    block = desk.block_add(actor=user, venue_id=venue_id, data=desk.BlockData(**payload.dict()))
    return 201, BlockOut(
        id=block.pk,
        court_id=block.court_id,
        starts_at=block.starts_at,
        ends_at=block.ends_at,
        kind=block.kind,
        reason=block.reason,
    )


@router.delete(
    f"{DESK}/blocks/{{block_id}}", response={204: None, **ERRORS}, summary="Remove a block"
)
def block_remove(request: HttpRequest, venue_id: int, block_id: int) -> tuple[int, None]:
    desk.block_remove(actor=require_user(request), venue_id=venue_id, block_id=block_id)
    return 204, None


@router.post(
    f"{DESK}/series", response={201: SeriesOut, **ERRORS}, summary="Book a court weekly for a term"
)
def series_create(request: HttpRequest, venue_id: int, payload: SeriesIn) -> tuple[int, dict]:
    user = require_user(request)

    def action() -> tuple[int, dict]:
        result = series.series_create(
            actor=user, venue_id=venue_id, data=series.SeriesData(**payload.dict())
        )
        return 201, SeriesOut(
            id=result.series.pk,
            title=result.series.title,
            status=result.series.status,
            total_fen=result.total_fen,
            bookings=[b.number for b in result.bookings],
            skipped=[SkippedOut(**s) for s in result.skipped],
        ).model_dump(mode="json")

    return idempotent(request, f"desk.series:{venue_id}", user, payload.dict(), action)


class SeriesCancelIn(Schema):
    on: date | None = None


@router.post(
    f"{DESK}/series/{{series_id}}/cancel",
    response={200: dict, **ERRORS},
    summary="Cancel a series or one date",
)
def series_cancel(
    request: HttpRequest, venue_id: int, series_id: int, payload: SeriesCancelIn
) -> dict:
    item = series.series_cancel(
        actor=require_user(request), venue_id=venue_id, series_id=series_id, on=payload.on
    )
    return {"id": item.pk, "status": item.status}


@router.get(
    f"{DESK}/policy", response={200: PolicyIO, **ERRORS}, summary="The venue's booking rules"
)
def policy_get(request: HttpRequest, venue_id: int) -> PolicyIO:
    desk.desk_venue(require_user(request), venue_id)
    return _policy_out(policy_for(venue_id))


def _policy_out(policy: Any) -> PolicyIO:
    return PolicyIO(
        **{name: getattr(policy, name) for name in (*desk.POLICY_FIELDS, "cancel_tiers")}
    )


@router.put(
    f"{DESK}/policy",
    response={200: PolicyIO, 403: dict, **ERRORS},
    summary="Change the booking rules (managers)",
)
def policy_put(request: HttpRequest, venue_id: int, payload: PolicyIO) -> PolicyIO:
    policy = desk.policy_update(
        actor=require_user(request), venue_id=venue_id, values=payload.dict()
    )
    return _policy_out(policy)
