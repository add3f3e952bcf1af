"""The one way device messages come in, over HTTP and MQTT alike: :func:`messages_ingest`.

A request is refused whole, in this order, when the device is unknown, the
request unsigned, its timestamp outside the window, the signature wrong, the
device revoked, the batch too large or not JSON. Each message of an accepted
request is then checked on its own; refused messages are reported by id and
counted, the others recorded in one call per message type. Every refusal is
counted in :class:`DeviceRejection` (committed even when the request is
refused), which is what the venue sees; nothing else changes.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tiyu.booking.desk import booking_gate_check_in
from tiyu.core.device_messages import check_message_id, parse_time
from tiyu.core.errors import DomainError
from tiyu.devices.models import (
    CommandStatus,
    Device,
    DeviceCommand,
    DeviceKind,
    DeviceRejection,
    DeviceSeen,
)
from tiyu.devices.signing import decrypt_secret, verify
from tiyu.environment.readings import ReadingIn, parse_reading
from tiyu.environment.services import readings_record
from tiyu.traffic.events import GateEventIn, Method, account_person_key, parse_gate_event
from tiyu.traffic.services import gate_events_record

ALLOWED_TYPES: dict[str, set[str]] = {
    DeviceKind.GATE: {"gate", "ack", "heartbeat"},
    DeviceKind.PEOPLE_COUNTER: {"gate", "heartbeat"},
    DeviceKind.ENV_SENSOR: {"reading", "heartbeat"},
    DeviceKind.LIGHT_CONTROLLER: {"ack", "heartbeat"},
    DeviceKind.LOCKER: {"ack", "heartbeat"},
    DeviceKind.SHOWER_VALVE: {"ack", "heartbeat"},
}


class RequestRefused(DomainError):
    """A whole request refused before any message was looked at."""


@dataclass
class Refusal:
    id: str
    code: str


@dataclass
class IngestResult:
    """What became of one request's messages."""

    accepted: int = 0
    duplicates: int = 0
    rejected: list[Refusal] = field(default_factory=list)
    checkins: list[dict[str, Any]] = field(default_factory=list)
    alerts_opened: int = 0

    def as_dict(self) -> dict[str, Any]:
        return {
            "accepted": self.accepted,
            "duplicates": self.duplicates,
            "rejected": [{"id": r.id, "code": r.code} for r in self.rejected],
            "checkins": self.checkins,
            "alerts_opened": self.alerts_opened,
        }


def _count(device_id: int, venue_id: int | None, reasons: Counter[str], now: datetime) -> None:
    """Add to the day's refusal counters in a transaction of their own."""
    if not reasons:
        return
    table = DeviceRejection._meta.db_table
    day = connection.ops.adapt_datefield_value(timezone.localtime(now).date())
    at = connection.ops.adapt_datetimefield_value(now)
    with transaction.atomic(), connection.cursor() as cursor:
        for reason, n in sorted(reasons.items()):
            cursor.execute(
                f"INSERT INTO {table} (device_id, venue_id, reason, day, count, last_at) "
                f"VALUES (%s, %s, %s, %s, %s, %s) ON CONFLICT (device_id, reason, day) "
                f"DO UPDATE SET count = {table}.count + excluded.count, last_at = excluded.last_at",
                [device_id, venue_id, reason, day, n, at],
            )


def _refuse(
    device: Device | None, claimed: int, code: str, message: Any, status: int, now: datetime
) -> RequestRefused:
    _count(claimed, device.venue_id if device else None, Counter([code]), now)
    return RequestRefused(code, message, status=status)


def _claimed_id(device_id: Any) -> int:
    try:
        value = int(device_id)
    except (TypeError, ValueError):
        return 0
    return value if 0 < value < 2**63 else 0


def authenticate(
    *, device_id: Any, timestamp: Any, signature: Any, body: bytes, now: datetime
) -> Device:
    """The device that signed ``body``, or :class:`RequestRefused` (counted)."""
    claimed = _claimed_id(device_id)
    device = Device.objects.filter(pk=claimed).first() if claimed else None
    if device is None:
        raise _refuse(None, claimed, "device_unknown", _("未知设备。"), 401, now)
    if not signature or not timestamp:
        raise _refuse(device, claimed, "unsigned", _("请求未签名。"), 401, now)
    try:
        ts = int(timestamp)
    except (TypeError, ValueError):
        ts = None
    window = settings.DEVICE_SIGNATURE_WINDOW_SECONDS
    if ts is None or abs(now.timestamp() - ts) > window:
        raise _refuse(
            device,
            claimed,
            "timestamp_out_of_window",
            _("请求时间戳与服务器时间相差过大，请校准设备时钟。"),
            401,
            now,
        )
    secret = decrypt_secret(device.secret_encrypted)
    if secret is None or not verify(secret, str(timestamp), body, str(signature)):
        raise _refuse(device, claimed, "bad_signature", _("签名错误。"), 401, now)
    if device.is_revoked:
        raise _refuse(device, claimed, "device_revoked", _("设备已停用。"), 403, now)
    return device


def _messages(device: Device, body: bytes, now: datetime) -> list[Any]:
    try:
        data = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        data = None
    messages = data.get("messages") if isinstance(data, dict) else None
    if not isinstance(messages, list):
        raise _refuse(
            device, device.pk, "malformed", _('消息格式错误：需要 {"messages": [...]}。'), 400, now
        )
    if len(messages) > settings.DEVICE_BATCH_MAX:
        raise _refuse(
            device,
            device.pk,
            "batch_too_large",
            _("一次最多 %(n)s 条消息。") % {"n": settings.DEVICE_BATCH_MAX},
            413,
            now,
        )
    return messages


def _check_time(at: datetime, now: datetime) -> None:
    if at > now + timedelta(minutes=settings.DEVICE_MAX_AHEAD_MINUTES):
        raise DomainError("too_far_ahead", _("消息时间晚于服务器时间。"))
    if at < now - timedelta(hours=settings.DEVICE_MAX_LATE_HOURS):
        raise DomainError("too_late", _("消息过旧，已超过补传期限。"))


@dataclass
class _Sorted:
    gates: list[GateEventIn] = field(default_factory=list)
    codes: list[tuple[GateEventIn, str]] = field(default_factory=list)
    readings: list[ReadingIn] = field(default_factory=list)
    acks: list[dict[str, Any]] = field(default_factory=list)
    firmware: str = ""


def _sort_one(device: Device, raw: Any, now: datetime, out: _Sorted) -> None:
    """Parse one message into its bucket, or raise a DomainError with the refusal code."""
    if not isinstance(raw, dict):
        raise DomainError("malformed", _("消息格式错误。"))
    kind = raw.get("type")
    if kind not in ALLOWED_TYPES[device.kind]:
        raise DomainError("type_not_for_device", _("该类型设备不能发送此类消息。"))
    check_message_id(raw.get("id"))
    _check_time(parse_time(raw.get("at")), now)
    if kind == "gate":
        event = parse_gate_event(raw, venue_id=device.venue_id, device_id=device.pk)
        if event.method == Method.BOOKING_CODE:
            code = raw.get("code")
            if not isinstance(code, str) or not code or event.direction != "in":
                raise DomainError("bad_code", _("入场码消息需要 code，方向为 in。"))
            out.codes.append((event, code))
        else:
            out.gates.append(event)
    elif kind == "reading":
        out.readings.append(parse_reading(raw, venue_id=device.venue_id, device_id=device.pk))
    elif kind == "ack":
        if not isinstance(raw.get("command"), str):
            raise DomainError("bad_ack", _("回执需要 command（指令的幂等键）。"))
        out.acks.append(raw)
    elif isinstance(raw.get("firmware"), str):
        out.firmware = raw["firmware"][:40]


def _gate_check_in(device: Device, event: GateEventIn, code: str, now: datetime) -> GateEventIn:
    """Check in the booking behind a scanned entry code; the entry to record, else DomainError.

    A booking already checked in admits its holder again (they stepped out), and
    counts as the same visitor: the passage is keyed by the booker's pseudonym.
    """
    booking = booking_gate_check_in(
        venue_id=device.venue_id, code=code, device_id=device.pk, now=now
    )
    return GateEventIn(
        event.venue_id,
        event.device_id,
        event.message_id,
        event.occurred_at,
        event.direction,
        event.method,
        account_person_key(booking.user_id),
    )


def _apply_acks(device: Device, acks: list[dict[str, Any]], now: datetime) -> None:
    for ack in acks:
        DeviceCommand.objects.filter(
            device=device,
            key=ack["command"],
            status__in=[CommandStatus.SENT, CommandStatus.PENDING],
        ).update(
            status=CommandStatus.ACKED if ack.get("ok", True) else CommandStatus.FAILED,
            acked_at=now,
            result={"ok": bool(ack.get("ok", True)), "detail": str(ack.get("detail", ""))[:200]},
        )


def _mark_seen(device: Device, transport: str, n: int, firmware: str, now: datetime) -> None:
    updated = DeviceSeen.objects.filter(device=device).update(last_seen_at=now, transport=transport)
    if not updated:
        DeviceSeen.objects.get_or_create(
            device=device, defaults={"last_seen_at": now, "transport": transport}
        )
    if n:
        DeviceSeen.objects.filter(device=device).update(messages=F("messages") + n)
    if firmware and firmware != device.firmware:
        Device.objects.filter(pk=device.pk).update(firmware=firmware)


def messages_ingest(
    *,
    device_id: Any,
    timestamp: Any,
    signature: Any,
    body: bytes,
    transport: str,
    now: datetime | None = None,
    on_checkin: Callable[[dict[str, Any]], None] | None = None,
) -> IngestResult:
    """Authenticate one signed request of a device and record its messages once each."""
    now = now or timezone.now()
    device = authenticate(
        device_id=device_id, timestamp=timestamp, signature=signature, body=body, now=now
    )
    messages = _messages(device, body, now)
    result, sorted_ = IngestResult(), _Sorted()
    reasons: Counter[str] = Counter()
    for raw in messages:
        try:
            _sort_one(device, raw, now, sorted_)
        except DomainError as exc:
            mid = raw.get("id") if isinstance(raw, dict) else None
            result.rejected.append(Refusal(str(mid)[:64] if mid is not None else "", exc.code))
            reasons[exc.code] += 1
    for event, code in sorted_.codes:
        try:
            admitted = _gate_check_in(device, event, code, now)
        except DomainError as exc:
            outcome = {"id": event.message_id, "ok": False, "code": exc.code}
        else:
            sorted_.gates.append(admitted)
            outcome = {"id": event.message_id, "ok": True, "code": "admitted"}
        result.checkins.append(outcome)
        if on_checkin is not None:
            on_checkin(outcome)
    with transaction.atomic():
        gates = gate_events_record(sorted_.gates, now=now)
        readings = readings_record(sorted_.readings, now=now)
        _apply_acks(device, sorted_.acks, now)
        _mark_seen(device, transport, len(messages), sorted_.firmware, now)
    _count(device.pk, device.venue_id, reasons, now)
    result.accepted = gates.inserted + readings.inserted + len(sorted_.acks)
    result.duplicates = gates.duplicates + readings.duplicates
    result.alerts_opened = readings.alerts_opened
    return result
