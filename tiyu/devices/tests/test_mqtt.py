"""The MQTT bridge against the real Mosquitto on this machine (skipped only where none runs).

The bridge runs in a thread of the test process, so it shares the test database.
"""

from __future__ import annotations

import json
import queue
import socket
import threading
import time
import uuid
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import paho.mqtt.client as mqtt
import pytest
from django.utils import timezone

from tiyu.devices.client import DOWN_TOPIC, UP_TOPIC, mqtt_payload
from tiyu.devices.models import CommandStatus, DeviceCommand, DeviceSeen
from tiyu.devices.mqtt import Bridge
from tiyu.devices.services import command_issue
from tiyu.devices.signing import verify
from tiyu.devices.tests.conftest import Fleet
from tiyu.traffic.models import GateEvent

pytestmark = pytest.mark.django_db(transaction=True)
HOST, PORT = "127.0.0.1", 1883
WAIT = 10


def broker_running() -> bool:
    try:
        with socket.create_connection((HOST, PORT), timeout=1):
            return True
    except OSError:
        return False


@pytest.fixture
def broker() -> str:
    if not broker_running():
        pytest.skip(f"no MQTT broker at {HOST}:{PORT}: start mosquitto to run the bridge tests")
    return f"mqtt://{HOST}:{PORT}"


class FakeDevice:
    """A device on the broker: publishes signed batches, collects what comes down."""

    def __init__(self, device: Any, secret: str) -> None:
        self.device, self.secret = device, secret
        self.down: queue.Queue[dict[str, Any]] = queue.Queue()
        self.client = mqtt.Client(
            mqtt.CallbackAPIVersion.VERSION2, client_id=f"dev-{uuid.uuid4().hex[:8]}"
        )
        self.client.on_message = self._on_message
        subscribed = threading.Event()
        self.client.on_subscribe = lambda *_a: subscribed.set()
        self.client.connect(HOST, PORT)
        self.client.loop_start()
        self.client.subscribe(DOWN_TOPIC.format(device_id=device.pk), qos=1)
        assert subscribed.wait(WAIT)

    def _on_message(self, _c: Any, _u: Any, msg: Any) -> None:
        env = json.loads(msg.payload)
        assert verify(self.secret, env["ts"], env["body"].encode(), env["sig"])  # Tiyu signs too
        for m in json.loads(env["body"])["messages"]:
            self.down.put(m)

    def send(self, messages: list[dict[str, Any]], *, secret: str | None = None) -> None:
        payload = mqtt_payload(secret or self.secret, messages)
        self.client.publish(
            UP_TOPIC.format(device_id=self.device.pk), payload, qos=1
        ).wait_for_publish(WAIT)

    def next(self, kind: str) -> dict[str, Any]:
        while True:
            m = self.down.get(timeout=WAIT)
            if m["type"] == kind:
                return m

    def close(self) -> None:
        self.client.loop_stop()
        self.client.disconnect()


def start_bridge(url: str, client_id: str) -> tuple[Bridge, threading.Thread]:
    bridge = Bridge(url, client_id=client_id)
    thread = threading.Thread(target=bridge.run, kwargs={"tick_seconds": 0.2}, daemon=True)
    thread.start()
    assert bridge.connected.wait(WAIT), "bridge did not connect"
    return bridge, thread


@pytest.fixture
def bridge(broker: str) -> Iterator[tuple[Bridge, str]]:
    client_id = f"tiyu-test-{uuid.uuid4().hex[:8]}"
    b, thread = start_bridge(broker, client_id)
    yield b, client_id
    b.stop()
    thread.join(WAIT)


def wait_for(condition: Any, seconds: float = WAIT) -> bool:
    """The bridge commits just after it publishes: give the database a moment."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return False


def gate(i: int, at: str) -> dict[str, Any]:
    return {
        "id": f"m{i}",
        "type": "gate",
        "at": at,
        "direction": "in",
        "method": "face",
        "person": f"p{i % 2}",
    }


def test_messages_over_mqtt_are_recorded_once(fleet: Fleet, bridge: Any) -> None:
    device = FakeDevice(fleet.gate, fleet.gate_secret)
    at = timezone.localtime().replace(microsecond=0).isoformat()
    try:
        device.send([gate(i, at) for i in range(4)])
        result = device.next("result")
        assert result["ok"] is True and result["accepted"] == 4
        device.send([gate(i, at) for i in range(4)])  # resent: QoS 1 may deliver twice
        assert device.next("result")["duplicates"] == 4
        assert GateEvent.objects.count() == 4
        assert DeviceSeen.objects.get(device=fleet.gate).transport == "mqtt"
        device.send([gate(9, at)], secret="wrong")
        refused = device.next("result")
        assert refused == {"type": "result", "ok": False, "code": "bad_signature"}
        assert GateEvent.objects.count() == 4
    finally:
        device.close()


def test_commands_go_down_and_are_acknowledged(fleet: Fleet, bridge: Any) -> None:
    device = FakeDevice(fleet.lights, fleet.lights_secret)
    try:
        command_issue(
            device_id=fleet.lights.pk,
            action="light_on",
            key="light:z1:on:test",
            payload={"channel": 2},
        )
        got = device.next("command")
        assert (got["id"], got["action"], got["payload"]) == (
            "light:z1:on:test",
            "light_on",
            {"channel": 2},
        )
        at = timezone.localtime().isoformat()
        device.send([{"id": "ack1", "type": "ack", "at": at, "command": got["id"], "ok": True}])
        assert device.next("result")["ok"] is True
        assert wait_for(
            lambda: DeviceCommand.objects.get(key="light:z1:on:test").status == CommandStatus.ACKED
        )
    finally:
        device.close()


def test_an_unacknowledged_command_is_sent_again(fleet: Fleet, bridge: Any) -> None:
    device = FakeDevice(fleet.lights, fleet.lights_secret)
    try:
        c = command_issue(device_id=fleet.lights.pk, action="light_off", key="light:z1:off:t")
        assert device.next("command")["id"] == c.key
        # Pretend the retry delay has passed.
        DeviceCommand.objects.filter(pk=c.pk).update(next_attempt_at=timezone.now())
        assert device.next("command")["id"] == c.key
        assert wait_for(lambda: DeviceCommand.objects.get(pk=c.pk).attempts == 2)
        c.refresh_from_db()
        assert c.status == CommandStatus.SENT
        assert c.next_attempt_at > timezone.now() + timedelta(seconds=5)
    finally:
        device.close()


def test_messages_sent_while_the_bridge_is_down_arrive_later(fleet: Fleet, broker: str) -> None:
    client_id = f"tiyu-test-{uuid.uuid4().hex[:8]}"
    b, thread = start_bridge(broker, client_id)  # registers the persistent session
    b.stop()
    thread.join(WAIT)
    device = FakeDevice(fleet.gate, fleet.gate_secret)
    at = timezone.localtime().replace(microsecond=0).isoformat()
    try:
        device.send([gate(1, at), gate(2, at)])
        assert GateEvent.objects.count() == 0
        b, thread = start_bridge(broker, client_id)
        assert device.next("result")["accepted"] == 2
        assert GateEvent.objects.count() == 2
    finally:
        device.close()
        b.stop()
        thread.join(WAIT)
