"""``/api/v1``: the slot grid, resident bookings and the front desk.

Handlers parse, call one service or selector, and shape the answer. Holds, payments,
cancellations and walk-ins honour ``Idempotency-Key``: a retry returns the first
answer and creates nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from django.http import HttpRequest
from ninja import Query, Router, Schema

from tiyu.accounts.api_auth import require_user
from tiyu.booking import desk, series, services
from tiyu.booking.rules import policy_for
from tiyu.booking.schemas import (
    BlockIn,
    BlockOut,
    BookingOut,
    CancelIn,
    CheckInIn,
    GridOut,
    HoldIn,
    PayIn,
    PayOut,
    PayRequestOut,
    PolicyIO,
    QuoteOut,
    QuoteSlotOut,
    SeriesIn,
    SeriesOut,
    SkippedOut,
    WalkInIn,
    booking_out,
    grid_out,
)
from tiyu.booking.selectors import booking_detail, bookings_for_user, slot_grid
from tiyu.booking.services import SlotChoice
from tiyu.core.errors import NotFound
from tiyu.core.idempotency import run_idempotent
from tiyu.venues.models import Venue

router = Router(tags=["booking"])
ERRORS = {400: dict, 401: dict, 404: dict, 409: dict, 422: dict}


def _idempotent(
    request: HttpRequest,
    scope: str,
    user: Any,
    payload: Any,
    action: Callable[[], tuple[int, dict]],
) -> tuple[int, dict]:
    return run_idempotent(
        key=request.headers.get("Idempotency-Key"),
        scope=scope,
        user=user,
        payload=payload,
        action=action,
    )


class GridQuery(Schema):
    start: date | None = None
    days: int = 7


@router.get(
    "/venues/{venue_id}/grid",
    response={200: GridOut, 404: dict, 422: dict},
    summary="Slot grid: days x courts x slots with price and state",
    auth=None,
)
def grid(request: HttpRequest, venue_id: int, q: Query[GridQuery]) -> GridOut:
    venue = Venue.objects.filter(pk=venue_id, is_published=True).first()
    if venue is None:
        raise NotFound("venue_not_found")
    return grid_out(slot_grid(venue=venue, user=request.user, first_day=q.start, days=q.days))


def _choices(slots: list[Any]) -> list[SlotChoice]:
    return [SlotChoice(s.court_id, s.starts_at) for s in slots]


@router.post("/bookings", response={201: BookingOut, **ERRORS}, summary="Hold slots while paying")
def hold(request: HttpRequest, payload: HoldIn) -> tuple[int, dict]:
    user = require_user(request)

    def action() -> tuple[int, dict]:
        booking = services.booking_hold(
            user=user, venue_id=payload.venue_id, slots=_choices(payload.slots)
        )
        return 201, booking_out(booking_detail(booking)).dict()

    return _idempotent(request, "booking.hold", user, payload.dict(), action)


class ListQuery(Schema):
    tab: str = "upcoming"


@router.get("/bookings", response={200: list[BookingOut], 401: dict}, summary="My bookings")
def my_bookings(request: HttpRequest, q: Query[ListQuery]) -> list[BookingOut]:
    user = require_user(request)
    return [booking_out(b) for b in bookings_for_user(user, q.tab)[:100]]


@router.get(
    "/bookings/{number}", response={200: BookingOut, **ERRORS}, summary="One of my bookings"
)
def my_booking(request: HttpRequest, number: str) -> BookingOut:
    user = require_user(request)
    return booking_out(booking_detail(services.own_booking(user, number)))


@router.post(
    "/bookings/{number}/pay", response={200: PayOut, **ERRORS}, summary="Pay for a held booking"
)
def pay(request: HttpRequest, number: str, payload: PayIn) -> tuple[int, dict]:
    user = require_user(request)

    def action() -> tuple[int, dict]:
        outcome = services.booking_pay(
            user=user,
            number=number,
            method=services.check_payable_method(payload.method),
            return_url=_safe_return(payload.return_url),
        )
        req = outcome.pay_request
        body = PayOut(
            booking=booking_out(booking_detail(outcome.booking)),
            pay_request=PayRequestOut(
                method=req.method,
                redirect_url=req.redirect_url or None,
                code_url=req.code_url or None,
            )
            if req
            else None,
        )
        return 200, body.dict()

    return _idempotent(request, f"booking.pay:{number}", user, payload.dict(), action)


def _safe_return(url: str) -> str:
    """Only a path on this site may be a return address."""
    return url if url.startswith("/") and not url.startswith("//") else ""


class QuoteQuery(Schema):
    slot_ids: list[int] | None = None


@router.get(
    "/bookings/{number}/cancellation",
    response={200: QuoteOut, **ERRORS},
    summary="What cancelling now would refund",
)
def quote(request: HttpRequest, number: str, q: Query[QuoteQuery]) -> QuoteOut:
    user = require_user(request)
    result = services.cancellation_quote(services.own_booking(user, number), q.slot_ids)
    return QuoteOut(
        refund_fen=result.refund_fen,
        fee_fen=result.fee_fen,
        slots=[QuoteSlotOut(**s.__dict__) for s in result.slots],
    )


@router.post(
    "/bookings/{number}/cancel", response={200: BookingOut, **ERRORS}, summary="Cancel slots"
)
def cancel(request: HttpRequest, number: str, payload: CancelIn) -> tuple[int, dict]:
    user = require_user(request)

    def action() -> tuple[int, dict]:
        booking = services.booking_cancel(
            actor=user, booking=services.own_booking(user, number), slot_ids=payload.slot_ids
        )
        return 200, booking_out(booking_detail(booking)).dict()

    return _idempotent(request, f"booking.cancel:{number}", user, payload.dict(), action)


# --- Front desk -----------------------------------------------------------------

DESK = "/desk/venues/{venue_id}"


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
            slots=_choices(payload.slots),
            method=payload.method,
            customer_phone=payload.customer_phone,
            customer_name=payload.customer_name,
        )
        return 201, booking_out(booking_detail(booking)).dict()

    return _idempotent(request, f"desk.walk_in:{venue_id}", user, payload.dict(), action)


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
        ).dict()

    return _idempotent(request, f"desk.series:{venue_id}", user, payload.dict(), action)


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
