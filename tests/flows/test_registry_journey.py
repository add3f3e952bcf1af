"""Journey: an official registers a venue, its manager is appointed and edits it, a resident
finds it by pinyin initials nearest first, and only the right officials see it."""

from __future__ import annotations

import pytest

from conftest import CENTRE
from tiyu.accounts.models import Role
from tiyu.accounts.services import membership_grant
from tiyu.venues.models import Venue

pytestmark = pytest.mark.django_db


def test_register_edit_find_and_supervise(world, api_client):
    lat, lng = CENTRE["510108"]
    new = {
        "name": "成华区乒乓球馆",
        "kind": "training_hall",
        "region_code": "510108",
        "address": "建设路 1 号",
        "lat": lat,
        "lng": lng,
        "sport_codes": ["table_tennis"],
    }
    created = api_client.post(
        "/api/v1/venues",
        new,
        content_type="application/json",
        headers=api_client.token(world.chengdu_official),
    )
    assert created.status_code == 201
    venue = Venue.objects.get(pk=created.json()["id"])

    membership_grant(user=world.resident, role=Role.VENUE_MANAGER, venue=venue, actor=world.admin)
    edited = api_client.put(
        f"/api/v1/venues/{venue.pk}",
        {**new, "name": "成华区乒乓球训练馆", "phone": "028-8888"},
        content_type="application/json",
        headers=api_client.token(world.resident),
    )
    assert edited.status_code == 200

    by_initials = api_client.get("/api/v1/venues", {"q": "ppq"}).json()["results"]
    assert [r["name"] for r in by_initials] == ["成华区乒乓球训练馆"]
    found = api_client.get(
        "/api/v1/venues", {"lat": lat, "lng": lng, "sport": "table_tennis"}
    ).json()["results"]
    assert [r["name"] for r in found] == ["成华区乒乓球训练馆", "武侯羽毛球馆"]
    assert found[0]["distance_m"] < found[1]["distance_m"]

    def sees(user) -> bool:
        listed = api_client.get("/api/v1/venues/managed", headers=api_client.token(user)).json()
        return "成华区乒乓球训练馆" in {r["name"] for r in listed["results"]}

    assert sees(world.chengdu_official) and sees(world.sichuan_official)
    assert not sees(world.wuhou_official) and not sees(world.chongqing_official)
