"""A lit arena: a light controller at wuhou_hall and two zones, bookings and acks as they
really arrive (walk-ins paid in cash at the desk, acks signed by the controller)."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Any

import pytest
from django.utils import timezone

from tiyu.booking.desk import walk_in_book
from tiyu.booking.services import SlotChoice
from tiyu.devices.client import http_request
from tiyu.devices.ingest import messages_ingest
from tiyu.devices.models import DeviceCommand
from tiyu.devices.services import device_register
from tiyu.lighting.services import zone_save

_ids = itertools.count(1)
# Read once, so a run that crosses midnight keeps one "today" (every slot starts 08:00+).
TODAY = timezone.localdate()


def at(days_ahead: int, hour: int, minute: int = 0) -> datetime:
    """An aware local time ``days_ahead`` days from the day the tests started."""
    day = TODAY + timedelta(days=days_ahead)
    return datetime.combine(day, time(hour, minute), tzinfo=timezone.get_current_timezone())


@dataclass
class Lit:
    arena: Any
    controller: Any
    secret: str
    part1_zone: Any  # lights over 1号场 (a part of the hall), lead 5, grace 0
    court3_zone: Any  # lights over 3号场, lead 10, grace 5

    def book(self, court: Any, *starts: datetime, now: datetime | None = None) -> Any:
        """A paid walk-in booking of ``court`` at each start (60-minute slots)."""
        return walk_in_book(
            actor=self.arena.world.staff,
            venue_id=self.arena.venue.pk,
            slots=[SlotChoice(court.pk, s) for s in starts],
            method="cash",
            customer_name="测试",
            now=now,
        )

    def ack(self, key: str, moment: datetime, ok: bool = True) -> None:
        """The controller acknowledges command ``key`` at ``moment`` (signed, as over HTTP)."""
        msg = {
            "id": f"ack-{next(_ids)}",
            "type": "ack",
            "at": moment.isoformat(),
            "command": key,
            "ok": ok,
        }
        headers, body = http_request(
            self.controller.pk, self.secret, [msg], ts=int(moment.timestamp())
        )
        result = messages_ingest(
            device_id=headers["X-Device-Id"],
            timestamp=headers["X-Timestamp"],
            signature=headers["X-Signature"],
            body=body,
            transport="http",
            now=moment,
        )
        assert result.accepted == 1, result

    def commands(self, zone: Any) -> list[DeviceCommand]:
        return list(
            DeviceCommand.objects.filter(key__startswith=f"light:{zone.pk}:").order_by(
                "due_at", "id"
            )
        )


@pytest.fixture
def lit(arena: Any) -> Lit:
    world = arena.world
    controller, secret = device_register(
        actor=world.manager,
        venue_id=arena.venue.pk,
        kind="light_controller",
        name="主馆灯控",
    )
    part1_zone = zone_save(
        actor=world.manager,
        venue_id=arena.venue.pk,
        name="1号场灯组",
        controller_id=controller.pk,
        court_ids=[arena.part1.pk],
        channel="1",
    )
    court3_zone = zone_save(
        actor=world.manager,
        venue_id=arena.venue.pk,
        name="3号场灯组",
        controller_id=controller.pk,
        court_ids=[arena.court3.pk],
        lead_minutes=10,
        grace_minutes=5,
        channel="3",
    )
    return Lit(arena, controller, secret, part1_zone, court3_zone)
