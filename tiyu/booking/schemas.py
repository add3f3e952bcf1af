"""API shapes for the slot grid, bookings, payment, cancellation and the front desk."""

from __future__ import annotations

from datetime import date, datetime, time

from ninja import Schema
from pydantic import Field

from tiyu.booking.entry import entry_token
from tiyu.booking.models import Booking, BookingStatus
from tiyu.booking.selectors import Grid


class CellOut(Schema):
    court_id: int
    start: time
    end: time
    starts_at: datetime
    price_fen: int | None
    band: str
    state: str = Field(description="free | taken | closed | held_by_me | mine")


class DayOut(Schema):
    day: date
    day_type: str
    bookable: bool
    cells: list[CellOut]


class GridCourtOut(Schema):
    id: int
    name: str
    parent_id: int | None
    slot_minutes: int


class GridOut(Schema):
    venue_id: int
    venue_name: str
    hold_minutes: int
    window_last_day: date
    courts: list[GridCourtOut]
    days: list[DayOut]


def grid_out(grid: Grid) -> GridOut:
    """The API shape of a grid."""
    return GridOut(
        venue_id=grid.venue.pk,
        venue_name=grid.venue.name,
        hold_minutes=grid.policy.hold_minutes,
        window_last_day=grid.window.last_day,
        courts=[
            GridCourtOut(id=c.pk, name=c.name, parent_id=c.parent_id, slot_minutes=c.slot_minutes)
            for c in grid.courts
        ],
        days=[
            DayOut(
                day=d.day,
                day_type=d.day_type,
                bookable=d.bookable,
                cells=[CellOut(**cell.__dict__) for cells in d.cells.values() for cell in cells],
            )
            for d in grid.days
        ],
    )


class SlotIn(Schema):
    court_id: int
    starts_at: datetime = Field(description="Slot start, ISO 8601 with offset (e.g. +08:00)")


class HoldIn(Schema):
    venue_id: int
    slots: list[SlotIn] = Field(min_length=1, max_length=8)


class SlotOut(Schema):
    id: int
    court_id: int
    court_name: str
    starts_at: datetime
    ends_at: datetime
    price_fen: int
    band: str
    status: str
    refund_fen: int


class BookingOut(Schema):
    number: str
    venue_id: int
    venue_name: str
    status: str
    channel: str
    total_fen: int
    refunded_fen: int
    hold_expires_at: datetime | None
    created_at: datetime
    entry_code: str | None = Field(None, description="Shown once the booking is confirmed")
    entry_token: str | None = Field(None, description="What the entry QR code carries")
    slots: list[SlotOut]


def booking_out(booking: Booking) -> BookingOut:
    """The API shape of a booking (the entry code only once it is paid)."""
    confirmed = booking.status == BookingStatus.CONFIRMED
    return BookingOut(
        number=booking.number,
        venue_id=booking.venue_id,
        venue_name=booking.venue.name,
        status=booking.status,
        channel=booking.channel,
        total_fen=booking.total_fen,
        refunded_fen=booking.refunded_fen,
        hold_expires_at=booking.hold_expires_at,
        created_at=booking.created_at,
        entry_code=booking.entry_code if confirmed else None,
        entry_token=entry_token(booking) if confirmed else None,
        slots=[
            SlotOut(
                id=s.pk,
                court_id=s.court_id,
                court_name=s.court.name,
                starts_at=s.starts_at,
                ends_at=s.ends_at,
                price_fen=s.price_fen,
                band=s.band,
                status=s.status,
                refund_fen=s.refund_fen,
            )
            for s in booking.slots.all()
        ],
    )


class PayIn(Schema):
    method: str = Field(description="stored_value | sandbox | wechat | alipay")
    return_url: str = Field("", max_length=300)


class PayRequestOut(Schema):
    method: str
    redirect_url: str | None = None
    code_url: str | None = None


class PayOut(Schema):
    booking: BookingOut
    pay_request: PayRequestOut | None = None


class CancelIn(Schema):
    slot_ids: list[int] | None = Field(None, description="Omit to cancel every live slot")


class QuoteSlotOut(Schema):
    slot_id: int
    price_fen: int
    fee_percent: int
    refund_fen: int


class QuoteOut(Schema):
    refund_fen: int
    fee_fen: int
    slots: list[QuoteSlotOut]


class CheckInIn(Schema):
    code: str = Field(min_length=1, max_length=200)


class WalkInIn(Schema):
    slots: list[SlotIn] = Field(min_length=1, max_length=8)
    method: str = Field(description="cash | stored_value")
    customer_phone: str = Field("", max_length=20)
    customer_name: str = Field("", max_length=50)


class BlockIn(Schema):
    court_id: int
    starts_at: datetime
    ends_at: datetime
    kind: str = "maintenance"
    reason: str = Field("", max_length=200)


class BlockOut(Schema):
    id: int
    court_id: int
    starts_at: datetime
    ends_at: datetime
    kind: str
    reason: str


class SeriesIn(Schema):
    court_id: int
    title: str = Field(min_length=1, max_length=100)
    weekday: int = Field(ge=0, le=6)
    starts: time
    ends: time
    first_date: date
    last_date: date
    customer_phone: str = Field(max_length=20)
    method: str = "cash"


class SkippedOut(Schema):
    date: str
    reason: str


class SeriesOut(Schema):
    id: int
    title: str
    status: str
    total_fen: int
    bookings: list[str]
    skipped: list[SkippedOut]


class PolicyIO(Schema):
    hold_minutes: int | None = None
    advance_days: int | None = None
    release_hour: int | None = None
    max_active_bookings: int | None = None
    max_hours_per_day: int | None = None
    checkin_before_minutes: int | None = None
    no_show_limit: int | None = None
    no_show_window_days: int | None = None
    no_show_ban_days: int | None = None
    cancel_tiers: list[list[int]] | None = None
