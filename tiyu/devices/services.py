"""Write path of the device registry: register, edit, rotate a secret, revoke; and commands."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tiyu.core import audit
from tiyu.core.errors import Conflict, NotFound, validation_error
from tiyu.devices.models import CommandStatus, Device, DeviceCommand, DeviceKind
from tiyu.devices.signing import encrypt_secret, new_secret
from tiyu.regions.scope import get_scoped
from tiyu.venues.selectors import venue_scoped_get

NAME_MAX = 64


def _clean_text(field: str, value: str, limit: int, *, required: bool = False) -> str:
    value = (value or "").strip()
    if required and not value:
        raise validation_error(field, _("此项必填。"), "required")
    if len(value) > limit:
        raise validation_error(field, _("不能超过 %(n)s 个字符。") % {"n": limit}, "too_long")
    return value


def device_for_change(*, actor: Any, device_id: int) -> Device:
    """A device the actor manages (its venue's manager, or an admin), locked; else 404."""
    device = get_scoped(Device.objects.all(), actor, manage=True, pk=device_id)
    return Device.objects.select_for_update().get(pk=device.pk)


@transaction.atomic
def device_register(
    *, actor: Any, venue_id: int, kind: str, name: str, location: str = "", firmware: str = ""
) -> tuple[Device, str]:
    """Register a device of a venue; returns it and its secret, which is never shown again."""
    venue = venue_scoped_get(actor, venue_id, manage=True)
    if kind not in DeviceKind.values:
        raise validation_error("kind", _("不支持的设备类型。"), "kind_invalid")
    secret = new_secret()
    device = Device.objects.create(
        venue=venue,
        kind=kind,
        name=_clean_text("name", name, NAME_MAX, required=True),
        location=_clean_text("location", location, 120),
        firmware=_clean_text("firmware", firmware, 40),
        secret_encrypted=encrypt_secret(secret),
        secret_issued_at=timezone.now(),
    )
    audit.log("device.registered", actor, device, {"kind": kind, "venue": venue.pk})
    return device, secret


@transaction.atomic
def device_update(
    *, actor: Any, device_id: int, name: str, location: str = "", firmware: str = ""
) -> Device:
    """Rename a device or change its location or firmware text."""
    device = device_for_change(actor=actor, device_id=device_id)
    device.name = _clean_text("name", name, NAME_MAX, required=True)
    device.location = _clean_text("location", location, 120)
    device.firmware = _clean_text("firmware", firmware, 40)
    device.save(update_fields=["name", "location", "firmware", "updated_at"])
    audit.log("device.updated", actor, device, {"name": device.name})
    return device


@transaction.atomic
def device_secret_rotate(*, actor: Any, device_id: int) -> tuple[Device, str]:
    """Issue a new secret; the old one stops working at once. Returns the new secret once."""
    device = device_for_change(actor=actor, device_id=device_id)
    if device.is_revoked:
        raise Conflict("device_revoked", _("设备已停用，不能更换密钥。"))
    secret = new_secret()
    device.secret_encrypted = encrypt_secret(secret)
    device.secret_issued_at = timezone.now()
    device.save(update_fields=["secret_encrypted", "secret_issued_at", "updated_at"])
    audit.log("device.secret_rotated", actor, device, {})
    return device, secret


@transaction.atomic
def device_revoke(*, actor: Any, device_id: int) -> Device:
    """Stop accepting a device's messages for good (rotate instead to replace a leaked secret)."""
    device = device_for_change(actor=actor, device_id=device_id)
    if device.is_revoked:
        raise Conflict("device_revoked", _("设备已停用。"))
    device.revoked_at = timezone.now()
    device.save(update_fields=["revoked_at", "updated_at"])
    DeviceCommand.objects.filter(device=device, status=CommandStatus.PENDING).update(
        status=CommandStatus.CANCELLED
    )
    audit.log("device.revoked", actor, device, {})
    return device


ACTIONS: dict[str, set[str]] = {
    DeviceKind.LIGHT_CONTROLLER: {"light_on", "light_off"},
    DeviceKind.LOCKER: {"unlock", "lock"},
    DeviceKind.SHOWER_VALVE: {"open", "close"},
    DeviceKind.GATE: {"open"},
}


@transaction.atomic
def command_issue(
    *,
    device_id: int,
    action: str,
    key: str,
    payload: dict[str, Any] | None = None,
    due_at: datetime | None = None,
    actor: Any = None,
) -> DeviceCommand:
    """Queue a command for a device; the same ``key`` returns the command already queued.

    The ``commands_send`` job publishes it when due and again with backoff until
    the device acknowledges it. ``actor`` is None for the platform's own jobs;
    a person must manage the device's venue.
    """
    if actor is not None:
        device = get_scoped(Device.objects.all(), actor, manage=True, pk=device_id)
    else:
        found = Device.objects.filter(pk=device_id).first()
        if found is None:
            raise NotFound("device_unknown")
        device = found
    existing = DeviceCommand.objects.filter(key=key).first()
    if existing is not None:
        return existing
    if device.is_revoked:
        raise Conflict("device_revoked", _("设备已停用。"))
    if action not in ACTIONS.get(device.kind, set()):
        raise validation_error("action", _("该设备不支持此指令。"), "action_invalid")
    due = due_at or timezone.now()
    try:
        with transaction.atomic():
            command = DeviceCommand.objects.create(
                device=device,
                key=key,
                action=action,
                payload=payload or {},
                due_at=due,
                next_attempt_at=due,
                created_by=actor,
            )
    except IntegrityError:  # the same key issued concurrently: that one stands
        return DeviceCommand.objects.get(key=key)
    audit.log("device.command_issued", actor, command, {"action": action, "key": key})
    return command


@transaction.atomic
def command_cancel(*, key: str, actor: Any = None) -> bool:
    """Cancel a command not yet sent (a lighting plan changed); whether one was cancelled."""
    done = DeviceCommand.objects.filter(key=key, status=CommandStatus.PENDING, attempts=0).update(
        status=CommandStatus.CANCELLED
    )
    return bool(done)
