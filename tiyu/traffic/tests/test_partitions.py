"""The raw table on PostgreSQL: monthly partitions, rows moved out of DEFAULT, retention."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from django.db import connection
from django.test import override_settings

from tiyu.traffic import partitions
from tiyu.traffic.events import GateEventIn
from tiyu.traffic.models import GateEvent, TrafficRollup
from tiyu.traffic.services import gate_events_record, traffic_prune

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="partitions exist only on PostgreSQL"
)


def _where(message_id: str) -> str:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT tableoid::regclass::text FROM traffic_gateevent WHERE message_id = %s",
            [message_id],
        )
        return cursor.fetchone()[0]


def test_ensure_moves_caught_rows_into_their_month(world: Any) -> None:
    hall = world.wuhou_hall
    at = datetime(2025, 3, 10, 4, tzinfo=UTC)
    gate_events_record([GateEventIn(hall.pk, 1, "early", at, "in", "face", "p")])
    assert _where("early") == partitions.DEFAULT
    made = partitions.ensure(date(2025, 3, 1), date(2025, 4, 30))
    assert made == ["traffic_gateevent_y2025m03", "traffic_gateevent_y2025m04"]
    assert _where("early") == "traffic_gateevent_y2025m03"
    assert partitions.ensure(date(2025, 3, 1), date(2025, 4, 30)) == []  # idempotent
    # The unique key still holds across the partitioned table.
    result = gate_events_record([GateEventIn(hall.pk, 1, "early", at, "in", "face", "p")])
    assert result.duplicates == 1
    assert GateEvent.objects.count() == 1


@override_settings(TRAFFIC_RETENTION_DAYS=30)
def test_prune_drops_old_months_and_keeps_rollups(world: Any) -> None:
    hall = world.wuhou_hall
    now = datetime(2025, 6, 15, tzinfo=UTC)
    partitions.ensure(date(2025, 3, 1), date(2025, 6, 30))
    old = GateEventIn(hall.pk, 1, "old", datetime(2025, 3, 5, tzinfo=UTC), "in", "face", "p")
    edge = GateEventIn(hall.pk, 1, "edge", now - timedelta(days=31), "in", "face", "p")
    new = GateEventIn(hall.pk, 1, "new", now - timedelta(days=1), "in", "face", "p")
    gate_events_record([old, edge, new], now=now)
    rollups = TrafficRollup.objects.count()
    removed = traffic_prune(now=now)
    assert removed == 2  # March dropped whole with its row; one May row deleted
    assert list(GateEvent.objects.values_list("message_id", flat=True)) == ["new"]
    assert "traffic_gateevent_y2025m03" not in partitions.existing()
    assert TrafficRollup.objects.count() == rollups
