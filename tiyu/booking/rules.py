"""Booking rules read from facts: the venue's policy, the booking window, the
resident's price tiers, fair-use limits and the no-show ban.

Every check here recounts from rows; the hold service calls them inside its lock,
so two requests of one resident cannot both slip under a limit.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db.models import Count, Max, Q
from django.utils.translation import gettext_lazy as _

from tiyu.booking.models import (
    LIVE_SLOT_STATUSES,
    BookingPolicy,
    BookingSlot,
    BookingStatus,
    Concession,
    SlotStatus,
    VenueMember,
)
from tiyu.booking.timegrid import local_day, local_dt
from tiyu.core.errors import Conflict, DomainError
from tiyu.venues.pricing import Tier


def policy_for(venue_id: int) -> BookingPolicy:
    """The venue's policy, or the defaults (unsaved) when it has none."""
    policy = BookingPolicy.objects.filter(venue_id=venue_id).first()
    return policy or BookingPolicy(venue_id=venue_id)


@dataclass(frozen=True)
class Window:
    """The days a resident may book now: today up to ``last_day``."""

    first_day: date
    last_day: date

    def contains(self, day: date) -> bool:
        return self.first_day <= day <= self.last_day


def booking_window(policy: BookingPolicy, now: datetime) -> Window:
    """Today plus ``advance_days``; the last day opens at ``release_hour`` local time."""
    today = local_day(now)
    last = today + timedelta(days=policy.advance_days)
    if now < local_dt(today, time(policy.release_hour)):
        last -= timedelta(days=1)
    return Window(today, last)


def tiers_for(user: Any, venue_id: int, today: date) -> list[str]:
    """The price tiers ``user`` qualifies for at a venue today."""
    tiers = [Tier.REGULAR]
    if user is None or not getattr(user, "is_authenticated", False):
        return tiers
    if VenueMember.objects.filter(venue_id=venue_id, user=user, valid_until__gte=today).exists():
        tiers.append(Tier.MEMBER)
    if Concession.objects.filter(user=user, valid_until__gte=today).exists():
        tiers.append(Tier.CONCESSION)
    return tiers


def _live_slots(user: Any, venue_id: int, now: datetime) -> Any:
    """The resident's slots at the venue holding a court: confirmed, or held and unexpired."""
    return BookingSlot.objects.filter(
        booking__user=user, booking__venue_id=venue_id, status__in=LIVE_SLOT_STATUSES
    ).filter(
        Q(booking__status=BookingStatus.CONFIRMED)
        | Q(booking__status=BookingStatus.HELD, booking__hold_expires_at__gt=now)
    )


def check_no_show_ban(user: Any, policy: BookingPolicy, now: datetime) -> None:
    """Refuse a resident with too many recent no-shows at this venue."""
    since = now - timedelta(days=policy.no_show_window_days)
    recent = BookingSlot.objects.filter(
        booking__user=user,
        booking__venue_id=policy.venue_id,
        status=SlotStatus.NO_SHOW,
        ends_at__gte=since,
    ).aggregate(n=Count("id"), last=Max("ends_at"))
    if recent["n"] >= policy.no_show_limit and recent["last"] is not None:
        until = recent["last"] + timedelta(days=policy.no_show_ban_days)
        if until > now:
            raise Conflict(
                "booking_banned",
                _("近期爽约次数过多，暂停在本场馆预订至 %(until)s。")
                % {"until": local_day(until).isoformat()},
            )


def check_limits(
    user: Any, policy: BookingPolicy, now: datetime, new_minutes_by_day: dict[date, int]
) -> None:
    """Active bookings per venue and hours per day, counting the new slots."""
    live = _live_slots(user, policy.venue_id, now).filter(ends_at__gt=now)
    active = live.values("booking_id").distinct().count()
    if active + 1 > policy.max_active_bookings:
        raise Conflict(
            "booking_limit_active",
            _("您在本场馆未使用的预订已达上限（%(n)s 个）。") % {"n": policy.max_active_bookings},
        )
    days = list(new_minutes_by_day)
    first = local_dt(min(days), time(0))
    last = local_dt(max(days), time(0)) + timedelta(days=1)
    minutes = dict(new_minutes_by_day)
    for starts_at, ends_at in (
        _live_slots(user, policy.venue_id, now)
        .filter(starts_at__gte=first, starts_at__lt=last)
        .values_list("starts_at", "ends_at")
    ):
        day = local_day(starts_at)
        if day in minutes:
            minutes[day] += int((ends_at - starts_at).total_seconds() // 60)
    cap = policy.max_hours_per_day * 60
    for day, total in minutes.items():
        if total > cap:
            raise Conflict(
                "booking_limit_hours",
                _("%(day)s 在本场馆的预订将超过每天 %(h)s 小时的上限。")
                % {"day": day.isoformat(), "h": policy.max_hours_per_day},
            )


def cancellation_fee_percent(tiers: list[list[int]], starts_at: datetime, now: datetime) -> int:
    """The fee percent for cancelling a slot now, from the tiers copied onto the booking.

    Tiers are ``[hours before start, fee percent]``; the first tier whose hours the
    remaining time reaches applies. At or after the start no cancellation is allowed.
    """
    if now >= starts_at:
        raise DomainError("cancel_too_late", _("时段已开始，不能再取消。"), status=409)
    hours_left = (starts_at - now).total_seconds() / 3600
    for hours, percent in sorted(tiers, key=lambda t: -t[0]):
        if hours_left >= hours:
            return int(percent)
    return 100
