"""Device messages over HTTP: signed, once each, refused whole or one by one, and counted."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.test import override_settings
from django.utils import timezone

from tiyu.booking.models import Booking, BookingSlot, BookingStatus, SlotStatus
from tiyu.devices.client import batch_body
from tiyu.devices.models import DeviceRejection, DeviceSeen
from tiyu.devices.services import command_issue, device_revoke, device_secret_rotate
from tiyu.devices.signing import sign
from tiyu.devices.tests.conftest import URL, Fleet, iso
from tiyu.environment.models import Alert
from tiyu.traffic.models import GateEvent, TrafficRollup, VisitorDay

BASE = timezone.localtime().replace(second=0, microsecond=0)


def gate_msgs(n: int, *, person: str = "p", start: int = 0) -> list[dict[str, Any]]:
    """Gate messages with fixed times: a resend repeats a message exactly, time included."""
    return [
        {
            "id": f"g{i}",
            "type": "gate",
            "at": (BASE - timedelta(minutes=i)).isoformat(),
            "direction": "in",
            "method": "face",
            "person": f"{person}{i % 3}",
        }
        for i in range(start, start + n)
    ]


def nothing_recorded() -> bool:
    return not GateEvent.objects.exists() and not TrafficRollup.objects.exists()


def rejections(reason: str) -> int:
    return sum(DeviceRejection.objects.filter(reason=reason).values_list("count", flat=True))


def test_a_signed_batch_is_recorded_once(fleet: Fleet, client: Any) -> None:
    r = fleet.send(client, fleet.gate, fleet.gate_secret, gate_msgs(6))
    assert r.status_code == 200, r.content
    assert r.json()["accepted"] == 6 and r.json()["duplicates"] == 0
    assert GateEvent.objects.filter(venue_id=fleet.world.wuhou_hall.pk).count() == 6
    assert VisitorDay.objects.count() >= 3
    r = fleet.send(client, fleet.gate, fleet.gate_secret, gate_msgs(6))
    assert r.json()["accepted"] == 0 and r.json()["duplicates"] == 6
    assert GateEvent.objects.count() == 6
    seen = DeviceSeen.objects.get(device=fleet.gate)
    assert seen.transport == "http" and seen.messages == 12


def test_unknown_device_is_refused_and_counted(fleet: Fleet, client: Any) -> None:
    body = batch_body(gate_msgs(1))
    ts = int(timezone.now().timestamp())
    r = client.post(
        URL,
        data=body,
        content_type="application/json",
        headers={
            "X-Device-Id": "999999",
            "X-Timestamp": str(ts),
            "X-Signature": sign("x", ts, body),
        },
    )
    assert r.status_code == 401 and r.json()["code"] == "device_unknown"
    row = DeviceRejection.objects.get(reason="device_unknown")
    assert (row.device_id, row.venue_id, row.count) == (999999, None, 1)
    assert nothing_recorded()


def test_unsigned_request(fleet: Fleet, client: Any) -> None:
    r = client.post(
        URL,
        data=batch_body(gate_msgs(1)),
        content_type="application/json",
        headers={"X-Device-Id": str(fleet.gate.pk)},
    )
    assert r.status_code == 401 and r.json()["code"] == "unsigned"
    assert rejections("unsigned") == 1 and nothing_recorded()


def test_stale_timestamp_is_refused(fleet: Fleet, client: Any) -> None:
    old = int(timezone.now().timestamp()) - 301
    r = fleet.send(client, fleet.gate, fleet.gate_secret, gate_msgs(1), ts=old)
    assert r.status_code == 401 and r.json()["code"] == "timestamp_out_of_window"
    assert nothing_recorded()


def test_bad_signature_and_tampered_body(fleet: Fleet, client: Any) -> None:
    r = fleet.send(client, fleet.gate, "not-the-secret", gate_msgs(1))
    assert r.status_code == 401 and r.json()["code"] == "bad_signature"
    ts = int(timezone.now().timestamp())
    body = batch_body(gate_msgs(1))
    tampered = body.replace(b'"in"', b'"out"')
    r = client.post(
        URL,
        data=tampered,
        content_type="application/json",
        headers={
            "X-Device-Id": str(fleet.gate.pk),
            "X-Timestamp": str(ts),
            "X-Signature": sign(fleet.gate_secret, ts, body),
        },
    )
    assert r.status_code == 401 and r.json()["code"] == "bad_signature"
    assert rejections("bad_signature") == 2
    assert DeviceRejection.objects.get(reason="bad_signature").venue_id == fleet.world.wuhou_hall.pk
    assert nothing_recorded()


def test_revoked_device_is_refused(fleet: Fleet, client: Any) -> None:
    device_revoke(actor=fleet.world.manager, device_id=fleet.gate.pk)
    r = fleet.send(client, fleet.gate, fleet.gate_secret, gate_msgs(2))
    assert r.status_code == 403 and r.json()["code"] == "device_revoked"
    assert nothing_recorded()


def test_rotated_secret_replaces_the_old_one(fleet: Fleet, client: Any) -> None:
    _d, new = device_secret_rotate(actor=fleet.world.manager, device_id=fleet.gate.pk)
    r = fleet.send(client, fleet.gate, fleet.gate_secret, gate_msgs(1))
    assert r.status_code == 401 and r.json()["code"] == "bad_signature"
    r = fleet.send(client, fleet.gate, new, gate_msgs(1))
    assert r.status_code == 200 and r.json()["accepted"] == 1


@override_settings(DEVICE_BATCH_MAX=5)
def test_oversized_and_malformed_batches(fleet: Fleet, client: Any) -> None:
    r = fleet.send(client, fleet.gate, fleet.gate_secret, gate_msgs(6))
    assert r.status_code == 413 and r.json()["code"] == "batch_too_large"
    ts = int(timezone.now().timestamp())
    for body in (b"{not json", b'{"messages": 3}', b"[1,2]", "\xff".encode("latin-1")):
        r = client.post(
            URL,
            data=body,
            content_type="application/json",
            headers={
                "X-Device-Id": str(fleet.gate.pk),
                "X-Timestamp": str(ts),
                "X-Signature": sign(fleet.gate_secret, ts, body),
            },
        )
        assert r.status_code == 400 and r.json()["code"] == "malformed"
    assert rejections("malformed") == 4 and rejections("batch_too_large") == 1
    assert nothing_recorded()


def test_bad_messages_are_refused_one_by_one(fleet: Fleet, client: Any) -> None:
    future = (timezone.localtime() + timedelta(minutes=10)).isoformat()
    late = (timezone.localtime() - timedelta(hours=73)).isoformat()
    good = gate_msgs(2)
    msgs = [
        *good,
        {"id": "f", "type": "gate", "at": future, "direction": "in"},
        {"id": "l", "type": "gate", "at": late, "direction": "in"},
        {"id": "r", "type": "reading", "at": iso(), "metric": "ph", "value": 7},
        {"id": "d", "type": "gate", "at": iso(), "direction": "sideways"},
        {"id": "n", "type": "gate", "at": iso(), "direction": "in", "person": "13800138000"},
        "not an object",
    ]
    r = fleet.send(client, fleet.gate, fleet.gate_secret, msgs)
    assert r.status_code == 200
    body = r.json()
    assert body["accepted"] == 2
    assert {(x["id"], x["code"]) for x in body["rejected"]} == {
        ("f", "too_far_ahead"),
        ("l", "too_late"),
        ("r", "type_not_for_device"),
        ("d", "bad_direction"),
        ("n", "person_identifying"),
        ("", "malformed"),
    }
    assert GateEvent.objects.count() == 2
    assert rejections("too_late") == 1 and rejections("type_not_for_device") == 1


def test_a_pool_sensor_reading_out_of_range_opens_an_alert(fleet: Fleet, client: Any) -> None:
    msgs = [
        {"id": "r1", "type": "reading", "at": iso(), "metric": "ph", "value": 8.4},
        {"id": "r2", "type": "reading", "at": iso(), "metric": "chlorine", "value": 0.5},
    ]
    r = fleet.send(client, fleet.sensor, fleet.sensor_secret, msgs)
    assert r.status_code == 200 and r.json()["accepted"] == 2
    assert r.json()["alerts_opened"] == 1
    assert Alert.objects.get().metric == "ph"


def test_ack_marks_a_command_acknowledged(fleet: Fleet, client: Any) -> None:
    c = command_issue(device_id=fleet.lights.pk, action="light_on", key="light:test:on")
    r = fleet.send(
        client,
        fleet.lights,
        fleet.lights_secret,
        [
            {"id": "a1", "type": "ack", "at": iso(), "command": "light:test:on", "ok": True},
            {"id": "h1", "type": "heartbeat", "at": iso(), "firmware": "2.1.0"},
        ],
    )
    assert r.status_code == 200
    c.refresh_from_db()
    assert c.status == "acked" and c.acked_at is not None
    fleet.lights.refresh_from_db()
    assert fleet.lights.firmware == "2.1.0"


@pytest.fixture
def booking_now(arena: Any, fleet: Fleet) -> Booking:
    now = timezone.now()
    booking = Booking.objects.create(
        user=arena.resident2, venue=arena.venue, status=BookingStatus.CONFIRMED
    )
    BookingSlot.objects.create(
        booking=booking,
        court=arena.court3,
        starts_at=now - timedelta(minutes=10),
        ends_at=now + timedelta(minutes=50),
        price_fen=0,
        status=SlotStatus.CONFIRMED,
    )
    return booking


def test_a_booking_code_at_the_gate_checks_the_booking_in(
    fleet: Fleet, client: Any, booking_now: Booking
) -> None:
    scan = {
        "type": "gate",
        "at": iso(),
        "direction": "in",
        "method": "booking_code",
        "code": booking_now.entry_code,
    }
    r = fleet.send(client, fleet.gate, fleet.gate_secret, [{"id": "s1", **scan}])
    assert r.status_code == 200
    assert r.json()["checkins"] == [{"id": "s1", "ok": True, "code": "admitted"}]
    slot = booking_now.slots.get()
    assert slot.status == SlotStatus.CHECKED_IN and slot.checked_in_by is None
    # Stepping out and back in is admitted again and stays one visitor.
    r = fleet.send(client, fleet.gate, fleet.gate_secret, [{"id": "s2", **scan}])
    assert r.json()["checkins"][0]["ok"] is True
    assert GateEvent.objects.filter(method="booking_code").count() == 2
    assert VisitorDay.objects.count() == 1
    r = fleet.send(
        client, fleet.gate, fleet.gate_secret, [{"id": "s3", **scan, "code": "ZZZZ9999"}]
    )
    assert r.json()["checkins"] == [{"id": "s3", "ok": False, "code": "entry_code_unknown"}]
    assert GateEvent.objects.count() == 2
