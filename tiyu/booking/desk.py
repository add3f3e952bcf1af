"""Front-desk actions: check-in, walk-in bookings, blocks, members, concessions, policy.

Only the venue's own staff and managers (and platform admins) work a front desk;
officials see the venue's figures but do not operate it. Every action here is one
atomic, audited service.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tiyu.booking.entry import entry_code_from
from tiyu.booking.models import (
    Block,
    BlockKind,
    Booking,
    BookingPolicy,
    BookingSlot,
    BookingStatus,
    Concession,
    ConcessionGroup,
    SlotStatus,
    VenueMember,
)
from tiyu.booking.occupancy import Claim, lock_units, occupy
from tiyu.booking.rules import policy_for
from tiyu.booking.services import SlotChoice, front_desk_book
from tiyu.booking.timegrid import CourtTree
from tiyu.core import audit
from tiyu.core.errors import Conflict, NotFound, validation_error
from tiyu.payments.services import topup_cash
from tiyu.regions.scope import scope_for
from tiyu.venues.models import Court, Venue


def desk_venue(user: Any, venue_id: int, *, manage: bool = False) -> Venue:
    """The venue if ``user`` works its front desk (or manages it, with ``manage``), else 404."""
    scope = scope_for(user)
    allowed = scope.managed_venue_ids if manage else scope.venue_ids
    if not (scope.everything or venue_id in allowed):
        raise NotFound("venue_not_found", _("未找到该场馆。"))
    venue = Venue.objects.filter(pk=venue_id).first()
    if venue is None:
        raise NotFound("venue_not_found", _("未找到该场馆。"))
    return venue


def can_work_desk(user: Any, venue_id: int) -> bool:
    """Whether ``user`` is staff, a manager or an admin for the venue."""
    scope = scope_for(user)
    return scope.everything or venue_id in scope.venue_ids


@transaction.atomic
def booking_check_in(
    *, actor: Any, code: str, venue_id: int | None = None, now: datetime | None = None
) -> Booking:
    """Check in the slots of a booking whose window is open now (核销).

    The window opens ``checkin_before_minutes`` before a slot's start and closes at
    its end. ``venue_id`` pins the desk's venue: a code from another venue is
    refused as not found. A gate calls :func:`booking_gate_check_in`; both share
    :func:`_check_in`.
    """
    booking = _booking_by_code(code, venue_id)
    if not can_work_desk(actor, booking.venue_id):
        raise NotFound("entry_code_unknown", _("未找到该入场码对应的预订。"))
    return _check_in(booking, now=now or timezone.now(), actor=actor, via={})


@transaction.atomic
def booking_gate_check_in(
    *, venue_id: int, code: str, device_id: int, now: datetime | None = None
) -> Booking:
    """Check in a booking whose entry code a gate of ``venue_id`` scanned (闸机核销).

    The gate is the actor: the device app has authenticated it and pins its venue.
    A booking already checked in whose slot is still running admits its holder
    again (they stepped out and came back); nothing changes then.
    """
    booking = _booking_by_code(code, venue_id)
    try:
        with transaction.atomic():
            return _check_in(
                booking, now=now or timezone.now(), actor=None, via={"device": device_id}
            )
    except Conflict as exc:
        if exc.code == "checkin_already":
            return booking
        raise


def _booking_by_code(code: str, venue_id: int | None) -> Booking:
    entry_code = entry_code_from(code)
    booking = Booking.objects.select_related("venue").filter(entry_code=entry_code).first()
    if booking is None or (venue_id is not None and booking.venue_id != venue_id):
        raise NotFound("entry_code_unknown", _("未找到该入场码对应的预订。"))
    return booking


def _check_in(booking: Booking, *, now: datetime, actor: Any, via: dict[str, Any]) -> Booking:
    booking = Booking.objects.select_for_update().get(pk=booking.pk)
    if booking.status != BookingStatus.CONFIRMED:
        raise Conflict("booking_not_confirmed", _("该预订未支付或已取消，不能核销。"))
    before = timedelta(minutes=policy_for(booking.venue_id).checkin_before_minutes)
    slots = list(booking.slots.filter(status=SlotStatus.CONFIRMED))
    due = [s for s in slots if s.starts_at - before <= now < s.ends_at]
    if not due:
        if booking.slots.filter(status=SlotStatus.CHECKED_IN, ends_at__gt=now).exists():
            raise Conflict("checkin_already", _("该预订已核销。"))
        if any(s.starts_at - before > now for s in slots):
            raise Conflict(
                "checkin_too_early",
                _("还未到核销时间（开场前 %(m)s 分钟起可核销）。")
                % {"m": int(before.total_seconds() // 60)},
            )
        raise Conflict("checkin_too_late", _("预订时段已结束，不能核销。"))
    BookingSlot.objects.filter(pk__in=[s.pk for s in due]).update(
        status=SlotStatus.CHECKED_IN, checked_in_at=now, checked_in_by=actor
    )
    audit.log("booking.checked_in", actor, booking, {"slots": [s.pk for s in due], **via})
    return booking


def _customer(actor: Any, phone: str) -> Any:
    phone = (phone or "").strip()
    if not phone:
        return actor
    user = get_user_model().objects.filter(phone=phone, is_active=True).first()
    if user is None:
        raise validation_error("phone", _("未找到该手机号的用户。"), "customer_unknown")
    return user


def walk_in_book(
    *,
    actor: Any,
    venue_id: int,
    slots: Sequence[SlotChoice],
    method: str,
    customer_phone: str = "",
    customer_name: str = "",
    now: datetime | None = None,
) -> Booking:
    """Book for a walk-in at the desk and take the money (cash or their card).

    A walk-in with a phone number books as that resident (and may pay with their
    stored-value card); one without is booked under the staff member with the
    customer's name noted.
    """
    venue = desk_venue(actor, venue_id)
    customer = _customer(actor, customer_phone)
    if method == "stored_value" and customer == actor:
        raise validation_error("phone", _("一卡通支付需要填写会员手机号。"), "customer_required")
    return front_desk_book(
        actor=actor,
        venue=venue,
        customer=customer,
        slots=slots,
        method=method,
        customer_name=customer_name,
        now=now,
    )


@dataclass
class BlockData:
    """Court time staff take off sale."""

    court_id: int
    starts_at: datetime
    ends_at: datetime
    kind: str = BlockKind.MAINTENANCE
    reason: str = ""


@transaction.atomic
def block_add(*, actor: Any, venue_id: int, data: BlockData, now: datetime | None = None) -> Block:
    """Take a court's time off sale; refused (nothing written) if any of it is booked."""
    now = now or timezone.now()
    venue = desk_venue(actor, venue_id)
    if data.kind not in BlockKind.values:
        raise validation_error("kind", _("未知的占用类别。"), "block_kind_invalid")
    if data.ends_at <= data.starts_at:
        raise validation_error("ends_at", _("结束时间必须晚于开始时间。"), "block_time_order")
    if data.ends_at - data.starts_at > timedelta(days=31):
        raise validation_error("ends_at", _("一次最多占用 31 天。"), "block_too_long")
    if data.starts_at.minute % 30 or data.ends_at.minute % 30 or data.starts_at.second:
        raise validation_error("starts_at", _("时间须为整点或半点。"), "block_not_aligned")
    tree = CourtTree(Court.objects.filter(venue=venue))
    if data.court_id not in tree.courts:
        raise validation_error("court_id", _("该场地不属于本场馆。"), "court_unknown")
    units = tree.units(data.court_id, data.starts_at, data.ends_at)
    lock_units(units)
    block = Block.objects.create(
        venue=venue,
        court_id=data.court_id,
        starts_at=data.starts_at,
        ends_at=data.ends_at,
        kind=data.kind,
        reason=data.reason.strip()[:200],
        created_by=actor,
    )
    occupy([Claim(units=units, block_id=block.pk)], now=now, hold_expires_at=None)
    audit.log("block.added", actor, block, {"court": data.court_id, "reason": block.reason})
    return block


@transaction.atomic
def block_remove(*, actor: Any, venue_id: int, block_id: int) -> None:
    """Put blocked time back on sale."""
    venue = desk_venue(actor, venue_id)
    block = Block.objects.filter(pk=block_id, venue=venue).first()
    if block is None:
        raise NotFound("block_not_found", _("未找到该占用。"))
    audit.log("block.removed", actor, block, {"court": block.court_id})
    block.delete()


@transaction.atomic
def member_add(*, actor: Any, venue_id: int, phone: str, valid_until: date) -> VenueMember:
    """Enrol a resident as a member of the venue (member prices) until a date."""
    venue = desk_venue(actor, venue_id)
    user = _customer(None, phone) if phone else None
    if user is None:
        raise validation_error("phone", _("请填写会员手机号。"), "customer_required")
    member, _created = VenueMember.objects.update_or_create(
        venue=venue, user=user, defaults={"valid_until": valid_until}
    )
    audit.log("member.saved", actor, member, {"valid_until": valid_until})
    return member


@transaction.atomic
def concession_verify(
    *, actor: Any, venue_id: int, phone: str, group: str, valid_until: date
) -> Concession:
    """Record that staff saw a resident's papers for a concession group."""
    desk_venue(actor, venue_id)
    if group not in ConcessionGroup.values:
        raise validation_error("group", _("未知的优待类别。"), "concession_group_invalid")
    user = _customer(None, phone) if phone else None
    if user is None:
        raise validation_error("phone", _("请填写手机号。"), "customer_required")
    concession, _created = Concession.objects.update_or_create(
        user=user, group=group, defaults={"valid_until": valid_until, "verified_by": actor}
    )
    audit.log("concession.verified", actor, concession, {"group": group})
    return concession


def card_topup_cash(*, actor: Any, venue_id: int, phone: str, amount_fen: int) -> Any:
    """Cash over the counter onto a resident's stored-value card (一卡通), found by phone."""
    venue = desk_venue(actor, venue_id)
    user = _customer(None, phone) if phone else None
    if user is None:
        raise validation_error("phone", _("请填写手机号。"), "customer_required")
    return topup_cash(user=user, venue=venue, amount_fen=amount_fen, actor=actor)


POLICY_FIELDS = (
    "hold_minutes",
    "advance_days",
    "release_hour",
    "max_active_bookings",
    "max_hours_per_day",
    "checkin_before_minutes",
    "no_show_limit",
    "no_show_window_days",
    "no_show_ban_days",
)

POLICY_LIMITS = {
    "hold_minutes": (1, 60),
    "advance_days": (0, 60),
    "release_hour": (0, 23),
    "max_active_bookings": (1, 50),
    "max_hours_per_day": (1, 24),
    "checkin_before_minutes": (0, 240),
    "no_show_limit": (1, 50),
    "no_show_window_days": (1, 365),
    "no_show_ban_days": (0, 365),
}


def _clean_tiers(tiers: Any) -> list[list[int]]:
    try:
        cleaned = [[int(h), int(p)] for h, p in tiers]
    except (TypeError, ValueError) as exc:
        raise validation_error("cancel_tiers", _("退订规则格式不正确。"), "tiers_invalid") from exc
    if not cleaned or any(h < 0 or h > 720 or p < 0 or p > 100 for h, p in cleaned):
        raise validation_error(
            "cancel_tiers", _("退订规则：小时数 0–720，手续费 0–100%。"), "tiers_invalid"
        )
    if len({h for h, _ in cleaned}) != len(cleaned):
        raise validation_error("cancel_tiers", _("退订规则的小时数不能重复。"), "tiers_invalid")
    return sorted(cleaned, key=lambda t: -t[0])


@transaction.atomic
def policy_update(*, actor: Any, venue_id: int, values: dict[str, Any]) -> BookingPolicy:
    """Change a venue's booking rules (managers only)."""
    venue = desk_venue(actor, venue_id, manage=True)
    policy, _created = BookingPolicy.objects.get_or_create(venue=venue)
    for name in POLICY_FIELDS:
        if name not in values or values[name] is None:
            continue
        low, high = POLICY_LIMITS[name]
        try:
            value = int(values[name])
        except (TypeError, ValueError) as exc:
            raise validation_error(name, _("请填写整数。"), "policy_invalid") from exc
        if not low <= value <= high:
            raise validation_error(
                name,
                _("取值范围 %(low)s–%(high)s。") % {"low": low, "high": high},
                "policy_invalid",
            )
        setattr(policy, name, value)
    if values.get("cancel_tiers") is not None:
        policy.cancel_tiers = _clean_tiers(values["cancel_tiers"])
    policy.save()
    audit.log("booking_policy.updated", actor, policy, {k: str(v) for k, v in values.items()})
    return policy
