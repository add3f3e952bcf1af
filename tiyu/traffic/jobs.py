"""Periodic upkeep of foot traffic (each safe to run twice)."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.utils import timezone

from tiyu.traffic import partitions
from tiyu.traffic.services import traffic_prune

MONTHS_AHEAD = 2


def partitions_keep(*, now: datetime | None = None) -> tuple[list[str], int]:
    """Partitions from last month to two months ahead exist; raw events past retention are gone."""
    now = now or timezone.now()
    today = timezone.localtime(now).date()
    made = partitions.ensure(today - timedelta(days=31), today + timedelta(days=31 * MONTHS_AHEAD))
    return made, traffic_prune(now=now)
