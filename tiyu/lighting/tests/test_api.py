"""``/api/v1/lighting`` through HTTP: every endpoint against every persona, and shapes."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tiyu.devices.models import DeviceCommand
from tiyu.lighting.jobs import lights_plan
from tiyu.lighting.models import LightZone
from tiyu.lighting.tests.conftest import TODAY, at

pytestmark = pytest.mark.django_db

API = "/api/v1/lighting"
READERS = {
    "staff",
    "manager",
    "wuhou_official",
    "chengdu_official",
    "sichuan_official",
    "national_official",
    "association",
    "admin",
}
MANAGERS = {"manager", "admin"}
SWITCHERS = {"staff", "manager", "admin"}


def personas(lit):
    return lit.arena.world.personas


@pytest.mark.parametrize(
    "name",
    [
        "resident",
        "staff",
        "manager",
        "wuhou_official",
        "chengdu_official",
        "sichuan_official",
        "chongqing_official",
        "national_official",
        "association",
        "admin",
    ],
)
def test_role_matrix(lit, api_client, name):
    user = personas(lit)[name]
    h = api_client.token(user)
    zone = lit.part1_zone
    venue = lit.arena.venue.pk

    r = api_client.get(f"{API}/zones", {"venue_id": venue}, headers=h)
    assert r.status_code == 200
    assert {z["id"] for z in r.json()} == (
        {zone.pk, lit.court3_zone.pk} if name in READERS else set()
    )

    r = api_client.get(f"{API}/zones/{zone.pk}/commands", headers=h)
    assert r.status_code == (200 if name in READERS else 404)

    r = api_client.get(f"{API}/report", {"venue_id": venue}, headers=h)
    assert r.status_code == (200 if name in READERS else 404)

    before = DeviceCommand.objects.count()
    r = api_client.post(
        f"{API}/zones/{zone.pk}/override", {"on": True}, content_type="application/json", headers=h
    )
    expected = 201 if name in SWITCHERS else (403 if name in READERS else 404)
    assert r.status_code == expected, r.content
    assert DeviceCommand.objects.count() == before + (1 if expected == 201 else 0)

    body = {
        "name": "改名",
        "controller_id": lit.controller.pk,
        "court_ids": [lit.arena.part1.pk],
        "lead_minutes": 3,
    }
    r = api_client.put(f"{API}/zones/{zone.pk}", body, content_type="application/json", headers=h)
    assert r.status_code == (200 if name in MANAGERS else 404)
    zone.refresh_from_db()
    assert (zone.name == "改名") == (name in MANAGERS)

    zones = LightZone.objects.count()
    r = api_client.post(
        f"{API}/zones",
        {**body, "venue_id": venue, "name": "新灯组", "court_ids": [lit.arena.part2.pk]},
        content_type="application/json",
        headers=h,
    )
    assert r.status_code == (201 if name in MANAGERS else 404)
    assert LightZone.objects.count() == zones + (1 if name in MANAGERS else 0)


def test_anonymous_gets_401(client, lit):
    assert client.get(f"{API}/zones").status_code == 401
    assert (
        client.post(
            f"{API}/zones/{lit.part1_zone.pk}/override",
            {"on": True},
            content_type="application/json",
        ).status_code
        == 401
    )


def test_create_shape_and_refusal(lit, api_client):
    h = api_client.token(lit.arena.world.manager)
    body = {
        "venue_id": lit.arena.venue.pk,
        "name": "2号场灯组",
        "controller_id": lit.controller.pk,
        "court_ids": [lit.arena.part2.pk],
        "channel": "2",
    }
    r = api_client.post(f"{API}/zones", body, content_type="application/json", headers=h)
    assert r.status_code == 201
    out = r.json()
    assert out["court_ids"] == [lit.arena.part2.pk] and out["lead_minutes"] == 5
    assert out["lit"] is None and out["channel"] == "2"
    r = api_client.post(f"{API}/zones", body, content_type="application/json", headers=h)
    assert r.status_code == 400 and r.json()["code"] == "name_taken"
    r = api_client.post(
        f"{API}/zones", {**body, "lead_minutes": 90}, content_type="application/json", headers=h
    )
    assert r.status_code == 422
    assert LightZone.objects.filter(name="2号场灯组").count() == 1


def test_override_is_idempotent_with_a_key(lit, api_client):
    h = {**api_client.token(lit.arena.world.staff), "Idempotency-Key": "k-1"}
    url = f"{API}/zones/{lit.court3_zone.pk}/override"
    first = api_client.post(url, {"on": False}, content_type="application/json", headers=h)
    again = api_client.post(url, {"on": False}, content_type="application/json", headers=h)
    assert first.status_code == again.status_code == 201
    assert first.json() == again.json() and first.json()["origin"] == "manual"
    assert DeviceCommand.objects.filter(key__contains=":manual:").count() == 1
    r = api_client.post(
        url,
        {"on": True, "until": "2020-01-01T00:00:00+08:00"},
        content_type="application/json",
        headers=api_client.token(lit.arena.world.staff),
    )
    assert r.status_code == 400 and r.json()["code"] == "until_invalid"


def test_commands_and_report_shapes(lit, api_client):
    lit.book(lit.arena.court3, at(1, 18))
    lights_plan(now=at(1, 17, 30))
    on = lit.commands(lit.court3_zone)[0]
    lit.ack(on.key, at(1, 17, 50))
    h = api_client.token(lit.arena.world.wuhou_official)
    r = api_client.get(f"{API}/zones/{lit.court3_zone.pk}/commands", headers=h)
    assert [(c["action"], c["status"], c["origin"]) for c in r.json()] == [
        ("light_off", "pending", "plan"),
        ("light_on", "acked", "plan"),
    ]
    tomorrow = (TODAY + timedelta(1)).isoformat()
    r = api_client.get(
        f"{API}/report",
        {"venue_id": lit.arena.venue.pk, "from": tomorrow, "to": tomorrow},
        headers=h,
    )
    assert r.status_code == 200, r.content
    body = r.json()
    assert body["from"] == body["to"] == tomorrow
    assert body["booked_hours"] == 1.0 and len(body["days"]) == 1
    zone = next(z for z in body["zones"] if z["zone_id"] == lit.court3_zone.pk)
    # Acknowledged at 17:50 tomorrow: nothing counts as lit before the real now.
    assert zone["booked_hours"] == 1.0 and zone["lit_hours"] == 0.0
    r = api_client.get(f"{API}/report", {"venue_id": lit.arena.venue.pk}, headers=h)
    assert len(r.json()["days"]) == 7
    r = api_client.get(
        f"{API}/report",
        {"venue_id": lit.arena.venue.pk, "from": tomorrow, "to": "2000-01-01"},
        headers=h,
    )
    assert r.status_code == 400 and r.json()["code"] == "range_invalid"
    r = api_client.get(
        f"{API}/report", {"venue_id": lit.arena.venue.pk, "from": "9999-12-31"}, headers=h
    )
    assert r.status_code == 400 and r.json()["code"] == "date_invalid"
    r = api_client.get(f"{API}/zones", {"venue_id": lit.arena.venue.pk}, headers=h)
    state = next(z for z in r.json() if z["id"] == lit.court3_zone.pk)
    assert state["lit"] is True
