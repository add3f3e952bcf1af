"""The back-office lighting pages through Django's client: who sees, switches and edits."""

from __future__ import annotations

import pytest

from tiyu.devices.models import DeviceCommand
from tiyu.lighting.models import LightZone

pytestmark = pytest.mark.django_db

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


def url(lit, tail=""):
    return f"/manage/venues/{lit.arena.venue.pk}/lighting/{tail}"


@pytest.mark.parametrize(
    "name",
    [
        "resident",
        "staff",
        "manager",
        "wuhou_official",
        "chengdu_official",
        "chongqing_official",
        "national_official",
        "association",
        "admin",
    ],
)
def test_page_role_matrix(lit, client, name):
    user = lit.arena.world.personas[name]
    client.force_login(user)
    r = client.get(url(lit))
    expected = 200 if name in READERS else (403 if name == "resident" else 404)
    assert r.status_code == expected
    if expected == 200:
        html = r.content.decode()
        assert "1号场灯组" in html and 'id="lt-chart"' in html
        assert ('data-testid="switch"' in html) == (name in {"staff", "manager", "admin"})
        assert ('data-testid="zone-new"' in html) == (name in {"manager", "admin"})
    r = client.get(url(lit, "zones/new/"))
    assert r.status_code == (
        200 if name in {"manager", "admin"} else expected if expected != 200 else 404
    )

    before = DeviceCommand.objects.count()
    r = client.post(url(lit, f"zones/{lit.part1_zone.pk}/switch/"), {"on": "1", "hold": ""})
    if name in {"staff", "manager", "admin"}:
        assert r.status_code == 302
        assert DeviceCommand.objects.count() == before + 1
    else:
        assert r.status_code in {403, 404}
        assert DeviceCommand.objects.count() == before


def test_manager_adds_and_edits_a_zone_and_refusals_show(lit, client):
    client.force_login(lit.arena.world.manager)
    data = {
        "name": "2号场灯组",
        "controller_id": lit.controller.pk,
        "channel": "2",
        "court_ids": [lit.arena.part2.pk],
        "lead_minutes": 5,
        "grace_minutes": 0,
    }
    r = client.post(url(lit, "zones/new/"), data)
    assert r.status_code == 302
    zone = LightZone.objects.get(name="2号场灯组")
    r = client.post(url(lit, "zones/new/"), data)  # the same name again
    assert r.status_code == 400 and "本馆已有同名的灯光分区" in r.content.decode()
    assert LightZone.objects.filter(name="2号场灯组").count() == 1
    r = client.post(url(lit, f"zones/{zone.pk}/"), {**data, "lead_minutes": 99})
    assert r.status_code == 400
    zone.refresh_from_db()
    assert zone.lead_minutes == 5
    r = client.post(url(lit, f"zones/{zone.pk}/"), {**data, "lead_minutes": 12})
    assert r.status_code == 302
    zone.refresh_from_db()
    assert zone.lead_minutes == 12


def test_switch_for_a_while_and_a_bad_hold(lit, client):
    client.force_login(lit.arena.world.staff)
    before = DeviceCommand.objects.count()
    r = client.post(url(lit, f"zones/{lit.court3_zone.pk}/switch/"), {"on": "1", "hold": "60"})
    assert r.status_code == 302
    assert DeviceCommand.objects.count() == before + 2  # on now, off in an hour
    r = client.post(url(lit, f"zones/{lit.court3_zone.pk}/switch/"), {"on": "1", "hold": "9999"})
    assert r.status_code == 400
    assert DeviceCommand.objects.count() == before + 2
    # A zone of this venue through another venue's address is not found.
    other = lit.arena.world.jinjiang_pool.pk
    r = client.post(
        f"/manage/venues/{other}/lighting/zones/{lit.court3_zone.pk}/switch/", {"on": "1"}
    )
    assert r.status_code == 404
