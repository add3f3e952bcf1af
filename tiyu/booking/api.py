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
from tiyu.booking import services
from tiyu.booking.schemas import (
    BookingOut,
    CancelIn,
    GridOut,
    HoldIn,
    PayIn,
    PayOut,
    PayRequestOut,
    QuoteOut,
    QuoteSlotOut,
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


def idempotent(
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
)
def grid(request: HttpRequest, venue_id: int, q: Query[GridQuery]) -> GridOut:
    venue = Venue.objects.filter(pk=venue_id, is_published=True).first()
    if venue is None:
        raise NotFound("venue_not_found")
    return grid_out(slot_grid(venue=venue, user=request.user, first_day=q.start, days=q.days))


def slot_choices(slots: list[Any]) -> list[SlotChoice]:
    return [SlotChoice(s.court_id, s.starts_at) for s in slots]


@router.post("/bookings", response={201: BookingOut, **ERRORS}, summary="Hold slots while paying")
def hold(request: HttpRequest, payload: HoldIn) -> tuple[int, dict]:
    user = require_user(request)

    def action() -> tuple[int, dict]:
        booking = services.booking_hold(
            user=user, venue_id=payload.venue_id, slots=slot_choices(payload.slots)
        )
        return 201, booking_out(booking_detail(booking)).model_dump(mode="json")

    return idempotent(request, "booking.hold", user, payload.dict(), action)


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
        return 200, body.model_dump(mode="json")

    return idempotent(request, f"booking.pay:{number}", user, payload.dict(), action)


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
        return 200, booking_out(booking_detail(booking)).model_dump(mode="json")

    return idempotent(request, f"booking.cancel:{number}", user, payload.dict(), action)
