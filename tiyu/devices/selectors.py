"""Reading the device registry through the data scope: status, refusals, commands."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db.models import QuerySet
from django.utils import timezone

from tiyu.devices.models import Device, DeviceCommand, DeviceRejection
from tiyu.regions.scope import get_scoped, restrict


@dataclass(frozen=True)
class DeviceStatus:
    """A device with when it was last heard from and whether that counts as online."""

    device: Device
    last_seen_at: datetime | None
    transport: str
    messages: int
    online: bool


def devices_visible(user: Any, *, venue_id: int | None = None) -> QuerySet[Device]:
    qs = restrict(Device.objects.select_related("venue", "seen"), user)
    return qs.filter(venue_id=venue_id) if venue_id is not None else qs


def is_online(last_seen_at: datetime | None, now: datetime) -> bool:
    limit = timedelta(seconds=settings.DEVICE_OFFLINE_AFTER_SECONDS)
    return last_seen_at is not None and now - last_seen_at <= limit


def device_statuses(
    user: Any, *, venue_id: int | None = None, now: datetime | None = None
) -> list[DeviceStatus]:
    """Every device the user may see, with its online state (revoked ones count as offline)."""
    now = now or timezone.now()
    out = []
    for d in devices_visible(user, venue_id=venue_id).order_by("venue_id", "kind", "name"):
        seen = getattr(d, "seen", None)
        last = seen.last_seen_at if seen else None
        out.append(
            DeviceStatus(
                d,
                last,
                seen.transport if seen else "",
                seen.messages if seen else 0,
                is_online(last, now) and not d.is_revoked,
            )
        )
    return out


def device_get(user: Any, device_id: int) -> Device:
    return get_scoped(Device.objects.select_related("venue"), user, pk=device_id)


def rejections_visible(
    user: Any, *, venue_id: int | None = None, days: int = 7, now: datetime | None = None
) -> QuerySet[DeviceRejection]:
    """Refusal counters of the last ``days`` days, newest first."""
    today = timezone.localtime(now or timezone.now()).date()
    qs = restrict(DeviceRejection.objects.all(), user).filter(day__gt=today - timedelta(days=days))
    if venue_id is not None:
        qs = qs.filter(venue_id=venue_id)
    return qs.order_by("-day", "-count")


def commands_visible(user: Any, *, device_id: int) -> QuerySet[DeviceCommand]:
    return restrict(DeviceCommand.objects.all(), user).filter(device_id=device_id).order_by("-id")
