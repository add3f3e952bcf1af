"""Booking rules read from facts: the venue's policy, the booking window, the
resident's price tiers, fair-use limits and the no-show ban.

Every check here recounts from rows; the hold service calls them inside its lock,
so two requests of one resident cannot both slip under a limit.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import Exists, OuterRef, Q
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


def policy_of(venue: Any) -> BookingPolicy:
    """The policy of a venue loaded with ``select_related("booking_policy")`` (no query)."""
    try:
        return venue.booking_policy
    except BookingPolicy.DoesNotExist:
        return BookingPolicy(venue_id=venue.pk)


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
    """The price tiers ``user`` qualifies for at a venue today (one query)."""
    tiers = [Tier.REGULAR]
    if user is None or not getattr(user, "is_authenticated", False):
        return tiers
    member = VenueMember.objects.filter(
        venue_id=venue_id, user_id=OuterRef("pk"), valid_until__gte=today
    )
    concession = Concession.objects.filter(user_id=OuterRef("pk"), valid_until__gte=today)
    flags = (
        get_user_model()
        .objects.filter(pk=user.pk)
        .annotate(member=Exists(member), concession=Exists(concession))
        .values_list("member", "concession")
        .first()
    )
    if flags and flags[0]:
        tiers.append(Tier.MEMBER)
    if flags and flags[1]:
        tiers.append(Tier.CONCESSION)
    return tiers


@dataclass(frozen=True)
class History:
    """A resident's slots at a venue that fair use looks at, read in one query."""

    live: list[tuple[int, datetime, datetime]]  # (booking, start, end) still holding a court
    no_shows: list[datetime]  # end of each recent no-show


def history(user: Any, policy: BookingPolicy, now: datetime) -> History:
    """Live slots not yet over, and no-shows inside the policy's window."""
    since = now - timedelta(days=policy.no_show_window_days)
    rows = (
        BookingSlot.objects.filter(booking__user=user, booking__venue_id=policy.venue_id)
        .filter(
            Q(status=SlotStatus.NO_SHOW, ends_at__gte=since)
            | Q(
                Q(booking__status=BookingStatus.CONFIRMED)
                | Q(booking__status=BookingStatus.HELD, booking__hold_expires_at__gt=now),
                status__in=LIVE_SLOT_STATUSES,
                ends_at__gt=now,
            )
        )
        .values_list("booking_id", "status", "starts_at", "ends_at")
    )
    live, no_shows = [], []
    for booking_id, status, starts_at, ends_at in rows:
        if status == SlotStatus.NO_SHOW:
            no_shows.append(ends_at)
        else:
            live.append((booking_id, starts_at, ends_at))
    return History(live, no_shows)


def check_no_show_ban(past: History, policy: BookingPolicy, now: datetime) -> None:
    """Refuse a resident with too many recent no-shows at this venue."""
    if len(past.no_shows) >= policy.no_show_limit and past.no_shows:
        until = max(past.no_shows) + timedelta(days=policy.no_show_ban_days)
        if until > now:
            raise Conflict(
                "booking_banned",
                _("近期爽约次数过多，暂停在本场馆预订至 %(until)s。")
                % {"until": local_day(until).isoformat()},
            )


def check_limits(past: History, policy: BookingPolicy, new_minutes_by_day: dict[date, int]) -> None:
    """Active bookings per venue and hours per day, counting the new slots."""
    active = len({booking_id for booking_id, _s, _e in past.live})
    if active + 1 > policy.max_active_bookings:
        raise Conflict(
            "booking_limit_active",
            _("您在本场馆未使用的预订已达上限（%(n)s 个）。") % {"n": policy.max_active_bookings},
        )
    minutes = dict(new_minutes_by_day)
    for _booking, starts_at, ends_at in past.live:
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
