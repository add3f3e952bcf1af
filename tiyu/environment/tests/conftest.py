"""Helpers for the environment tests: readings built from device-message dicts, a pool
team (the shared world has staff only at the hall), and a fixed clock."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from itertools import count
from typing import Any

import pytest

from conftest import PASSWORD

T0 = datetime(2026, 12, 2, 1, 0, tzinfo=UTC)  # 09:00 in Chengdu
_ids = count(1)


def reading(
    venue: Any,
    metric: str,
    value: float,
    *,
    device: int = 1,
    at: datetime | None = None,
    minutes: float = 0,
    message_id: str | None = None,
) -> Any:
    """A parsed reading as the devices app would hand it over."""
    from tiyu.environment.readings import parse_reading

    when = (at or T0) + timedelta(minutes=minutes)
    raw = {
        "id": message_id or f"m-{next(_ids)}",
        "type": "reading",
        "at": when.isoformat(),
        "metric": metric,
        "value": value,
    }
    return parse_reading(raw, venue_id=venue.pk, device_id=device)


def record(*readings: Any, now: datetime | None = None) -> Any:
    from tiyu.environment.services import readings_record

    return readings_record(list(readings), now=now or T0 + timedelta(minutes=1))


@dataclass
class PoolTeam:
    staff: Any
    manager: Any


@pytest.fixture
def pool_team(world: Any) -> PoolTeam:
    """A staff member and a manager of ``jinjiang_pool`` (锦江区)."""
    from tiyu.accounts.models import Role
    from tiyu.accounts.services import membership_grant, user_create

    staff = user_create(username="pool_staff", password=PASSWORD, display_name="pool_staff")
    manager = user_create(username="pool_manager", password=PASSWORD, display_name="pool_manager")
    membership_grant(user=staff, role=Role.VENUE_STAFF, venue=world.jinjiang_pool)
    membership_grant(user=manager, role=Role.VENUE_MANAGER, venue=world.jinjiang_pool)
    return PoolTeam(staff, manager)
