"""Resident booking pages: the slot grid, checkout, a booking, cancellation, my bookings.

Thin views: parse (``forms_booking``), call one booking service or selector,
shape what the templates show, render. A service's refusal (``DomainError``) is
shown on the page it came from, never a 500; another resident's booking is the
same 404 as a missing one (``own_booking``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from tiyu.booking.entry import entry_qr_svg
from tiyu.booking.models import Booking, BookingSlot, BookingStatus, SlotStatus
from tiyu.booking.rules import booking_window, policy_for
from tiyu.booking.selectors import (
    MAX_GRID_DAYS,
    CellState,
    DayGrid,
    Grid,
    booking_detail,
    bookings_for_user,
    slot_grid,
)
from tiyu.booking.services import (
    MAX_SLOTS_PER_BOOKING,
    Quote,
    booking_cancel,
    booking_hold,
    booking_pay,
    cancellation_quote,
    check_payable_method,
    own_booking,
)
from tiyu.booking.timegrid import local_day
from tiyu.core.errors import DomainError, NotFound, validation_error
from tiyu.core.idempotency import run_idempotent
from tiyu.payments.gateways import gateways_enabled
from tiyu.payments.models import Method
from tiyu.portal.display import WEEKDAYS
from tiyu.portal.forms_booking import (
    idempotency_key,
    parse_day,
    parse_ids,
    parse_slots,
    slot_value,
)
from tiyu.venues.models import Court, Venue
from tiyu.venues.selectors import published_venues
from tiyu.wallet.services import stored_value_account

GRID_DAYS = 7
BOOKINGS_PER_PAGE = 20
TABS = (
    ("upcoming", gettext_lazy("待使用")),
    ("past", gettext_lazy("已结束")),
    ("cancelled", gettext_lazy("已取消")),
)
# Pay methods the resident may choose online, in the order shown.
GATEWAY_LABELS = {
    "sandbox": gettext_lazy("本地沙箱支付（演示，非真实支付）"),
    "wechat": gettext_lazy("微信支付"),
    "alipay": gettext_lazy("支付宝"),
}
LIVE = (SlotStatus.HELD, SlotStatus.CONFIRMED)


def yuan_short(fen: int | None) -> str:
    """4000 -> "40", 4050 -> "40.50": grid cells have little room."""
    if fen is None:
        return ""
    return str(fen // 100) if fen % 100 == 0 else f"{fen // 100}.{fen % 100:02d}"


def _uuid() -> str:
    import uuid

    return uuid.uuid4().hex


def _seconds_left(until: datetime | None, now: datetime) -> int:
    if until is None:
        return 0
    return max(0, int((until - now).total_seconds()))


def clock(seconds: int) -> str:
    """598 -> "09:58", what the countdown shows before (and without) its script."""
    return f"{seconds // 60:02d}:{seconds % 60:02d}"


# --- The slot grid ----------------------------------------------------------------


@dataclass
class Column:
    """One court column of the grid."""

    court: Court
    label: str
    is_hall: bool
    is_part: bool


@dataclass
class CellView:
    """A grid cell as the template shows it."""

    state: str
    price: str
    fen: int
    value: str
    label: str
    starts_at: datetime


@dataclass
class Row:
    """One start time and the courts' cells (``None``: that court has no slot starting then)."""

    start: time
    end: time
    cells: list[CellView | None]


@dataclass
class DayView:
    """One day tab and its table."""

    day: date
    key: str
    weekday: str | Promise
    day_type: str
    bookable: bool
    rows: list[Row] = field(default_factory=list)
    free: int = 0
    relative: str | Promise = ""


def _columns(grid: Grid) -> list[Column]:
    with_parts = {c.parent_id for c in grid.courts if c.parent_id is not None}
    out = []
    for court in grid.courts:
        is_hall = court.pk in with_parts
        label = _("%(name)s（整场）") % {"name": court.name} if is_hall else court.name
        out.append(Column(court, label, is_hall, court.parent_id in with_parts))
    return out


def _day_view(day_grid: DayGrid, columns: list[Column], today: date) -> DayView:
    by_key = {
        (cell.court_id, cell.start): cell for cells in day_grid.cells.values() for cell in cells
    }
    view = DayView(
        day=day_grid.day,
        key=day_grid.day.isoformat(),
        weekday=WEEKDAYS[day_grid.day.weekday()],
        day_type=day_grid.day_type,
        bookable=day_grid.bookable,
    )
    if day_grid.day == today:
        view.relative = gettext_lazy("今天")
    elif day_grid.day == today + timedelta(days=1):
        view.relative = gettext_lazy("明天")
    for start in day_grid.times:
        cells: list[CellView | None] = []
        end: time | None = None
        for col in columns:
            cell = by_key.get((col.court.pk, start))
            if cell is None:
                cells.append(None)
                continue
            end = end or cell.end
            price = yuan_short(cell.price_fen)
            cells.append(
                CellView(
                    state=cell.state,
                    price=price,
                    fen=cell.price_fen or 0,
                    value=slot_value(cell.court_id, cell.starts_at),
                    label=f"{col.label} {cell.start:%H:%M}–{cell.end:%H:%M} ¥{price}",
                    starts_at=cell.starts_at,
                )
            )
            if cell.state == CellState.FREE:
                view.free += 1
        view.rows.append(Row(start, end or start, cells))
    return view


def _grid_days(venue: Venue, now: datetime) -> int:
    """Seven days, or the whole booking window when it reaches further."""
    window = booking_window(policy_for(venue.pk), now)
    return max(GRID_DAYS, min(MAX_GRID_DAYS, (window.last_day - local_day(now)).days + 1))


def _grid_context(request: HttpRequest, venue: Venue, wanted: date | None) -> dict[str, Any]:
    now = timezone.now()
    today = local_day(now)
    grid = slot_grid(
        venue=venue, user=request.user, first_day=today, days=_grid_days(venue, now), now=now
    )
    columns = _columns(grid)
    days = [_day_view(d, columns, today) for d in grid.days]
    active = next((d for d in days if d.day == wanted), None)
    if active is None:
        # The first day with something to book, so a late evening does not open on a dead day.
        active = next((d for d in days if d.free), days[0])
    return {
        "venue": venue,
        "grid": grid,
        "columns": columns,
        "days": days,
        "active": active,
        "policy": grid.policy,
        "max_slots": MAX_SLOTS_PER_BOOKING,
        "idem": _uuid(),
    }


def _venue(venue_id: int) -> Venue:
    venue = published_venues().filter(pk=venue_id).first()
    if venue is None:
        raise NotFound("venue_not_found", gettext_lazy("未找到该场馆。"))
    return venue


@require_http_methods(["GET", "POST"])
def book(request: HttpRequest, venue_id: int) -> HttpResponse:
    """The slot grid (GET); holding the chosen slots (POST) leads to checkout.

    A refused hold re-renders the grid with the reason and fresh states, nothing
    selected; anonymous visitors see the grid and are sent to log in to hold.
    """
    venue = _venue(venue_id)
    wanted = parse_day(request.POST.get("day") or request.GET.get("day"))
    if request.method == "GET":
        return render(request, "portal/booking/grid.html", _grid_context(request, venue, wanted))
    if not request.user.is_authenticated:
        url = reverse("portal:book", args=[venue.pk])
        return redirect_to_login(f"{url}?day={wanted.isoformat()}" if wanted else url)
    user = request.user
    try:
        choices = parse_slots(request.POST.getlist("slot"))
        payload = sorted(slot_value(c.court_id, c.starts_at) for c in choices)

        def action() -> tuple[int, dict[str, Any]]:
            booking = booking_hold(user=user, venue_id=venue.pk, slots=choices)
            return 201, {"number": booking.number}

        _status, body = run_idempotent(
            key=idempotency_key(request.POST.get("idem")),
            scope=f"portal.hold:{venue.pk}",
            user=user,
            payload=payload,
            action=action,
        )
    except DomainError as exc:
        ctx = _grid_context(request, venue, wanted)
        ctx["error"] = exc.as_dict()
        return render(request, "portal/booking/grid.html", ctx, status=exc.status)
    return redirect("portal:checkout", number=body["number"])


# --- Slots of a booking, for the pages below --------------------------------------


@dataclass
class SlotView:
    """One slot of a booking as the pages list it."""

    slot: BookingSlot
    day: date
    weekday: str | Promise
    start: datetime
    end: datetime
    court: str
    status: str
    cancellable: bool


def _slot_views(booking: Booking, now: datetime) -> list[SlotView]:
    slots = list(booking.slots.all())
    halls = set(
        Court.objects.filter(parent_id__in={s.court_id for s in slots}).values_list(
            "parent_id", flat=True
        )
    )
    out = []
    for slot in slots:
        start = timezone.localtime(slot.starts_at)
        name = slot.court.name
        out.append(
            SlotView(
                slot=slot,
                day=start.date(),
                weekday=WEEKDAYS[start.weekday()],
                start=start,
                end=timezone.localtime(slot.ends_at),
                court=_("%(name)s（整场）") % {"name": name} if slot.court_id in halls else name,
                status=str(slot.get_status_display()),
                cancellable=slot.status in LIVE and slot.starts_at > now,
            )
        )
    return out


def _booking_url(booking: Booking) -> str:
    return reverse("portal:booking", args=[booking.number])


def _topup_url(next_url: str) -> str:
    try:
        url = reverse("portal:wallet_topup")
    except NoReverseMatch:
        url = "/wallet/topup/"
    return f"{url}?next={next_url}"


# --- Checkout -------------------------------------------------------------------


def _pay_methods(balance_fen: int, total_fen: int) -> list[dict[str, Any]]:
    methods = [
        {
            "value": Method.STORED_VALUE.value,
            "label": gettext_lazy("一卡通"),
            "short": balance_fen < total_fen,
        }
    ]
    for name in gateways_enabled():
        if name in GATEWAY_LABELS:
            methods.append({"value": name, "label": GATEWAY_LABELS[name], "short": False})
    return methods


def _checkout_context(request: HttpRequest, booking: Booking) -> dict[str, Any]:
    now = timezone.now()
    booking = booking_detail(booking)
    balance = stored_value_account(request.user).balance_fen
    methods = _pay_methods(balance, booking.total_fen)
    chosen = request.POST.get("method") or next(
        (m["value"] for m in methods if not m["short"]), methods[0]["value"]
    )
    seconds = _seconds_left(booking.hold_expires_at, now)
    checkout_url = reverse("portal:checkout", args=[booking.number])
    return {
        "booking": booking,
        "venue": booking.venue,
        "slots": _slot_views(booking, now),
        "seconds_left": seconds,
        "clock": clock(seconds),
        "expired": seconds <= 0,
        "balance_fen": balance,
        "short_fen": max(0, booking.total_fen - balance),
        "topup_url": _topup_url(checkout_url),
        "methods": methods,
        "chosen": chosen,
        "idem": _uuid(),
    }


@login_required
@require_http_methods(["GET", "POST"])
def checkout(request: HttpRequest, number: str) -> HttpResponse:
    """A held booking's summary, the hold's countdown and the choice of how to pay.

    Paying takes a one-time key from the form, so a double submit pays once.
    """
    booking = own_booking(request.user, number)
    if booking.status != BookingStatus.HELD:
        return redirect(_booking_url(booking))
    if request.method == "GET":
        return render(request, "portal/booking/checkout.html", _checkout_context(request, booking))
    user = request.user
    method = request.POST.get("method", "")
    return_url = request.build_absolute_uri(_booking_url(booking))
    try:

        def action() -> tuple[int, dict[str, Any]]:
            outcome = booking_pay(
                user=user,
                number=booking.number,
                method=check_payable_method(method),
                return_url=return_url,
            )
            req = outcome.pay_request
            if req is None:
                return 200, {"paid": True}
            return 200, {"paid": False, "redirect": req.redirect_url, "code_url": req.code_url}

        _status, body = run_idempotent(
            key=idempotency_key(request.POST.get("idem")),
            scope=f"portal.pay:{booking.number}",
            user=user,
            payload={"method": method},
            action=action,
        )
    except DomainError as exc:
        ctx = _checkout_context(request, booking)
        ctx["error"] = exc.as_dict()
        return render(request, "portal/booking/checkout.html", ctx, status=exc.status)
    if body.get("paid"):
        messages.success(request, _("支付成功，预订已确认。到场出示入场码即可。"))
        return redirect(_booking_url(booking))
    target = body.get("redirect") or ""
    if target:
        # The adapter built this address (our sandbox cashier or the gateway's page).
        return HttpResponseRedirect(target)
    # A gateway that answers with a QR code (WeChat Native) instead of a page.
    ctx = _checkout_context(request, booking)
    ctx["code_url"] = body.get("code_url") or ""
    return render(request, "portal/booking/checkout.html", ctx)


# --- One booking ------------------------------------------------------------------


@login_required
@require_GET
def booking_page(request: HttpRequest, number: str) -> HttpResponse:
    """Status, slots, money and (when confirmed) the entry QR code and code."""
    now = timezone.now()
    booking = booking_detail(own_booking(request.user, number))
    slots = _slot_views(booking, now)
    confirmed = booking.status == BookingStatus.CONFIRMED
    held = booking.status == BookingStatus.HELD
    code = booking.entry_code
    return render(
        request,
        "portal/booking/detail.html",
        {
            "booking": booking,
            "venue": booking.venue,
            "slots": slots,
            "confirmed": confirmed,
            "held": held and _seconds_left(booking.hold_expires_at, now) > 0,
            "seconds_left": _seconds_left(booking.hold_expires_at, now),
            "clock": clock(_seconds_left(booking.hold_expires_at, now)),
            "qr_svg": entry_qr_svg(booking) if confirmed else "",
            "code_groups": [code[i : i + 4] for i in range(0, len(code), 4)],
            "can_cancel": booking.status in (BookingStatus.HELD, BookingStatus.CONFIRMED)
            and any(s.cancellable for s in slots),
            "paid_fen": booking.payment.amount_fen if booking.payment else 0,
            "method_label": booking.payment.get_method_display() if booking.payment else "",
        },
    )


# --- Cancellation -----------------------------------------------------------------


@dataclass
class Tier:
    """One cancellation tier in words."""

    when: str
    fee: str


def tiers_in_words(tiers: list[list[int]]) -> list[Tier]:
    """``[[24, 0], [2, 20], [0, 50]]`` as "24 小时以上：免费" lines, plus "after the start"."""
    ordered = sorted(([int(h), int(p)] for h, p in tiers), key=lambda t: -t[0])
    out = []
    above: int | None = None
    for hours, percent in ordered:
        if above is None:
            when = _("开场前 %(h)s 小时及以上") % {"h": hours} if hours > 0 else _("开场前任何时间")
        elif hours > 0:
            when = _("开场前 %(low)s–%(high)s 小时") % {"low": hours, "high": above}
        else:
            when = _("开场前不足 %(h)s 小时") % {"h": above}
        out.append(Tier(when, _fee_words(percent)))
        above = hours
    if above is None:
        out.append(Tier(_("开场前任何时间"), _fee_words(100)))
    elif above > 0:
        out.append(Tier(_("开场前不足 %(h)s 小时") % {"h": above}, _fee_words(100)))
    out.append(Tier(_("开场后"), _("不可取消")))
    return out


def _fee_words(percent: int) -> str:
    if percent <= 0:
        return _("免费取消，全额退款")
    if percent >= 100:
        return _("不退款")
    return _("收取 %(p)s%% 手续费，退还 %(r)s%%") % {"p": percent, "r": 100 - percent}


def _cancel_context(
    booking: Booking,
    slots: list[SlotView],
    chosen: list[int] | None,
    now: datetime,
) -> dict[str, Any]:
    """``chosen`` None: every cancellable slot (the page's first view)."""
    cancellable = [s for s in slots if s.cancellable]
    ids = {s.slot.pk for s in cancellable}
    chosen = sorted(ids) if chosen is None else [i for i in chosen if i in ids]
    ctx: dict[str, Any] = {
        "booking": booking,
        "venue": booking.venue,
        "slots": slots,
        "cancellable": cancellable,
        "chosen": chosen,
        "tiers": tiers_in_words(booking.cancel_tiers),
        "paid": booking.status == BookingStatus.CONFIRMED,
        "method_label": booking.payment.get_method_display() if booking.payment else "",
        "idem": _uuid(),
    }
    by_id = {}
    if chosen:
        quote: Quote = cancellation_quote(booking, chosen, now=now)
        by_id = {q.slot_id: q for q in quote.slots}
        ctx["quote"] = quote
    ctx["rows"] = [(s, by_id.get(s.slot.pk)) for s in cancellable]
    return ctx


@login_required
@require_http_methods(["GET", "POST"])
def cancel(request: HttpRequest, number: str) -> HttpResponse:
    """Choose slots (all by default), see the refund, then confirm.

    The confirm form carries exactly the slots the quote on screen was for.
    """
    now = timezone.now()
    booking = booking_detail(own_booking(request.user, number))
    slots = _slot_views(booking, now)
    if request.method == "GET":
        # ``picked`` marks a choice made on the page, where unticking everything means none.
        chosen = parse_ids(request.GET.getlist("slot")) if "picked" in request.GET else None
        try:
            ctx = _cancel_context(booking, slots, chosen, now)
        except DomainError as exc:
            ctx = _cancel_context(booking, slots, [], now)
            ctx["error"] = exc.as_dict()
        return render(request, "portal/booking/cancel.html", ctx)
    user = request.user
    ids = parse_ids(request.POST.getlist("slot"))
    try:
        if not ids:
            # An empty list means "all" to the service; here it is a mistake.
            raise validation_error("slot", _("请选择要取消的时段。"), "slots_empty")

        def action() -> tuple[int, dict[str, Any]]:
            before = booking.refunded_fen
            after = booking_cancel(actor=user, booking=booking, slot_ids=ids)
            return 200, {"refund_fen": after.refunded_fen - before, "slots": len(ids)}

        _status, body = run_idempotent(
            key=idempotency_key(request.POST.get("idem")),
            scope=f"portal.cancel:{booking.number}",
            user=user,
            payload={"slots": ids},
            action=action,
        )
    except DomainError as exc:
        booking = booking_detail(booking)
        slots = _slot_views(booking, now)
        ctx = _cancel_context(booking, slots, ids, now)
        ctx["error"] = exc.as_dict()
        return render(request, "portal/booking/cancel.html", ctx, status=exc.status)
    if body["refund_fen"]:
        messages.success(
            request,
            _("已取消 %(n)s 个时段，退款 ¥%(y)s 将原路退回。")
            % {"n": body["slots"], "y": yuan(body["refund_fen"])},
        )
    else:
        messages.success(request, _("已取消 %(n)s 个时段。") % {"n": body["slots"]})
    return redirect(_booking_url(booking))


def yuan(fen: int) -> str:
    """12345 -> "123.45"."""
    return f"{fen // 100}.{fen % 100:02d}"


# --- My bookings ------------------------------------------------------------------


@dataclass
class Card:
    """A booking in the list."""

    booking: Booking
    slots: list[BookingSlot]
    first: datetime | None
    weekday: str | Promise
    courts: list[str]
    seconds_left: int
    clock: str
    url: str


def _card(booking: Booking, now: datetime) -> Card:
    slots = list(booking.slots.all())
    first = timezone.localtime(slots[0].starts_at) if slots else None
    held = booking.status == BookingStatus.HELD
    seconds = _seconds_left(booking.hold_expires_at, now) if held else 0
    courts = list(dict.fromkeys(s.court.name for s in slots))
    url = (
        reverse("portal:checkout", args=[booking.number])
        if held and seconds
        else _booking_url(booking)
    )
    return Card(
        booking=booking,
        slots=slots,
        first=first,
        weekday=WEEKDAYS[first.weekday()] if first else "",
        courts=courts,
        seconds_left=seconds,
        clock=clock(seconds),
        url=url,
    )


@login_required
@require_GET
def bookings(request: HttpRequest) -> HttpResponse:
    """My bookings: upcoming, past or cancelled, newest page first."""
    tab = request.GET.get("tab", "upcoming")
    if tab not in dict(TABS):
        tab = "upcoming"
    now = timezone.now()
    page = Paginator(bookings_for_user(request.user, tab, now=now), BOOKINGS_PER_PAGE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "portal/booking/list.html",
        {
            "tab": tab,
            "tabs": TABS,
            "page": page,
            "cards": [_card(b, now) for b in page.object_list],
        },
    )
