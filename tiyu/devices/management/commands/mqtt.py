"""``tiyu mqtt``: run the MQTT bridge until SIGTERM or Ctrl-C (docs/devices.md)."""

from __future__ import annotations

import signal
import threading
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser

from tiyu.devices.mqtt import Bridge


class Command(BaseCommand):
    help = "Bridge device messages between the MQTT broker and Tiyu."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--url", default=settings.MQTT_URL, help="mqtt://host:port")
        parser.add_argument("--client-id", default="tiyu-bridge")

    def handle(self, *args: Any, **opts: Any) -> None:
        bridge = Bridge(opts["url"], client_id=opts["client_id"])
        for sig in (signal.SIGTERM, signal.SIGINT):
            signal.signal(sig, lambda *_a: bridge.stop())
        self.stdout.write(f"mqtt bridge: {opts['url']} (Ctrl-C stops)")
        threading.Thread(target=self._announce, args=(bridge,), daemon=True).start()
        bridge.run()
        self.stdout.write("mqtt bridge stopped")

    def _announce(self, bridge: Bridge) -> None:
        """Say once when the broker has accepted the subscription (scripts wait for it)."""
        if bridge.connected.wait(timeout=3600):
            self.stdout.write("mqtt bridge connected")
            self.stdout.flush()
