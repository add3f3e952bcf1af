"""The lighting planner: turn the next hour of bookings into on/off commands.

Runs every minute (``tasks.py``) and can run twice, late or concurrently with the
same result: every command has a key derived from what it is for
(``light:<zone>:on:<start>``, ``light:<zone>:off:<end>``), so a second run finds
it and issues nothing. When bookings change, commands the plan no longer wants
are cancelled if they were never sent, except an "off" that is the only thing
left to switch off lights already turned on. docs/lighting.md has the rules.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from tiyu.core.errors import DomainError
from tiyu.devices.models import CommandStatus, DeviceCommand
from tiyu.devices.services import command_cancel, command_issue
from tiyu.lighting.intervals import Interval
from tiyu.lighting.models import LightZone
from tiyu.lighting.plan import booked_intervals, lit_windows
from tiyu.lighting.services import OFF, ON, command_payload

logger = logging.getLogger(__name__)

# Bookings this far either side of the horizon are read too, so a chain of
# back-to-back slots keeps its first start and its last end as keys.
CHAIN_REACH = timedelta(days=1)
REVISION = re.compile(r":r[0-9]+")


@dataclass
class PlanResult:
    """What one planner run did."""

    zones: int = 0
    issued: int = 0
    cancelled: int = 0
    errors: dict[int, str] = field(default_factory=dict)  # zone id -> refusal code

    def as_dict(self) -> dict[str, Any]:
        return {
            "zones": self.zones,
            "issued": self.issued,
            "cancelled": self.cancelled,
            "errors": self.errors,
        }


@dataclass(frozen=True)
class Wanted:
    """One command the plan wants."""

    base_key: str
    action: str
    due_at: datetime


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _wanted(zone: LightZone, windows: list[Interval]) -> list[Wanted]:
    lead = timedelta(minutes=zone.lead_minutes)
    grace = timedelta(minutes=zone.grace_minutes)
    out = []
    for lit_start, lit_end in windows:
        start, end = lit_start + lead, lit_end - grace  # the booked interval itself
        out.append(Wanted(f"light:{zone.pk}:on:{_iso(start)}", ON, lit_start))
        out.append(Wanted(f"light:{zone.pk}:off:{_iso(end)}", OFF, lit_end))
    return out


def _cancellable(command: DeviceCommand) -> bool:
    return command.status == CommandStatus.PENDING and command.attempts == 0


def _revisions(base_key: str) -> list[DeviceCommand]:
    """The commands issued under ``base_key``: the key itself, then ``<key>:r2``, ``:r3``…"""
    rows = DeviceCommand.objects.filter(key__startswith=base_key).order_by("id")
    return [c for c in rows if c.key == base_key or REVISION.fullmatch(c.key[len(base_key) :])]


def _ensure(zone: LightZone, want: Wanted, result: PlanResult) -> DeviceCommand:
    """The live command for ``want``, issuing it (or a new revision) when there is none.

    A revision is needed when the command under the key was cancelled (the slot
    was cancelled and booked again) or is unsent with another due time, device
    or payload (the zone's lead, grace, controller or channel changed).
    """
    payload = command_payload(zone)
    issued = _revisions(want.base_key)
    latest = issued[-1] if issued else None
    if latest is not None and latest.status != CommandStatus.CANCELLED:
        same = (
            latest.due_at == want.due_at
            and latest.device_id == zone.controller_id
            and latest.payload == payload
        )
        if same or not _cancellable(latest):
            return latest
        if command_cancel(key=latest.key):
            result.cancelled += 1
    key = want.base_key if not issued else f"{want.base_key}:r{len(issued) + 1}"
    command = command_issue(
        device_id=zone.controller_id,
        action=want.action,
        key=key,
        payload=payload,
        due_at=want.due_at,
    )
    result.issued += 1
    return command


def _withdraw(zone: LightZone, keep: set[int], windows: list[Interval], result: PlanResult) -> None:
    """Cancel the zone's unsent planned commands the plan no longer wants.

    An obsolete "on" always goes. An obsolete "off" goes when a wanted window
    covers its time (that window's own off follows) or when the lights will not
    be on then anyway; it stays when the last command before it turns them on
    (a booking cancelled after its lights went on still gets its lights off).
    """
    prefix = zone.key_prefix
    planned = DeviceCommand.objects.filter(
        key__startswith=prefix, status=CommandStatus.PENDING, attempts=0
    ).exclude(pk__in=keep)
    obsolete = [
        c
        for c in planned.order_by("due_at", "id")
        if c.key.startswith((f"{prefix}on:", f"{prefix}off:"))
    ]
    for command in obsolete:
        if command.action == ON and command_cancel(key=command.key):
            result.cancelled += 1
    for command in obsolete:
        if command.action != OFF:
            continue
        covered = any(s <= command.due_at < e for s, e in windows)
        before = (
            DeviceCommand.objects.filter(key__startswith=prefix, due_at__lte=command.due_at)
            .exclude(status=CommandStatus.CANCELLED)
            .exclude(pk=command.pk)
            .order_by("-due_at", "-id")
            .first()
        )
        leaves_lit = before is not None and before.action == ON
        if (covered or not leaves_lit) and command_cancel(key=command.key):
            result.cancelled += 1


def zone_plan(zone: LightZone, *, now: datetime, horizon: timedelta, result: PlanResult) -> None:
    """Bring one zone's commands in line with its bookings from ``now`` to ``now + horizon``."""
    with transaction.atomic():
        zone = LightZone.objects.select_for_update().select_related("controller").get(pk=zone.pk)
        lead = timedelta(minutes=zone.lead_minutes)
        booked = booked_intervals(zone, now - CHAIN_REACH, now + horizon + lead + CHAIN_REACH)
        windows = [(s, e) for s, e in lit_windows(zone, booked) if s < now + horizon and e > now]
        keep = {_ensure(zone, want, result).pk for want in _wanted(zone, windows)}
        _withdraw(zone, keep, windows, result)


def lights_plan(*, now: datetime | None = None, horizon_minutes: int = 60) -> PlanResult:
    """Issue the on/off commands of every zone for the next ``horizon_minutes``.

    Each zone is planned in its own transaction: a zone whose controller was
    revoked is reported in ``errors`` and the others go on.
    """
    now = now or timezone.now()
    horizon = timedelta(minutes=horizon_minutes)
    result = PlanResult()
    for zone in LightZone.objects.order_by("id"):
        result.zones += 1
        done = PlanResult()
        try:
            zone_plan(zone, now=now, horizon=horizon, result=done)
        except DomainError as refusal:  # rolled back: this zone counts nothing
            logger.warning("lighting plan of zone %s refused: %s", zone.pk, refusal.code)
            result.errors[zone.pk] = refusal.code
            continue
        result.issued += done.issued
        result.cancelled += done.cancelled
    return result
