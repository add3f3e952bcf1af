"""Resident pages through Django's test client: status codes, content and bad input."""

from __future__ import annotations

import re
from datetime import date, time, timedelta
from typing import Any

import pytest
import segno
from django.utils import timezone

from conftest import make_venue
from tiyu.portal.tests.furnish import furnish

pytestmark = pytest.mark.django_db

HX = {"HTTP_HX_REQUEST": "true"}


def result_names(html: str) -> list[str]:
    return re.findall(r'data-testid="venue-name">([^<]+)<', html)


@pytest.fixture
def furnished(world: Any) -> Any:
    return furnish(world)


# --- Home ----------------------------------------------------------------------------


def test_home_lists_nearby_from_the_default_centre_and_counts(world: Any, client: Any) -> None:
    response = client.get("/")
    assert response.status_code == 200
    html = response.content.decode()
    # Chengdu centre: the two Chengdu venues first, Chongqing (~270 km) last.
    assert result_names(html) == ["锦江游泳馆", "武侯羽毛球馆", "自贡健身路径", "沙坪坝体育馆"]
    assert "30.5753" in html and "成都市" in html
    counts = dict(re.findall(r'data-kind="(\w+)">(\d+)<', html))
    assert counts == {"gymnasium": "2", "natatorium": "1", "fitness_path": "1"}
    assert 'href="/venues/?sport=badminton"' in html
    assert 'href="/map/"' in html


def test_home_in_english_names_sports_in_english(world: Any, client: Any) -> None:
    client.cookies["django_language"] = "en"
    html = client.get("/").content.decode()
    assert '<html lang="en">' in html
    assert ">Badminton</a>" in html


def test_nearby_fragment_sorts_from_the_given_position(world: Any, client: Any) -> None:
    # From Shapingba (Chongqing) the Shapingba gym comes first.
    response = client.get("/nearby/", {"lat": 29.5437, "lng": 106.4529}, **HX)
    assert response.status_code == 200
    html = response.content.decode()
    assert "<html" not in html
    assert result_names(html)[0] == "沙坪坝体育馆"
    assert 'data-mine="1"' in html


@pytest.mark.parametrize("params", [{"lat": "95", "lng": "104"}, {"lat": "x", "lng": "1"}])
def test_nearby_refuses_a_bad_position(world: Any, client: Any, params: dict[str, str]) -> None:
    response = client.get("/nearby/", params, **HX)
    assert response.status_code == 400
    assert 'data-error-code="invalid_request"' in response.content.decode()


# --- Search --------------------------------------------------------------------------


def test_search_by_pinyin_initials(world: Any, client: Any) -> None:
    response = client.get("/venues/", {"q": "ymq"})
    assert response.status_code == 200
    assert result_names(response.content.decode()) == ["武侯羽毛球馆"]


def test_search_fragment_for_htmx(world: Any, client: Any) -> None:
    response = client.get("/venues/", {"q": "youyong"}, **HX)
    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in html and 'id="search-form"' not in html
    assert result_names(html) == ["锦江游泳馆"]
    assert "HX-Request" in response["Vary"]


def test_search_by_region_sport_and_type(world: Any, client: Any) -> None:
    assert sorted(
        result_names(client.get("/venues/", {"province": "510000"}).content.decode())
    ) == sorted(["武侯羽毛球馆", "锦江游泳馆", "自贡健身路径"])
    html = client.get(
        "/venues/", {"province": "510000", "city": "510100", "district": "510107"}
    ).content.decode()
    assert result_names(html) == ["武侯羽毛球馆"]
    assert result_names(
        client.get("/venues/", {"sport": "badminton", "kind": "gymnasium"}).content.decode()
    ) == ["沙坪坝体育馆", "武侯羽毛球馆"]


def test_region_code_preselects_the_cascade(world: Any, client: Any) -> None:
    html = client.get("/venues/", {"region": "510107"}).content.decode()
    for code in ("510000", "510100", "510107"):
        assert f'value="{code}" selected' in html
    assert result_names(html) == ["武侯羽毛球馆"]
    # The district select offers Chengdu's districts only.
    assert 'value="510104"' in html and 'value="510302"' not in html


def test_search_nearest_first_shows_km(world: Any, client: Any) -> None:
    html = client.get("/venues/", {"lat": 30.6444, "lng": 104.0408}).content.decode()
    assert result_names(html) == ["武侯羽毛球馆", "锦江游泳馆", "自贡健身路径", "沙坪坝体育馆"]
    distances = re.findall(r'data-testid="distance">([\d.]+) 公里<', html)
    assert distances[0] == "0.0"
    assert len(distances) == 4 and 200 < float(distances[-1]) < 300


def test_search_paginates(world: Any, client: Any) -> None:
    for i in range(10):
        make_venue(world.admin, f"武侯社区球场{i}", "community_court", "510107", ["basketball"])
    first = client.get("/venues/", {"region": "510107"}).content.decode()
    assert len(result_names(first)) == 10
    assert "1 / 2" in first and 'rel="next"' in first
    second = client.get("/venues/", {"region": "510107", "page": 2}, **HX).content.decode()
    assert len(result_names(second)) == 1
    assert 'rel="prev"' in second and 'rel="next"' not in second
    all_names = set(result_names(first)) | set(result_names(second))
    assert len(all_names) == 11


@pytest.mark.parametrize(
    ("params", "code"),
    [
        ({"region": "999999"}, "region_unknown"),
        ({"sport": "quidditch"}, "sport_unknown"),
        ({"kind": "castle"}, "kind_invalid"),
        ({"region": "51"}, "invalid_request"),
        ({"lat": "30.6"}, "invalid_request"),
        ({"lat": "91", "lng": "104"}, "invalid_request"),
        ({"page": "0"}, "invalid_request"),
    ],
)
def test_bad_search_input_is_a_400_with_its_code(
    world: Any, client: Any, params: dict[str, str], code: str
) -> None:
    for extra in ({}, HX):
        response = client.get("/venues/", params, **extra)
        assert response.status_code == 400
        html = response.content.decode()
        assert f'data-error-code="{code}"' in html
        assert "venue-result" not in html


def test_unknown_region_message_is_shown_and_form_kept(world: Any, client: Any) -> None:
    html = client.get("/venues/", {"region": "999999", "q": "ymq"}).content.decode()
    assert "未知的行政区划代码" in html
    assert 'id="search-form"' in html and 'value="ymq"' in html


# --- Map -----------------------------------------------------------------------------


def test_map_page_carries_tile_settings_and_filters(world: Any, client: Any, settings: Any) -> None:
    settings.MAP_TILE_URL = "https://tiles.example/{z}/{x}/{y}.png"
    response = client.get("/map/", {"sport": "swimming"})
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-tile-url="https://tiles.example/{z}/{x}/{y}.png"' in html
    assert 'data-tile-crs="gcj02"' in html and "gcoord.global.prod.js" in html
    assert 'value="swimming" selected' in html
    assert 'id="map-strings"' in html


# --- Venue ---------------------------------------------------------------------------


def test_venue_page_shows_courts_hours_and_closures(
    world: Any, furnished: Any, client: Any
) -> None:
    response = client.get(f"/venues/{world.wuhou_hall.pk}/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "武侯羽毛球馆" in html
    assert "四川省 › 成都市 › 武侯区" in html
    assert 'data-testid="free-low-cost"' in html
    # The hall with its two parts nested, and the standalone table.
    hall_block = html.split('data-testid="court"')[1]
    assert "1号馆" in hall_block and "羽毛球1号场" in hall_block and "羽毛球2号场" in hall_block
    assert html.count('data-testid="court"') == 2
    assert html.count('data-testid="court-part"') == 2
    # Seven days, today highlighted with its periods.
    assert html.count('<th scope="row"') == 7
    today_row = html.split('data-testid="today"')[1].split("</tr>")[0]
    assert "09:00–12:00" in today_row
    assert ("14:00–21:30" in today_row) == (timezone.localdate().weekday() < 5)
    assert "地板翻新" in html
    assert "position=104.040800,30.644400" in html
    assert "name=%E6%AD%A6%E4%BE%AF" in html  # the name is URL-encoded


def test_facility_page_lists_equipment_with_status(world: Any, furnished: Any, client: Any) -> None:
    html = client.get(f"/venues/{world.zigong_park.pk}/").content.decode()
    statuses = re.findall(r'data-status="(\w+)"', html)
    assert statuses == ["ok", "faulty"]
    assert f"/e/{furnished.bench.code}/" in html


def test_unknown_and_unpublished_venues_are_404(world: Any, client: Any) -> None:
    hidden = make_venue(world.admin, "未发布馆", "gymnasium", "510104", [], is_published=False)
    for path in ("/venues/999999/", f"/venues/{hidden.pk}/"):
        response = client.get(path)
        assert response.status_code == 404
        assert 'data-error-code="venue_not_found"' in response.content.decode()
    assert client.get("/venues/abc/").status_code == 404


# --- Equipment -----------------------------------------------------------------------


def test_equipment_page_shows_item_and_facility(world: Any, furnished: Any, client: Any) -> None:
    response = client.get(f"/e/{furnished.bars.code}/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "双杠" in html and 'data-status="faulty"' in html
    assert "自贡健身路径" in html and "四川省 › 自贡市 › 自流井区" in html
    assert f'href="/venues/{world.zigong_park.pk}/"' in html
    assert f'src="/e/{furnished.bars.code}/qr.svg"' in html


def test_equipment_qr_encodes_the_absolute_page_url(
    world: Any, furnished: Any, client: Any
) -> None:
    code = furnished.bench.code
    response = client.get(f"/e/{code}/qr.svg")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/svg+xml"
    assert b"<svg" in response.content
    expected = segno.make(f"http://testserver/e/{code}/", error="m")
    other = segno.make("http://testserver/e/someone-else/", error="m")
    path = re.search(rb' d="([^"]+)"', response.content).group(1)
    assert path == _svg_path(expected) != _svg_path(other)


def _svg_path(qr: segno.QRCode) -> bytes:
    import io

    out = io.BytesIO()
    qr.save(out, kind="svg", scale=8, border=2)
    return re.search(rb' d="([^"]+)"', out.getvalue()).group(1)


def test_equipment_of_unpublished_facility_or_unknown_code_is_404(
    world: Any, furnished: Any, client: Any
) -> None:
    from tiyu.venues.services import VenueData, venue_update

    park = world.zigong_park
    data = VenueData(
        name=park.name,
        kind=park.kind,
        region_code=park.region_id,
        address=park.address,
        lat=park.lat,
        lng=park.lng,
        is_published=False,
    )
    venue_update(actor=world.admin, venue_id=park.pk, data=data)
    for path in (
        f"/e/{furnished.bench.code}/",
        f"/e/{furnished.bench.code}/qr.svg",
        "/e/nope/",
        "/e/nope/qr.svg",
    ):
        response = client.get(path)
        assert response.status_code == 404, path


# --- Display helpers -----------------------------------------------------------------


def test_week_hours_marks_today_and_a_closure_covering_it(world: Any, furnished: Any) -> None:
    from tiyu.portal.display import week_hours
    from tiyu.venues.models import Closure

    monday = date(2026, 3, 2)
    closure = Closure(starts_on=monday - timedelta(days=1), ends_on=monday, reason="x")
    days = week_hours(world.wuhou_hall.opening_hours.all(), [closure], monday)
    assert [d.is_today for d in days] == [True] + [False] * 6
    assert days[0].closed_today is closure
    assert days[0].periods == [(time(9), time(12)), (time(14), time(21, 30))]
    assert days[6].periods == [(time(9), time(12))]
    assert week_hours([], [closure], monday + timedelta(days=1))[1].closed_today is None


def test_municipality_trail_does_not_repeat_its_name(world: Any, client: Any) -> None:
    html = client.get(f"/venues/{world.shapingba_gym.pk}/").content.decode()
    trail = re.search(r'data-testid="region-trail">([^<]+)<', html).group(1)
    assert trail == "重庆市 › 沙坪坝区"


def test_unpublished_venues_are_not_counted_or_listed(world: Any, client: Any) -> None:
    make_venue(world.admin, "未发布泳池", "natatorium", "510104", [], is_published=False)
    html = client.get("/").content.decode()
    assert re.search(r'data-kind="natatorium">(\d+)<', html).group(1) == "1"
    assert "未发布泳池" not in html
    assert "未发布泳池" not in client.get("/venues/", {"q": "未发布"}).content.decode()
