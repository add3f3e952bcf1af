"""The back office in a real browser: a manager edits their venue, an official is kept out."""

from __future__ import annotations

from typing import Any

import pytest

from conftest import PASSWORD
from tests.browser.conftest import login, shot
from tiyu.core.models import AuditEntry
from tiyu.venues.models import OpeningHours, Venue

pytestmark = pytest.mark.django_db(transaction=True)


def sign_in(page: Any, live_server: Any, username: str) -> None:
    """Sign in on any screen size (on a phone the name sits in the collapsed menu)."""
    page.goto(f"{live_server.url}/login/?next=/manage/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/manage/")


def test_manager_edits_phone_description_and_adds_opening_hours(world, live_server, page):
    hall = world.wuhou_hall
    login(page, live_server, "manager", PASSWORD)
    page.goto(f"{live_server.url}/manage/")
    card = page.locator("[data-testid=own-venue]")
    assert hall.name in card.inner_text()
    card.get_by_role("link", name="编辑信息").click()
    page.wait_for_url(f"**/manage/venues/{hall.pk}/edit/")
    shot(page, "backoffice-edit-desktop")

    page.fill("#id_phone", "028-8765 4321")
    page.fill("#id_description", "标准羽毛球场 8 片，夜间开放。")
    page.get_by_role("button", name="保存", exact=True).click()
    page.wait_for_url(f"**/manage/venues/{hall.pk}/")
    assert page.inner_text("[data-testid=phone]") == "028-8765 4321"
    assert "夜间开放" in page.inner_text("[data-testid=description]")
    assert "场馆信息已保存" in page.inner_text("main")

    page.locator(".bo-tabs").get_by_role("link", name="开放时间").click()
    page.wait_for_url(f"**/manage/venues/{hall.pk}/hours/")
    rows = page.locator("[data-hours-row]")
    assert rows.count() == 1  # one blank row to start with
    rows.nth(0).locator("select").select_option("5")
    rows.nth(0).locator("input[name$=opens]").fill("08:00")
    rows.nth(0).locator("input[name$=closes]").fill("12:00")
    page.get_by_role("button", name="添加时段").click()
    assert rows.count() == 2
    rows.nth(1).locator("select").select_option("5")
    rows.nth(1).locator("input[name$=opens]").fill("18:30")
    rows.nth(1).locator("input[name$=closes]").fill("22:00")
    page.get_by_role("button", name="保存开放时间").click()
    page.wait_for_selector("text=开放时间已保存")
    week = page.inner_text("[data-testid=week]")
    assert "08:00–12:00" in week and "18:30–22:00" in week
    shot(page, "backoffice-hours-desktop")

    saved = Venue.objects.get(pk=hall.pk)
    assert saved.phone == "028-8765 4321"
    assert saved.description == "标准羽毛球场 8 片，夜间开放。"
    hours = OpeningHours.objects.filter(venue=hall).values_list("weekday", "opens", "closes")
    assert [(w, f"{o:%H:%M}", f"{c:%H:%M}") for w, o, c in hours] == [
        (5, "08:00", "12:00"),
        (5, "18:30", "22:00"),
    ]
    for action in ("venue.updated", "venue.hours_set"):
        entry = AuditEntry.objects.get(action=action, object_id=str(hall.pk))
        assert entry.actor_id == world.manager.pk

    page.goto(f"{live_server.url}/manage/venues/{hall.pk}/")
    shot(page, "backoffice-venue-desktop")


def test_district_official_is_refused_a_chongqing_venue(world, live_server, page):
    gym = world.shapingba_gym
    before = Venue.objects.filter(pk=gym.pk).values().get()
    audits = AuditEntry.objects.count()
    login(page, live_server, "wuhou", PASSWORD)
    for path in (f"/manage/venues/{gym.pk}/", f"/manage/venues/{gym.pk}/edit/"):
        response = page.goto(f"{live_server.url}{path}")
        assert response.status == 404
        error = page.locator("[data-error-code=not_found]")
        assert "未找到" in error.inner_text()
        assert gym.name not in page.content()
    shot(page, "backoffice-not-found")
    # Their own district's venue opens, read-only.
    page.goto(f"{live_server.url}/manage/venues/{world.wuhou_hall.pk}/")
    assert page.inner_text("[data-testid=venue-name]") == world.wuhou_hall.name
    assert page.locator(".bo-tabs").count() == 0
    assert Venue.objects.filter(pk=gym.pk).values().get() == before
    assert AuditEntry.objects.count() == audits


def test_city_official_dashboard_on_a_phone(world, live_server, phone_page):
    page = phone_page
    sign_in(page, live_server, "chengdu")
    assert page.inner_text("[data-testid=region-name]") == "成都市"
    assert page.inner_text("[data-testid=total]") == "2"
    table = page.locator("[data-testid=by-subregion]")
    assert "武侯区" in table.inner_text() and "锦江区" in table.inner_text()
    # Nothing sticks out sideways on a 390 px screen.
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    shot(page, "backoffice-dashboard-phone")

    table.get_by_role("link", name="武侯区").click()
    page.wait_for_url("**/manage/?region=510107")
    assert page.inner_text("[data-testid=total]") == "1"
    assert page.locator("[data-testid=venue-list] a").count() == 1
    page.locator("[data-testid=venue-list] a").click()
    page.wait_for_url(f"**/manage/venues/{world.wuhou_hall.pk}/")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    shot(page, "backoffice-venue-phone")


def test_city_official_dashboard_on_a_desktop(world, live_server, page):
    sign_in(page, live_server, "chengdu")
    page.fill("#id_q", "jjy")
    page.get_by_role("button", name="搜索").click()
    page.wait_for_url("**q=jjy**")
    names = page.locator("[data-testid=venue-list] a").all_inner_texts()
    assert len(names) == 1 and "锦江游泳馆" in names[0]
    page.goto(f"{live_server.url}/manage/")
    shot(page, "backoffice-dashboard-desktop")
