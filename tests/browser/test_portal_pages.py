"""Resident pages in a real browser: search, the map without tiles, venue and equipment pages."""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser.conftest import shot
from tiyu.portal.tests.furnish import furnish

pytestmark = pytest.mark.django_db(transaction=True)

SHAPINGBA = {"latitude": 29.5437, "longitude": 106.4529}


def names(page: Any, selector: str) -> list[str]:
    return [t.strip() for t in page.locator(selector).all_inner_texts()]


def no_sideways_scroll(page: Any) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_search_by_pinyin_initials_updates_in_place(
    world: Any, live_server: Any, page: Any
) -> None:
    page.goto(f"{live_server.url}/venues/")
    assert len(names(page, "[data-testid=venue-name]")) == 4
    page.fill("[data-testid=search-q]", "ymq")
    page.wait_for_function("document.querySelectorAll('[data-testid=venue-name]').length === 1")
    assert names(page, "[data-testid=venue-name]") == ["武侯羽毛球馆"]
    assert "q=ymq" in page.url  # htmx pushed the query, so the result can be shared
    shot(page, "portal-search-ymq")


def test_region_cascade_fills_from_the_api(world: Any, live_server: Any, page: Any) -> None:
    page.goto(f"{live_server.url}/venues/")
    assert page.locator("#id_city").is_disabled()
    page.select_option("#id_province", "510000")
    page.wait_for_selector("#id_city option[value='510100']", state="attached")
    page.select_option("#id_city", "510100")
    page.wait_for_selector("#id_district option[value='510107']", state="attached")
    page.select_option("#id_district", "510107")
    page.wait_for_function("location.search.includes('district=510107')")
    page.wait_for_function("document.querySelectorAll('[data-testid=venue-name]').length === 1")
    assert names(page, "[data-testid=venue-name]") == ["武侯羽毛球馆"]
    # Changing the province clears the lower levels.
    page.select_option("#id_province", "500000")
    assert page.locator("#id_district").is_disabled()
    page.wait_for_function(
        "[...document.querySelectorAll('[data-testid=venue-name]')].map(e => e.textContent)"
        ".join() === '沙坪坝体育馆'"
    )


def test_unknown_sport_shows_the_message_not_a_crash(
    world: Any, live_server: Any, page: Any
) -> None:
    response = page.goto(f"{live_server.url}/venues/?sport=quidditch")
    assert response.status == 400
    alert = page.locator("[data-error-code=sport_unknown]")
    assert "未知的运动项目" in alert.inner_text()
    assert page.locator("#search-form").is_visible()  # the user can fix the search in place
    shot(page, "portal-search-error")


def test_language_switcher_gives_english(world: Any, live_server: Any, page: Any) -> None:
    page.goto(f"{live_server.url}/")
    shot(page, "portal-home-desktop")
    page.select_option("select[name=language]", "en")
    page.wait_for_selector("html[lang=en]")
    assert "Badminton" in names(page, "[data-testid=sport-picks] a")
    # The choice sticks: the next page is English too.
    page.goto(f"{live_server.url}/venues/")
    assert page.get_attribute("html", "lang") == "en"
    shot(page, "portal-search-en")


def test_map_shows_markers_list_and_distances_without_tiles(
    world: Any, live_server: Any, page: Any
) -> None:
    page.goto(f"{live_server.url}/map/")
    page.wait_for_selector("[data-testid=map-row]")
    assert page.locator(".tiyu-marker").count() == 4
    rows = names(page, "[data-testid=map-row-name]")
    assert rows == ["锦江游泳馆", "武侯羽毛球馆", "自贡健身路径", "沙坪坝体育馆"]
    distances = names(page, "[data-testid=map-row] [data-testid=distance]")
    assert all(d.endswith("公里") for d in distances)
    assert page.locator("[data-testid=tile-notice]").is_visible()
    assert "底图无法加载" in page.inner_text("[data-testid=tile-notice]")

    # A marker selects its list row (and opens its popup) ...
    page.locator(".tiyu-marker").nth(0).click()
    page.wait_for_selector("[data-testid=map-row].active")
    assert (
        page.inner_text("[data-testid=map-row].active [data-testid=map-row-name]") == "锦江游泳馆"
    )
    popup = page.locator(".leaflet-popup [data-testid=map-popup]")
    assert "锦江游泳馆" in popup.inner_text()
    # ... and a list row opens its marker's popup, panning there.
    page.locator("[data-testid=map-row]").nth(3).click()
    page.wait_for_function(
        "document.querySelector('.leaflet-popup [data-testid=map-popup] strong')?.textContent"
        " === '沙坪坝体育馆'"
    )
    assert page.locator(".tiyu-marker.is-active").count() == 1
    shot(page, "portal-map-desktop")


def test_map_filters_and_my_position(world: Any, live_server: Any, page: Any) -> None:
    page.context.grant_permissions(["geolocation"], origin=live_server.url)
    page.context.set_geolocation(SHAPINGBA)
    page.goto(f"{live_server.url}/map/?sport=badminton")
    # Permission already granted: the map centres on the user without asking.
    page.wait_for_function(
        "document.querySelector('[data-testid=map-row-name]')?.textContent === '沙坪坝体育馆'",
        timeout=40_000,  # geolocation, then a second search: slow when the machine is busy
    )
    assert names(page, "[data-testid=map-row-name]") == ["沙坪坝体育馆", "武侯羽毛球馆"]
    assert page.locator(".tiyu-marker").count() == 2
    first_km = float(names(page, "[data-testid=map-row] [data-testid=distance]")[0].split()[0])
    assert first_km < 1


def test_home_nearby_uses_the_browsers_position(world: Any, live_server: Any, page: Any) -> None:
    page.goto(f"{live_server.url}/")
    assert names(page, "#nearby [data-testid=venue-name]")[0] == "锦江游泳馆"
    page.context.grant_permissions(["geolocation"], origin=live_server.url)
    page.context.set_geolocation(SHAPINGBA)
    page.click("[data-testid=locate]")
    page.wait_for_selector("[data-testid=nearby-centre][data-mine='1']")
    assert names(page, "#nearby [data-testid=venue-name]")[0] == "沙坪坝体育馆"


def test_venue_page_shows_courts_hours_and_map(world: Any, live_server: Any, page: Any) -> None:
    stuff = furnish(world)
    page.goto(f"{live_server.url}/venues/{world.wuhou_hall.pk}/")
    assert page.inner_text("h1") == "武侯羽毛球馆"
    assert names(page, "[data-testid=court-part]") == ["羽毛球1号场", "羽毛球2号场"]
    assert page.locator("[data-testid=court]").count() == 2
    today = page.locator("[data-testid=today]")
    assert "09:00–12:00" in today.inner_text() and "今天" in today.inner_text()
    assert page.locator("[data-testid=hours] tbody tr").count() == 7
    assert stuff.closure.reason in page.inner_text("[data-testid=closures]")
    page.wait_for_selector("#venue-map .tiyu-marker")
    page.locator("#venue-map [data-testid=tile-notice]").wait_for(state="visible")
    assert "uri.amap.com" in page.get_attribute("[data-testid=navigate]", "href")
    shot(page, "portal-venue-desktop")


def test_equipment_qr_resolves_to_its_page(world: Any, live_server: Any, phone_page: Any) -> None:
    stuff = furnish(world)
    page = phone_page
    qr = page.request.get(f"{live_server.url}/e/{stuff.bars.code}/qr.svg")
    assert qr.status == 200 and qr.headers["content-type"] == "image/svg+xml"
    page.goto(f"{live_server.url}/e/{stuff.bars.code}/")
    assert page.inner_text("[data-testid=equipment-name]") == "双杠"
    assert page.inner_text("[data-testid=equipment-card] [data-testid=equipment-status]") == "故障"
    assert page.evaluate("document.querySelector('[data-testid=equipment-qr]').naturalWidth") > 0
    shot(page, "portal-equipment-phone")
    page.click("[data-testid=facility-link]")
    page.wait_for_url(f"**/venues/{world.zigong_park.pk}/")
    assert page.locator("[data-testid=equipment-item]").count() == 2


def test_phone_home_and_map(world: Any, live_server: Any, phone_page: Any) -> None:
    page = phone_page
    page.goto(f"{live_server.url}/")
    assert page.locator("[data-testid=sport-picks] a").count() == 20
    assert no_sideways_scroll(page)
    shot(page, "portal-home-phone")
    page.goto(f"{live_server.url}/map/")
    page.wait_for_selector("[data-testid=map-row]")
    assert page.locator(".tiyu-marker").count() == 4
    map_box = page.locator("#map").bounding_box()
    list_box = page.locator("[data-testid=map-list]").bounding_box()
    assert list_box["y"] >= map_box["y"] + map_box["height"] - 1  # stacked: list below the map
    assert no_sideways_scroll(page)
    shot(page, "portal-map-phone")


def test_phone_search_and_venue(world: Any, live_server: Any, phone_page: Any) -> None:
    furnish(world)
    page = phone_page
    page.goto(f"{live_server.url}/venues/?lat=30.6444&lng=104.0408")
    assert names(page, "[data-testid=venue-name]")[0] == "武侯羽毛球馆"
    assert no_sideways_scroll(page)
    shot(page, "portal-search-phone")
    page.goto(f"{live_server.url}/venues/{world.wuhou_hall.pk}/")
    assert no_sideways_scroll(page)
    shot(page, "portal-venue-phone")
