"""Resident booking actions: hold slots, pay, confirm a gateway payment, cancel.

Each is one atomic service (ARCHITECTURE rule 1). The scarce thing is court time:
every action that changes it locks the units' courts once, recounts occupancy
inside the lock, and leaves the last word to ``UNIQUE(court, starts_at)``.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tiyu.booking import notify
from tiyu.booking.models import (
    Booking,
    BookingPolicy,
    BookingSlot,
    BookingStatus,
    Channel,
    Occupancy,
    SlotStatus,
)
from tiyu.booking.occupancy import (
    claims_for,
    confirm_units,
    lock_units,
    occupy,
    release_slots,
    slot_units,
)
from tiyu.booking.rules import (
    booking_window,
    cancellation_fee_percent,
    check_limits,
    check_no_show_ban,
    history,
    policy_of,
    tiers_for,
)
from tiyu.booking.timegrid import CourtTree, closed_days, day_slots, local_day
from tiyu.core import audit
from tiyu.core.errors import Conflict, DomainError, NotFound, validation_error
from tiyu.payments.models import GATEWAY_METHODS, Method, Payment, Purpose
from tiyu.payments.services import (
    PayRequest,
    payment_start,
    payment_take_cash,
    payment_take_stored_value,
    refund_issue,
)
from tiyu.venues.config import holiday_calendar, venue_config
from tiyu.venues.models import Court, Venue
from tiyu.venues.pricing import PriceBook

MAX_SLOTS_PER_BOOKING = 8


@dataclass(frozen=True)
class SlotChoice:
    """A slot the client picked: a court and the slot's start (aware datetime)."""

    court_id: int
    starts_at: datetime


@dataclass
class Line:
    """A validated, priced slot about to be held."""

    court: Court
    starts_at: datetime
    ends_at: datetime
    price_fen: int
    band: str


@dataclass
class Plan:
    """Everything a hold needs, loaded in a fixed number of queries."""

    venue: Venue
    policy: BookingPolicy
    tree: CourtTree
    lines: list[Line]

    @property
    def total_fen(self) -> int:
        return sum(line.price_fen for line in self.lines)

    def minutes_by_day(self) -> dict[date, int]:
        out: dict[date, int] = defaultdict(int)
        for line in self.lines:
            out[local_day(line.starts_at)] += int((line.ends_at - line.starts_at).seconds // 60)
        return dict(out)


def _now(now: datetime | None) -> datetime:
    return now or timezone.now()


def _bookable_venue(venue_id: int) -> Venue:
    venue = (
        Venue.objects.select_related("booking_policy")
        .filter(pk=venue_id, is_published=True)
        .first()
    )
    if venue is None:
        raise NotFound("venue_not_found", _("未找到该场馆。"))
    return venue


def plan_slots(
    *,
    venue: Venue,
    choices: Sequence[SlotChoice],
    user: Any,
    now: datetime,
    front_desk: bool = False,
) -> Plan:
    """Validate and price the chosen slots against hours, closures, the window and prices.

    The front desk may book any future slot; residents only inside the booking window.
    """
    if not choices:
        raise validation_error("slots", _("请至少选择一个时段。"), "slots_empty")
    if len(choices) > MAX_SLOTS_PER_BOOKING:
        raise validation_error(
            "slots",
            _("一次最多预订 %(n)s 个时段。") % {"n": MAX_SLOTS_PER_BOOKING},
            "slots_too_many",
        )
    if len({(c.court_id, c.starts_at) for c in choices}) != len(choices):
        raise validation_error("slots", _("重复选择了同一时段。"), "slots_duplicate")
    policy = policy_of(venue)
    config = venue_config(venue.pk)
    tree = CourtTree(config.courts)
    hours = config.hours
    days = sorted({local_day(c.starts_at) for c in choices})
    closed = closed_days(config.closures)
    book = PriceBook.for_range(config.rules, holiday_calendar(), days[0], days[-1])
    tiers = tiers_for(user, venue.pk, local_day(now)) if _has_tier_prices(config) else []
    window = booking_window(policy, now)
    lines = []
    for choice in sorted(choices, key=lambda c: (c.starts_at, c.court_id)):
        court = tree.courts.get(choice.court_id)
        if court is None or not court.is_active:
            raise validation_error("slots", _("该场地不存在或未开放预订。"), "court_unknown")
        day = local_day(choice.starts_at)
        local_start = timezone.localtime(choice.starts_at).time()
        end = next((e for s, e in day_slots(court, day, hours) if s == local_start), None)
        if end is None or day in closed:
            raise validation_error("slots", _("所选时段不在开放时间内。"), "slot_closed")
        if choice.starts_at <= now:
            raise validation_error("slots", _("所选时段已经开始或已过去。"), "slot_past")
        if not front_desk and not window.contains(day):
            raise validation_error(
                "slots",
                _("该日期尚未开放预订（可提前 %(n)s 天，每日 %(h)s:00 放号）。")
                % {"n": policy.advance_days, "h": policy.release_hour},
                "slot_outside_window",
            )
        price = book.price(court.pk, day, local_start, end)
        if price is None:
            raise validation_error("slots", _("该时段未定价，暂不可预订。"), "slot_unpriced")
        ends_at = choice.starts_at + timedelta(minutes=court.slot_minutes)
        lines.append(Line(court, choice.starts_at, ends_at, price.for_tiers(tiers), price.band))
    _check_no_overlap(tree, lines)
    return Plan(venue=venue, policy=policy, tree=tree, lines=lines)


def _has_tier_prices(config: Any) -> bool:
    """Whether any rule has a member or concession price (else nobody's tier matters)."""
    return any(
        r.member_price_fen is not None or r.concession_price_fen is not None for r in config.rules
    )


def _check_no_overlap(tree: CourtTree, lines: list[Line]) -> None:
    """One order may not claim a unit twice (a hall and its own part at the same hour)."""
    seen: set[tuple[int, datetime]] = set()
    for line in lines:
        units = tree.units(line.court.pk, line.starts_at, line.ends_at)
        if seen.intersection(units):
            raise validation_error(
                "slots",
                _("所选时段互相重叠（整场与其分场不能同时预订）。"),
                "slots_overlap",
            )
        seen.update(units)


def _create_held(
    plan: Plan, *, user: Any, now: datetime, channel: str, actor: Any, customer_name: str = ""
) -> Booking:
    """Write the booking, its slots and their occupancy (caller holds the lock)."""
    booking = Booking.objects.create(
        user=user,
        venue=plan.venue,
        status=BookingStatus.HELD,
        channel=channel,
        hold_expires_at=now + timedelta(minutes=plan.policy.hold_minutes),
        total_fen=plan.total_fen,
        cancel_tiers=plan.policy.cancel_tiers,
        customer_name=customer_name,
        created_by=actor if actor is not None and actor != user else None,
    )
    slots = BookingSlot.objects.bulk_create(
        BookingSlot(
            booking=booking,
            court=line.court,
            starts_at=line.starts_at,
            ends_at=line.ends_at,
            price_fen=line.price_fen,
            band=line.band,
        )
        for line in plan.lines
    )
    occupy(claims_for(plan.tree, slots), now=now, hold_expires_at=booking.hold_expires_at)
    booking.venue = plan.venue
    return remember_slots(booking, slots)


def _plan_units(plan: Plan) -> list[tuple[int, datetime]]:
    return [
        u
        for line in plan.lines
        for u in plan.tree.units(line.court.pk, line.starts_at, line.ends_at)
    ]


def booking_hold(
    *, user: Any, venue_id: int, slots: Sequence[SlotChoice], now: datetime | None = None
) -> Booking:
    """Hold the chosen slots for the resident while they pay (default 10 minutes).

    Refusals: ``slot_taken`` (409) when any unit is in use, the window and
    fair-use codes of :mod:`tiyu.booking.rules`, and validation errors. A refused
    hold writes nothing.
    """
    now = _now(now)
    venue = _bookable_venue(venue_id)
    plan = plan_slots(venue=venue, choices=slots, user=user, now=now)
    with transaction.atomic():
        lock_units(_plan_units(plan), user_id=user.pk)
        past = history(user, plan.policy, now)
        check_no_show_ban(past, plan.policy, now)
        check_limits(past, plan.policy, plan.minutes_by_day())
        booking = _create_held(plan, user=user, now=now, channel=Channel.ONLINE, actor=user)
        audit.log(
            "booking.held",
            user,
            booking,
            {"slots": len(plan.lines), "total_fen": booking.total_fen},
        )
    return booking


def _locked_booking(booking_id: int, *, tree: CourtTree | None = None) -> tuple[Booking, CourtTree]:
    """Lock a booking's units, then the booking row: the order every writer uses."""
    booking = Booking.objects.get(pk=booking_id)
    tree = tree or CourtTree(Court.objects.filter(venue_id=booking.venue_id))
    lock_units(slot_units(tree, booking.slots.all()), user_id=booking.user_id)
    return Booking.objects.select_for_update().get(pk=booking_id), tree


def _lock_own_booking(user: Any, number: str) -> Booking:
    """The resident's booking, locked as :func:`_lock_held_units` does, found by number.

    The units are read by number and owner in the same query that finds them, so a
    payment costs no separate ownership read; not yours or absent is a 404.
    """
    units = list(
        Occupancy.objects.filter(
            slot__booking__number=number, slot__booking__user=user
        ).values_list("court_id", "starts_at")
    )
    lock_units(units, user_id=user.pk)
    booking = (
        Booking.objects.select_for_update(of=("self",))
        .select_related("venue")
        .filter(number=number, user=user)
        .first()
    )
    if booking is None:
        raise NotFound("booking_not_found", _("未找到该预订。"))
    booking.user = user
    return booking


def slots_of(booking: Booking) -> list[BookingSlot]:
    """The booking's slots with their courts: the remembered ones, else one query."""
    cached = getattr(booking, "_prefetched_objects_cache", {}).get("slots")
    if cached is not None:
        return list(cached)
    return list(booking.slots.select_related("court").order_by("starts_at", "court_id"))


def remember_slots(booking: Booking, slots: list[BookingSlot]) -> Booking:
    """Keep the slots on the booking as if prefetched, so answers need no re-read."""
    cached = booking.slots.all()
    cached._result_cache = list(slots)
    cached._prefetch_done = True  # type: ignore[attr-defined]
    booking._prefetched_objects_cache = {"slots": cached}  # type: ignore[attr-defined]
    return booking


def _confirm(
    booking: Booking,
    payment: Payment | None,
    *,
    actor: Any,
    slots: list[BookingSlot] | None = None,
) -> None:
    """Held → confirmed: the slots stop expiring."""
    if slots is None:
        slots = slots_of(booking)
    booking.status = BookingStatus.CONFIRMED
    booking.hold_expires_at = None
    booking.payment = payment
    booking.save(update_fields=["status", "hold_expires_at", "payment", "updated_at"])
    waking = [s for s in slots if s.status in (SlotStatus.HELD, SlotStatus.EXPIRED)]
    BookingSlot.objects.filter(pk__in=[s.pk for s in waking]).update(status=SlotStatus.CONFIRMED)
    for slot in waking:
        slot.status = SlotStatus.CONFIRMED
    confirm_units([s.pk for s in slots])
    audit.log(
        "booking.confirmed",
        actor,
        booking,
        {"payment": payment.out_trade_no if payment else None, "total_fen": booking.total_fen},
    )
    notify.booking_confirmed(booking, slots)
    remember_slots(booking, slots)


def own_booking(user: Any, number: str) -> Booking:
    """The resident's own booking by number, or 404."""
    booking = Booking.objects.select_related("venue").filter(number=number, user=user).first()
    if booking is None:
        raise NotFound("booking_not_found", _("未找到该预订。"))
    booking.user = user
    return booking


@dataclass
class PayOutcome:
    """The booking after a pay request, and what the client must do for a gateway."""

    booking: Booking
    pay_request: PayRequest | None = None


def _check_payable(booking: Booking, now: datetime) -> None:
    if booking.status == BookingStatus.CONFIRMED:
        raise Conflict("booking_already_paid", _("该预订已支付。"))
    if booking.status != BookingStatus.HELD or (
        booking.hold_expires_at is not None and booking.hold_expires_at <= now
    ):
        raise Conflict("hold_expired", _("锁定已过期，请重新选择时段。"))


def booking_pay(
    *,
    user: Any,
    number: str,
    method: str,
    return_url: str = "",
    now: datetime | None = None,
) -> PayOutcome:
    """Pay for a held booking: stored value confirms at once, a gateway returns a pay request.

    A free booking (total 0) is confirmed without any payment.
    """
    now = _now(now)
    if method != Method.STORED_VALUE:
        booking = own_booking(user, number)
        _check_payable(booking, now)
        if booking.total_fen > 0:
            if method not in GATEWAY_METHODS:
                raise validation_error("method", _("不支持的支付方式。"), "method_invalid")
            _pending, request = payment_start(
                user=user,
                venue=booking.venue,
                purpose=Purpose.BOOKING,
                reference=booking.number,
                amount_fen=booking.total_fen,
                method=method,
                return_url=return_url,
            )
            return PayOutcome(booking, request)
    with transaction.atomic():
        booking = _lock_own_booking(user, number)
        _check_payable(booking, now)
        payment = None
        if booking.total_fen > 0:
            payment = payment_take_stored_value(
                user=user,
                venue=booking.venue,
                purpose=Purpose.BOOKING,
                reference=booking.number,
                amount_fen=booking.total_fen,
                actor=user,
            )
        _confirm(booking, payment, actor=user)
    return PayOutcome(booking)


@transaction.atomic
def booking_confirm_payment(*, payment: Payment, now: datetime | None = None) -> Booking | None:
    """Settle a gateway payment that just succeeded against its booking.

    Confirms a held booking, even one whose hold lapsed, if its slots can still be
    secured. When they cannot, or the booking was already paid or cancelled, the
    payment goes straight back (refund to the original method) and the resident is
    told. Running it twice for one payment changes nothing the second time.
    """
    now = _now(now)
    found = Booking.objects.filter(number=payment.reference).first()
    if found is None:
        return None  # the reconciliation lists a payment without a booking
    booking, tree = _locked_booking(found.pk)
    if booking.payment_id == payment.pk:
        return booking
    if booking.status in (BookingStatus.CONFIRMED, BookingStatus.CANCELLED) or (
        payment.amount_fen != booking.total_fen
    ):
        _refund_whole(payment, reason="booking_not_payable")
        return booking
    slots = list(booking.slots.all())
    try:
        with transaction.atomic():
            occupy(claims_for(tree, slots), now=now, hold_expires_at=None)
    except Conflict:
        booking.status = BookingStatus.EXPIRED
        booking.save(update_fields=["status", "updated_at"])
        booking.slots.filter(status=SlotStatus.HELD).update(status=SlotStatus.EXPIRED)
        _refund_whole(payment, reason="slots_lost")
        audit.log("booking.payment_refunded", None, booking, {"reason": "slots_lost"})
        notify.booking_lost(booking)
        return booking
    _confirm(booking, payment, actor=None)
    return booking


def _refund_whole(payment: Payment, *, reason: str) -> None:
    if payment.refundable_fen > 0:
        refund_issue(payment=payment, amount_fen=payment.refundable_fen, reason=reason)


@dataclass(frozen=True)
class SlotQuote:
    """What cancelling one slot now costs and returns."""

    slot_id: int
    price_fen: int
    fee_percent: int
    refund_fen: int


@dataclass(frozen=True)
class Quote:
    """What cancelling some slots of a booking now returns, slot by slot."""

    slots: list[SlotQuote]

    @property
    def refund_fen(self) -> int:
        return sum(s.refund_fen for s in self.slots)

    @property
    def fee_fen(self) -> int:
        return sum(s.price_fen - s.refund_fen for s in self.slots)


def _cancellable(booking: Booking, slot_ids: Sequence[int] | None) -> list[BookingSlot]:
    wanted = booking.slots.filter(status__in=(SlotStatus.HELD, SlotStatus.CONFIRMED))
    if slot_ids:
        chosen = list(wanted.filter(pk__in=slot_ids))
        if len(chosen) != len(set(slot_ids)):
            raise validation_error("slot_ids", _("所选时段不可取消。"), "slots_not_cancellable")
        return chosen
    chosen = list(wanted)
    if not chosen:
        raise Conflict("booking_not_cancellable", _("该预订没有可取消的时段。"))
    return chosen


def cancellation_quote(
    booking: Booking,
    slot_ids: Sequence[int] | None = None,
    *,
    now: datetime | None = None,
    waive_fee: bool = False,
) -> Quote:
    """The refund for cancelling ``slot_ids`` (all live slots when None) now.

    Held, unpaid slots refund nothing; paid ones refund their price minus the
    fee of the tier copied onto the booking; the venue cancelling waives the fee.
    """
    now = _now(now)
    out = []
    for slot in _cancellable(booking, slot_ids):
        if booking.status != BookingStatus.CONFIRMED:
            out.append(SlotQuote(slot.pk, slot.price_fen, 0, 0))
            continue
        percent = (
            0 if waive_fee else cancellation_fee_percent(booking.cancel_tiers, slot.starts_at, now)
        )
        fee = slot.price_fen * percent // 100
        out.append(SlotQuote(slot.pk, slot.price_fen, percent, slot.price_fen - fee))
    return Quote(out)


def booking_cancel(
    *,
    actor: Any,
    booking: Booking,
    slot_ids: Sequence[int] | None = None,
    by_venue: bool = False,
    reason: str = "",
    now: datetime | None = None,
) -> Booking:
    """Cancel some or all live slots; refund what the policy (or the venue) allows.

    The caller has established that ``actor`` may cancel this booking: its owner,
    or the venue's staff (``by_venue``: no fee, and allowed after the start).
    """
    now = _now(now)
    with transaction.atomic():
        booking, _tree = _locked_booking(booking.pk)
        if by_venue:
            quote = cancellation_quote(booking, slot_ids, now=now, waive_fee=True)
        else:
            quote = cancellation_quote(booking, slot_ids, now=now)
        ids = [q.slot_id for q in quote.slots]
        for q in quote.slots:
            BookingSlot.objects.filter(pk=q.slot_id).update(
                status=SlotStatus.CANCELLED, refund_fen=q.refund_fen, cancelled_at=now
            )
        release_slots(ids)
        if quote.refund_fen and booking.payment is not None:
            refund_issue(
                payment=booking.payment,
                amount_fen=quote.refund_fen,
                reason=reason or "booking_cancelled",
                actor=actor,
            )
        if booking.status == BookingStatus.HELD:
            # Unpaid slots let go: paying later charges only what is still held.
            booking.total_fen -= sum(q.price_fen for q in quote.slots)
        booking.refunded_fen += quote.refund_fen
        live = booking.slots.filter(
            status__in=(SlotStatus.HELD, SlotStatus.CONFIRMED, SlotStatus.CHECKED_IN)
        ).exists()
        if not live:
            booking.status = BookingStatus.CANCELLED
            booking.hold_expires_at = None
        booking.save(
            update_fields=["status", "total_fen", "refunded_fen", "hold_expires_at", "updated_at"]
        )
        audit.log(
            "booking.cancelled",
            actor,
            booking,
            {"slots": ids, "refund_fen": quote.refund_fen, "by_venue": by_venue},
        )
        notify.booking_cancelled(booking, quote.refund_fen)
    return booking


def front_desk_pay(
    *, actor: Any, booking: Booking, method: str, payer: Any = None
) -> Payment | None:
    """Settle a front-desk booking on the spot: cash, or the customer's stored-value card."""
    if booking.total_fen == 0:
        return None
    if method == Method.CASH:
        return payment_take_cash(
            user=booking.user,
            venue=booking.venue,
            purpose=Purpose.BOOKING,
            reference=booking.number,
            amount_fen=booking.total_fen,
            actor=actor,
        )
    if method == Method.STORED_VALUE:
        return payment_take_stored_value(
            user=payer or booking.user,
            venue=booking.venue,
            purpose=Purpose.BOOKING,
            reference=booking.number,
            amount_fen=booking.total_fen,
            actor=actor,
        )
    raise validation_error("method", _("前台只支持现金或一卡通。"), "method_invalid")


def front_desk_book(
    *,
    actor: Any,
    venue: Venue,
    customer: Any,
    slots: Sequence[SlotChoice],
    method: str,
    customer_name: str = "",
    channel: str = Channel.FRONT_DESK,
    now: datetime | None = None,
) -> Booking:
    """Book and settle for a walk-in (cash or card) in one step, at any future slot.

    Fair-use limits and the booking window are the residents' rules; the front
    desk is not bound by them. The caller checked that ``actor`` works at ``venue``.
    """
    now = _now(now)
    plan = plan_slots(venue=venue, choices=slots, user=customer, now=now, front_desk=True)
    with transaction.atomic():
        lock_units(_plan_units(plan), user_id=customer.pk)
        booking = _create_held(
            plan,
            user=customer,
            now=now,
            channel=channel,
            actor=actor,
            customer_name=customer_name,
        )
        payment = front_desk_pay(actor=actor, booking=booking, method=method)
        _confirm(booking, payment, actor=actor)
    return booking


def check_payable_method(method: str) -> str:
    """The method if it is one we take, else a 400."""
    if method not in Method.values:
        raise DomainError("method_invalid", _("不支持的支付方式。"))
    return method
