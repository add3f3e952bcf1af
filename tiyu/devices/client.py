"""What a device does to talk to Tiyu, in Python: sign a batch for HTTP or MQTT.

The simulator, the benchmark and the tests use this; docs/devices.md shows the
same in prose for vendors.
"""

from __future__ import annotations

import json
import time
from typing import Any

from tiyu.devices.signing import sign

UP_TOPIC = "tiyu/v1/d/{device_id}/up"
DOWN_TOPIC = "tiyu/v1/d/{device_id}/down"


def batch_body(messages: list[dict[str, Any]]) -> bytes:
    return json.dumps({"messages": messages}, ensure_ascii=False, separators=(",", ":")).encode()


def http_request(
    device_id: int, secret: str, messages: list[dict[str, Any]], *, ts: int | None = None
) -> tuple[dict[str, str], bytes]:
    """Headers and body of a signed ``POST /api/v1/devices/messages``."""
    ts = int(time.time()) if ts is None else ts
    body = batch_body(messages)
    headers = {
        "Content-Type": "application/json",
        "X-Device-Id": str(device_id),
        "X-Timestamp": str(ts),
        "X-Signature": sign(secret, ts, body),
    }
    return headers, body


def mqtt_payload(secret: str, messages: list[dict[str, Any]], *, ts: int | None = None) -> bytes:
    """The envelope published on ``tiyu/v1/d/<id>/up``: the signed body as a string."""
    ts = int(time.time()) if ts is None else ts
    body = batch_body(messages)
    return json.dumps(
        {"ts": ts, "sig": sign(secret, ts, body), "body": body.decode()}, ensure_ascii=False
    ).encode()
