"""The MQTT bridge (``tiyu mqtt``): device messages in from the broker, commands out.

Topics (docs/devices.md):
  tiyu/v1/d/<device id>/up    device → Tiyu, QoS 1:
                              {"ts": <unix s>, "sig": "<hex>", "body": "<json batch>"}
  tiyu/v1/d/<device id>/down  Tiyu → device, QoS 1: the same envelope, signed with the
                              device's secret: batch results and commands to carry out.

The bridge keeps a persistent session (fixed client id, clean_session False), so
messages published while it was down are delivered when it reconnects; paho
reconnects with backoff. Every message goes through
:func:`tiyu.devices.ingest.messages_ingest`, the service the HTTP endpoint uses.
"""

from __future__ import annotations

import json
import logging
import threading
from typing import Any
from urllib.parse import urlparse

import paho.mqtt.client as mqtt
from django.db import close_old_connections, connections

from tiyu.core.errors import DomainError
from tiyu.devices.client import DOWN_TOPIC, mqtt_payload
from tiyu.devices.commands import commands_send
from tiyu.devices.ingest import IngestResult, messages_ingest
from tiyu.devices.models import Device
from tiyu.devices.signing import decrypt_secret

log = logging.getLogger(__name__)
UP = "tiyu/v1/d/+/up"
QOS = 1


def parse_envelope(payload: bytes) -> tuple[Any, Any, bytes]:
    """(ts, sig, body bytes) of an up message; missing parts come back empty (refused later)."""
    try:
        env = json.loads(payload)
    except (ValueError, UnicodeDecodeError):
        return None, None, payload
    if not isinstance(env, dict) or not isinstance(env.get("body"), str):
        return None, None, payload
    return env.get("ts"), env.get("sig"), env["body"].encode()


def device_of(topic: str) -> str:
    parts = topic.split("/")
    return parts[3] if len(parts) == 5 else ""


class Bridge:
    """One connection to the broker: ingest on message, send due commands every second."""

    def __init__(self, url: str, *, client_id: str = "tiyu-bridge") -> None:
        u = urlparse(url)
        self.host, self.port = u.hostname or "127.0.0.1", u.port or 1883
        self.stopping = threading.Event()
        self.connected = threading.Event()
        self.client = mqtt.Client(
            mqtt.CallbackAPIVersion.VERSION2, client_id=client_id, clean_session=False
        )
        if u.username:
            self.client.username_pw_set(u.username, u.password)
        self.client.reconnect_delay_set(min_delay=1, max_delay=30)
        self.client.on_connect = self._on_connect
        self.client.on_disconnect = self._on_disconnect
        self.client.on_message = self._on_message

    def _on_connect(self, client: Any, _u: Any, _f: Any, reason: Any, _p: Any) -> None:
        if reason.is_failure:
            log.warning("mqtt connect refused: %s", reason)
            return
        client.subscribe(UP, qos=QOS)
        self.connected.set()
        log.info("mqtt bridge connected to %s:%s", self.host, self.port)

    def _on_disconnect(self, _c: Any, _u: Any, _f: Any, reason: Any, _p: Any) -> None:
        self.connected.clear()
        if self.stopping.is_set():
            connections.close_all()  # this is the network thread: its own connection goes
        else:
            log.warning("mqtt bridge disconnected (%s); reconnecting", reason)

    def _on_message(self, _c: Any, _u: Any, msg: Any) -> None:
        close_old_connections()
        try:
            self.handle(msg.topic, msg.payload)
        except Exception:  # a bad message must never stop the bridge
            log.exception("mqtt message on %s failed", msg.topic)
        finally:
            close_old_connections()

    def handle(self, topic: str, payload: bytes) -> IngestResult | None:
        """Ingest one up message and answer the device on its down topic."""
        device_id = device_of(topic)
        ts, sig, body = parse_envelope(payload)
        try:
            result = messages_ingest(
                device_id=device_id, timestamp=ts, signature=sig, body=body, transport="mqtt"
            )
        except DomainError as exc:
            if exc.status == 401 and exc.code == "device_unknown":
                return None  # nobody to answer
            self.reply(device_id, {"type": "result", "ok": False, "code": exc.code})
            return None
        self.reply(device_id, {"type": "result", "ok": True, **result.as_dict()})
        return result

    def reply(self, device_id: str, message: dict[str, Any]) -> None:
        device = Device.objects.filter(pk=device_id).first() if device_id.isdigit() else None
        secret = decrypt_secret(device.secret_encrypted) if device else None
        if secret is not None:
            self.publish(DOWN_TOPIC.format(device_id=device_id), mqtt_payload(secret, [message]))

    def publish(self, topic: str, payload: bytes) -> bool:
        if not self.connected.is_set():
            return False
        info = self.client.publish(topic, payload, qos=QOS)
        return info.rc == mqtt.MQTT_ERR_SUCCESS

    def run(self, *, tick_seconds: float = 1.0) -> None:
        """Connect and serve until :meth:`stop`; commands go out every tick."""
        self.client.connect_async(self.host, self.port, keepalive=30)
        self.client.loop_start()
        try:
            while not self.stopping.wait(tick_seconds):
                if self.connected.is_set():
                    close_old_connections()
                    try:
                        commands_send(self.publish)
                    except Exception:
                        log.exception("sending commands failed")
        finally:
            self.client.disconnect()
            self.client.loop_stop()
            connections.close_all()

    def stop(self) -> None:
        self.stopping.set()
