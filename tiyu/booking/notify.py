"""Inbox messages about bookings: confirmation, cancellation, a lost slot, reminders.

Messages are written in Chinese, the platform's first language (users carry no
language preference yet); outside channels send after commit (see tiyu.notices).
"""

from __future__ import annotations

from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from tiyu.booking.models import Booking, BookingSlot
from tiyu.notices.services import notify


def _link(booking: Booking) -> str:
    try:
        return reverse("portal:booking", args=[booking.number])
    except NoReverseMatch:
        return ""


def _when(booking: Booking, slots: list[BookingSlot] | None = None) -> str:
    if slots is None:
        slots = list(booking.slots.select_related("court"))
    slots = sorted(slots, key=lambda s: (s.starts_at, s.court_id))
    parts = []
    for slot in slots:
        start = timezone.localtime(slot.starts_at)
        end = timezone.localtime(slot.ends_at)
        parts.append(f"{start:%m-%d %H:%M}–{end:%H:%M} {slot.court.name}")
    return "；".join(parts)


def booking_confirmed(booking: Booking, slots: list[BookingSlot] | None = None) -> None:
    """Tell the resident the booking is confirmed, with its slots."""
    with override("zh-hans"):
        notify(
            user=booking.user,
            kind="booking_confirmed",
            title=_("预订成功：%(venue)s") % {"venue": booking.venue.name},
            body=_("订单 %(n)s：%(when)s。到场出示入场码核销。")
            % {"n": booking.number, "when": _when(booking, slots)},
            link=_link(booking),
        )


def booking_cancelled(booking: Booking, refund_fen: int) -> None:
    """Tell the resident what was cancelled and what comes back."""
    with override("zh-hans"):
        notify(
            user=booking.user,
            kind="booking_cancelled",
            title=_("预订已取消：%(venue)s") % {"venue": booking.venue.name},
            body=_("订单 %(n)s 已取消，退款 ¥%(yuan)s 将原路退回。")
            % {"n": booking.number, "yuan": f"{refund_fen / 100:.2f}"},
            link=_link(booking),
        )


def booking_lost(booking: Booking) -> None:
    """A payment arrived after the hold lapsed and someone else took the slot."""
    with override("zh-hans"):
        notify(
            user=booking.user,
            kind="refund",
            title=_("预订未成功，已退款"),
            body=_("订单 %(n)s 支付时锁定已过期且时段已被他人预订，款项已原路退回。")
            % {"n": booking.number},
            link=_link(booking),
        )


def slot_reminder(slot: BookingSlot) -> None:
    """Remind the resident of a slot starting soon; sent once per slot."""
    booking = slot.booking
    start = timezone.localtime(slot.starts_at)
    with override("zh-hans"):
        notify(
            user=booking.user,
            kind="booking_reminder",
            title=_("预订提醒：%(venue)s") % {"venue": booking.venue.name},
            body=_("%(when)s 在 %(court)s 的场地即将开始，请准时到场。")
            % {"when": f"{start:%m-%d %H:%M}", "court": slot.court.name},
            link=_link(booking),
            dedupe_key=f"reminder:{slot.pk}",
        )
