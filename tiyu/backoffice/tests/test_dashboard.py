"""The dashboard: officials' figures per sub-region and type, search, and staff's own venues."""

from __future__ import annotations

import re

import pytest

pytestmark = pytest.mark.django_db


def listed(response) -> list[str]:
    """Venue ids in the dashboard's list, in order."""
    return re.findall(r'data-venue="(\d+)"', response.content.decode())


def region_counts(response) -> dict[str, int]:
    body = response.content.decode()
    rows = re.findall(r'data-region="(\d+)">.*?data-count>(\d+)<', body, flags=re.S)
    return {code: int(n) for code, n in rows}


def kind_counts(response) -> dict[str, int]:
    body = response.content.decode()
    rows = re.findall(r'data-kind="(\w+)">.*?fw-semibold">(\d+)<', body, flags=re.S)
    return {kind: int(n) for kind, n in rows}


def total(response) -> int:
    return int(re.search(r'data-testid="total">(\d+)<', response.content.decode()).group(1))


def test_city_official_sees_a_row_per_district(world, as_persona):
    response = as_persona("chengdu_official").get("/manage/")
    assert response.status_code == 200
    assert total(response) == 2
    assert region_counts(response) == {"510104": 1, "510107": 1, "510108": 0, "510116": 0}
    assert kind_counts(response) == {"gymnasium": 1, "natatorium": 1}
    assert sorted(listed(response)) == sorted(
        [str(world.wuhou_hall.pk), str(world.jinjiang_pool.pk)]
    )
    assert 'href="?region=510107"' in response.content.decode()


def test_national_official_sees_provinces(world, as_persona):
    response = as_persona("national_official").get("/manage/")
    assert total(response) == 4
    assert region_counts(response) == {"500000": 1, "510000": 3}


def test_drilling_down_into_a_district(world, as_persona):
    response = as_persona("chengdu_official").get("/manage/", {"region": "510107"})
    assert response.status_code == 200
    assert total(response) == 1
    assert listed(response) == [str(world.wuhou_hall.pk)]
    body = response.content.decode()
    # The trail leads back up to the official's own city, no further.
    assert 'href="?region=510100"' in body
    assert "?region=510000" not in body


def test_filter_by_type_and_search_by_name_or_initials(world, as_persona):
    client = as_persona("sichuan_official")
    assert listed(client.get("/manage/", {"kind": "natatorium"})) == [str(world.jinjiang_pool.pk)]
    # Initials match from the start of the name: 武侯羽毛球馆 is "whymqg".
    assert listed(client.get("/manage/", {"q": "whym"})) == [str(world.wuhou_hall.pk)]
    assert listed(client.get("/manage/", {"q": "自贡"})) == [str(world.zigong_park.pk)]
    assert listed(client.get("/manage/", {"q": "沙坪坝"})) == []


def test_region_outside_the_scope_is_not_found(world, as_persona):
    client = as_persona("chengdu_official")
    assert client.get("/manage/", {"region": "500106"}).status_code == 404
    assert client.get("/manage/", {"region": "510000"}).status_code == 404
    assert client.get("/manage/", {"region": "999999"}).status_code == 404


@pytest.mark.parametrize("params", [{"kind": "castle"}, {"region": "51"}, {"q": "x" * 101}])
def test_bad_filters_are_a_clear_400(world, as_persona, params):
    response = as_persona("chengdu_official").get("/manage/", params)
    assert response.status_code == 400
    assert 'data-error-code="filter_invalid"' in response.content.decode()


def test_list_is_paginated(world, as_persona, monkeypatch):
    monkeypatch.setattr("tiyu.backoffice.views.PAGE_SIZE", 1)
    client = as_persona("chengdu_official")
    first, second = client.get("/manage/"), client.get("/manage/", {"page": 2})
    assert len(listed(first)) == len(listed(second)) == 1
    assert set(listed(first) + listed(second)) == {
        str(world.wuhou_hall.pk),
        str(world.jinjiang_pool.pk),
    }
    assert "page=2" in first.content.decode()
    # A page past the end shows the last page rather than an error.
    assert listed(client.get("/manage/", {"page": 99})) == listed(second)


def test_manager_sees_their_venue_with_edit_links(world, as_persona):
    body = as_persona("manager").get("/manage/").content.decode()
    assert body.count('data-testid="own-venue"') == 1
    assert world.wuhou_hall.name in body
    assert f"/manage/venues/{world.wuhou_hall.pk}/edit/" in body
    assert 'data-testid="total"' not in body  # no regional figures for venue staff


def test_staff_sees_their_venue_without_edit_links(world, as_persona):
    body = as_persona("staff").get("/manage/").content.decode()
    assert f"/manage/venues/{world.wuhou_hall.pk}/" in body
    assert "/edit/" not in body
