"""Venue search through the public API."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db


def names(response) -> list[str]:
    return [r["name"] for r in response.json()["results"]]


def test_initials_find_badminton_hall(world, client):
    response = client.get("/api/v1/venues", {"q": "ymq"})
    assert response.status_code == 200
    assert names(response) == ["武侯羽毛球馆"]


def test_full_pinyin_and_chinese(world, client):
    assert names(client.get("/api/v1/venues", {"q": "youyong"})) == ["锦江游泳馆"]
    assert names(client.get("/api/v1/venues", {"q": "体育馆"})) == ["沙坪坝体育馆"]


def test_region_filter_any_level(world, client):
    sichuan = names(client.get("/api/v1/venues", {"region": "510000"}))
    assert sorted(sichuan) == sorted(["武侯羽毛球馆", "锦江游泳馆", "自贡健身路径"])
    assert names(client.get("/api/v1/venues", {"region": "510107"})) == ["武侯羽毛球馆"]
    assert names(client.get("/api/v1/venues", {"region": "500000"})) == ["沙坪坝体育馆"]


def test_nearest_first_with_sport_filter(world, client):
    # From the Wuhou centre: the hall is on the spot, Shapingba is ~270 km away.
    response = client.get("/api/v1/venues", {"lat": 30.6444, "lng": 104.0408, "sport": "badminton"})
    rows = response.json()["results"]
    assert [r["name"] for r in rows] == ["武侯羽毛球馆", "沙坪坝体育馆"]
    assert rows[0]["distance_m"] < 50
    assert 200_000 < rows[1]["distance_m"] < 300_000


@pytest.mark.parametrize(
    ("params", "code"),
    [
        ({"region": "999999"}, "region_unknown"),
        ({"sport": "quidditch"}, "sport_unknown"),
        ({"kind": "castle"}, "kind_invalid"),
        ({"lat": 91, "lng": 104}, "invalid_request"),
        ({"region": "51"}, "invalid_request"),
    ],
)
def test_bad_search_input_is_a_clear_4xx(world, client, params, code):
    response = client.get("/api/v1/venues", params)
    assert 400 <= response.status_code < 500
    body = response.json()
    assert body["code"] == code
    assert body["message"]
