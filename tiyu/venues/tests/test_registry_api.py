"""Registering and changing venues through the API, with the role matrix."""

from __future__ import annotations

import pytest

from conftest import CENTRE
from tiyu.core.models import AuditEntry
from tiyu.regions.geo import haversine_m, to_gcj02
from tiyu.venues.models import Venue

pytestmark = pytest.mark.django_db


def body(**over):
    lat, lng = CENTRE["510104"]
    data = {
        "name": "锦江网球中心",
        "kind": "gymnasium",
        "region_code": "510104",
        "address": "锦江大道 8 号",
        "lat": lat,
        "lng": lng,
        "sport_codes": ["tennis"],
        "phone": "028-12345678",
    }
    data.update(over)
    return data


def post(client, headers, data, **extra):
    return client.post(
        "/api/v1/venues", data, content_type="application/json", headers={**headers, **extra}
    )


def test_admin_registers_a_venue_with_pinyin_keys(world, api_client):
    response = post(api_client, api_client.token(world.admin), body())
    assert response.status_code == 201, response.content
    venue = Venue.objects.get(pk=response.json()["id"])
    assert (venue.name_pinyin, venue.name_initials) == ("jinjiangwangqiuzhongxin", "jjwqzx")
    assert AuditEntry.objects.filter(action="venue.created", object_id=str(venue.pk)).exists()


def test_official_registers_only_inside_their_region(world, api_client):
    ok = post(api_client, api_client.token(world.chengdu_official), body())
    assert ok.status_code == 201
    count = Venue.objects.count()
    lat, lng = CENTRE["500106"]
    refused = post(
        api_client,
        api_client.token(world.chengdu_official),
        body(region_code="500106", lat=lat, lng=lng),
    )
    assert refused.status_code == 403
    assert refused.json()["code"] == "venue_create_forbidden"
    assert Venue.objects.count() == count


@pytest.mark.parametrize("persona", ["resident", "staff", "manager"])
def test_non_officials_cannot_register(world, api_client, persona):
    count = Venue.objects.count()
    response = post(api_client, api_client.token(getattr(world, persona)), body())
    assert response.status_code == 403
    assert Venue.objects.count() == count


def test_anonymous_cannot_register(world, client):
    response = post(client, {}, body())
    assert response.status_code == 401
    assert not Venue.objects.filter(name="锦江网球中心").exists()


def test_idempotent_create_returns_the_first_venue(world, api_client):
    headers = api_client.token(world.admin)
    first = post(api_client, headers, body(), **{"Idempotency-Key": "abc-1"})
    second = post(api_client, headers, body(), **{"Idempotency-Key": "abc-1"})
    assert first.status_code == second.status_code == 201
    assert first.json() == second.json()
    assert Venue.objects.filter(name="锦江网球中心").count() == 1
    reused = post(api_client, headers, body(name="别的"), **{"Idempotency-Key": "abc-1"})
    assert reused.status_code == 409
    assert not Venue.objects.filter(name="别的").exists()


def test_gcj02_input_is_stored_as_wgs84(world, api_client):
    lat, lng = CENTRE["510104"]
    glat, glng = to_gcj02(lat, lng)
    response = post(
        api_client, api_client.token(world.admin), body(lat=glat, lng=glng, crs="gcj02")
    )
    assert response.status_code == 201
    venue = Venue.objects.get(pk=response.json()["id"])
    assert haversine_m(venue.lat, venue.lng, lat, lng) < 2


@pytest.mark.parametrize(
    ("over", "status", "code"),
    [
        ({"region_code": "510107"}, 400, "coordinates_outside_region"),  # point is in 锦江区
        ({"region_code": "123456"}, 400, "region_unknown"),
        ({"region_code": "510100"}, 400, "region_not_county"),
        ({"lat": 95}, 422, "invalid_request"),
        ({"lat": 51.5, "lng": -0.12}, 400, "coordinates_outside_region"),
        ({"kind": "castle"}, 400, "kind_invalid"),
        ({"sport_codes": ["quidditch"]}, 400, "sport_unknown"),
        ({"name": ""}, 422, "invalid_request"),
        ({"year_built": 1800}, 422, "invalid_request"),
    ],
)
def test_bad_venue_input_is_refused_and_nothing_changes(world, api_client, over, status, code):
    headers = api_client.token(world.admin)
    count, audits = Venue.objects.count(), AuditEntry.objects.count()
    response = post(api_client, headers, body(**over))
    assert response.status_code == status, response.content
    assert response.json()["code"] == code
    assert response.json()["message"]
    assert (Venue.objects.count(), AuditEntry.objects.count()) == (count, audits)


def test_manager_updates_own_venue_others_get_404(world, api_client):
    hall = world.wuhou_hall
    lat, lng = CENTRE["510107"]
    data = body(
        name="武侯羽毛球馆（新）", region_code="510107", lat=lat, lng=lng, sport_codes=["badminton"]
    )
    for persona in ["resident", "staff", "wuhou_official", "chengdu_official", "national_official"]:
        response = api_client.put(
            f"/api/v1/venues/{hall.pk}",
            data,
            content_type="application/json",
            headers=api_client.token(getattr(world, persona)),
        )
        assert response.status_code == 404, persona
        assert Venue.objects.get(pk=hall.pk).name == "武侯羽毛球馆"
    response = api_client.put(
        f"/api/v1/venues/{hall.pk}",
        data,
        content_type="application/json",
        headers=api_client.token(world.manager),
    )
    assert response.status_code == 200
    assert Venue.objects.get(pk=hall.pk).name == "武侯羽毛球馆（新）"


MANAGED = {
    "resident": set(),
    "staff": {"武侯羽毛球馆"},
    "manager": {"武侯羽毛球馆"},
    "wuhou_official": {"武侯羽毛球馆"},
    "chengdu_official": {"武侯羽毛球馆", "锦江游泳馆"},
    "sichuan_official": {"武侯羽毛球馆", "锦江游泳馆", "自贡健身路径"},
    "chongqing_official": {"沙坪坝体育馆"},
    "national_official": {"武侯羽毛球馆", "锦江游泳馆", "自贡健身路径", "沙坪坝体育馆"},
    "association": {"武侯羽毛球馆", "锦江游泳馆", "自贡健身路径"},
    "admin": {"武侯羽毛球馆", "锦江游泳馆", "自贡健身路径", "沙坪坝体育馆"},
}


@pytest.mark.parametrize("persona", sorted(MANAGED))
def test_role_matrix_for_scoped_venue_endpoints(world, api_client, persona):
    headers = api_client.token(getattr(world, persona))
    listed = api_client.get("/api/v1/venues/managed", headers=headers).json()
    assert {r["name"] for r in listed["results"]} == MANAGED[persona]
    for venue in [world.wuhou_hall, world.jinjiang_pool, world.zigong_park, world.shapingba_gym]:
        response = api_client.get(f"/api/v1/venues/managed/{venue.pk}", headers=headers)
        expected = 200 if venue.name in MANAGED[persona] else 404
        assert response.status_code == expected, (persona, venue.name)
    absent = api_client.get("/api/v1/venues/managed/999999", headers=headers)
    assert absent.status_code == 404


def test_scoped_endpoints_need_a_user(world, client):
    assert client.get("/api/v1/venues/managed").status_code == 401
    assert client.get(f"/api/v1/venues/managed/{world.wuhou_hall.pk}").status_code == 401


def test_public_detail_shows_courts_hours_and_navigation(world, client):
    response = client.get(f"/api/v1/venues/{world.wuhou_hall.pk}")
    assert response.status_code == 200
    data = response.json()
    assert data["name"] == "武侯羽毛球馆"
    assert {s["code"] for s in data["sports"]} == {"badminton", "table_tennis"}
    assert data["navigation_url"].startswith("https://uri.amap.com/marker?position=104.04")
    assert client.get("/api/v1/venues/999999").status_code == 404


@pytest.mark.parametrize("raw", ["{not json", "[]", '{"name": 5}', ""])
def test_malformed_json_is_a_4xx_and_creates_nothing(world, api_client, raw):
    headers = api_client.token(world.admin)
    count = Venue.objects.count()
    response = api_client.post(
        "/api/v1/venues", raw, content_type="application/json", headers=headers
    )
    assert 400 <= response.status_code < 500
    assert response.json()["code"]
    assert Venue.objects.count() == count
