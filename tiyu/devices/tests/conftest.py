"""Devices of the test world and a signed-request helper, as a device would send them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from django.utils import timezone

from tiyu.devices.client import http_request
from tiyu.devices.services import device_register

URL = "/api/v1/devices/messages"


@dataclass
class Fleet:
    world: Any
    gate: Any
    gate_secret: str
    sensor: Any
    sensor_secret: str
    lights: Any
    lights_secret: str

    def send(
        self, client: Any, device: Any, secret: str, messages: list[dict[str, Any]], **kw: Any
    ) -> Any:
        headers, body = http_request(device.pk, secret, messages, **kw)
        return client.post(URL, data=body, content_type="application/json", headers=headers)


@pytest.fixture
def fleet(world: Any) -> Fleet:
    gate, gs = device_register(
        actor=world.manager,
        venue_id=world.wuhou_hall.pk,
        kind="gate",
        name="东门闸机",
        location="东门",
    )
    sensor, ss = device_register(
        actor=world.admin, venue_id=world.jinjiang_pool.pk, kind="env_sensor", name="池水监测"
    )
    lights, ls = device_register(
        actor=world.manager, venue_id=world.wuhou_hall.pk, kind="light_controller", name="灯控"
    )
    return Fleet(world, gate, gs, sensor, ss, lights, ls)


def iso(minutes_ago: float = 0) -> str:
    return (timezone.localtime() - timezone.timedelta(minutes=minutes_ago)).isoformat()
