"""The venue screen in a real browser: the lobby TV (1920x1080) and a phone show the
right figures and draw their charts, new gate events reach the tiles without a reload,
a failed poll shows the stale state, and the venue page's panel links to the screen."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from itertools import count
from typing import Any

import pytest
from django.utils import timezone

from conftest import PASSWORD
from tests.browser.conftest import PHONE, login, shot
from tiyu.environment.readings import ReadingIn
from tiyu.environment.services import readings_record
from tiyu.traffic.events import GateEventIn
from tiyu.traffic.services import gate_events_record
from tiyu.venues.models import OpeningHours, Venue

pytestmark = pytest.mark.django_db(transaction=True)
TV = {"width": 1920, "height": 1080}
_ids = count(1)


def open_all_day(venue: Any) -> None:
    OpeningHours.objects.bulk_create(
        OpeningHours(venue=venue, weekday=d, opens=time(0, 0), closes=time(23, 59, 59))
        for d in range(7)
    )


def enter(venue: Any, people: list[str], *, out: int = 0, at: datetime | None = None) -> None:
    """Each of ``people`` passes the gate inward (a repeat is a second entry); ``out`` leave."""
    # Half a minute ago, but never yesterday (just after midnight "today" is young).
    now = timezone.now()
    when = at or max(
        now - timedelta(seconds=30),
        timezone.localtime(now).replace(hour=0, minute=0, second=0, microsecond=0),
    )
    events = [GateEventIn(venue.pk, 5, f"m{next(_ids)}", when, "in", "face", p) for p in people]
    events += [
        GateEventIn(venue.pk, 5, f"m{next(_ids)}", when, "out", "face", "") for _ in range(out)
    ]
    gate_events_record(events)


def tile(page: Any, field: str) -> str:
    return page.locator(f"[data-field='{field}']").first.inner_text()


@pytest.fixture
def tv_page(browser: Any) -> Any:
    context = browser.new_context(viewport=TV, locale="zh-CN")
    context.set_default_timeout(15_000)
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def lit_pool(world: Any) -> Any:
    """The pool, open all day, with capacity, a morning of traffic and sensor readings."""
    pool = world.jinjiang_pool
    Venue.objects.filter(pk=pool.pk).update(capacity=120)
    open_all_day(pool)
    now = timezone.now()
    start = datetime.combine(timezone.localdate(), time(0), tzinfo=timezone.get_current_timezone())
    # Earlier hours of today (only those already past), for a curve with some shape.
    for hours_ago, n in [(5, 6), (4, 11), (3, 18), (2, 9), (1, 14)]:
        at = now - timedelta(hours=hours_ago)
        if at >= start:
            enter(pool, [f"h{hours_ago}-{i}" for i in range(n)], out=n // 2, at=at)
    enter(pool, ["a", "b", "c", "a"], out=1)
    readings_record(
        [
            ReadingIn(pool.pk, 3, f"r{next(_ids)}", now - timedelta(minutes=3), metric, value)
            for metric, value in [
                ("water_temperature", 27.2),
                ("ph", 8.9),  # out of range: red tile and an alert
                ("chlorine", 0.6),
                ("turbidity", 0.3),
                ("temperature", 26.0),
                ("humidity", 62.0),
            ]
        ]
    )
    return pool


def test_lobby_screen_updates_live(lit_pool, world, live_server, tv_page):
    page = tv_page
    pool = lit_pool
    login(page, live_server, "admin", PASSWORD)
    page.goto(f"{live_server.url}/manage/venues/{pool.pk}/screen/?poll=1")
    page.wait_for_selector("#scr-hourly canvas")
    page.wait_for_selector("#scr-gauge canvas")
    data = page.evaluate("window.tiyuScreen.data()")
    visitors, entries = data["today"]["visitors"], data["today"]["entries"]
    assert tile(page, "today.visitors") == str(visitors)
    assert tile(page, "today.entries") == str(entries)
    assert visitors >= 3 and entries == visitors + 1  # "a" came twice
    assert tile(page, "occupancy") == str(data["occupancy"])
    assert page.inner_text("[data-capacity-text]") == "/ 120"
    assert page.inner_text("[data-opening-badge]") == "开放中"
    assert "00:00–23:59" in page.inner_text("[data-testid=screen-opening]")
    # The out-of-range pH is a red tile and an open alert.
    assert page.locator(".scr-env-tile.is-bad[data-metric=ph]").count() == 1
    assert page.locator(".scr-env-tile:not(.is-bad)").count() == 5
    assert "池水 pH 8.90" in page.inner_text("[data-testid=alerts]")
    # The whole screen fits the TV: no scrolling.
    assert page.evaluate("document.documentElement.scrollHeight") <= TV["height"]
    shot(page, "venue-screen-desktop")

    # Three more people arrive; the next poll shows them without a reload.
    page.evaluate("window.__notReloaded = true")
    enter(pool, ["d", "e", "f"])
    page.wait_for_function(
        "n => document.querySelector(\"[data-field='today.visitors']\").textContent === n",
        arg=str(visitors + 3),
    )
    assert tile(page, "today.entries") == str(entries + 3)
    assert page.evaluate("window.__notReloaded") is True
    assert page.inner_text("[data-testid=screen-status]").startswith("更新于 ")

    # The server goes away: the figures stay, the screen says they are stale.
    page.route("**/screen/data.json*", lambda route: route.abort())
    page.wait_for_selector("body.is-stale")
    assert page.locator("[data-stale-banner]").is_visible()
    assert "连接中断" in page.inner_text("[data-stale-banner]")
    assert tile(page, "today.visitors") == str(visitors + 3)
    shot(page, "venue-screen-stale")
    page.unroute("**/screen/data.json*")
    page.wait_for_selector("body:not(.is-stale)")
    assert not page.locator("[data-stale-banner]").is_visible()


def test_screen_on_a_phone_and_in_english(lit_pool, world, live_server, phone_page):
    page = phone_page
    login(page, live_server, "admin", PASSWORD)
    page.goto(f"{live_server.url}/manage/venues/{lit_pool.pk}/screen/")
    page.wait_for_selector("#scr-hourly canvas")
    data = page.evaluate("window.tiyuScreen.data()")
    assert tile(page, "today.visitors") == str(data["today"]["visitors"])
    # Nothing sticks out sideways on a narrow screen.
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    shot(page, "venue-screen-phone")

    page.goto(f"{live_server.url}/manage/venues/{lit_pool.pk}/screen/?lang=en")
    page.wait_for_selector("#scr-hourly canvas")
    assert page.get_attribute("html", "lang") == "en"
    shot(page, "venue-screen-phone-en")


def test_a_venue_without_data_or_capacity(world, live_server, tv_page):
    page = tv_page
    login(page, live_server, "staff", PASSWORD)
    page.goto(f"{live_server.url}/manage/venues/{world.wuhou_hall.pk}/screen/")
    page.wait_for_selector("#scr-hourly canvas")
    page.wait_for_selector("#scr-gauge canvas")  # a bar, as capacity is unknown
    for field in ("today.visitors", "today.entries", "month.visitors", "year.entries", "occupancy"):
        assert tile(page, field) == "0"
    assert page.inner_text("[data-opening-badge]") == "今日闭馆"
    assert "暂无环境监测数据" in page.inner_text("[data-testid=environment]")
    assert "暂无告警" in page.inner_text("[data-testid=alerts]")
    assert "未登记最大容纳人数" in page.inner_text("[data-testid=tile-occupancy]")
    shot(page, "venue-screen-empty")


def test_venue_page_panel_links_to_the_screen(world, live_server, page, phone_page):
    hall = world.wuhou_hall
    open_all_day(hall)
    enter(hall, ["x", "y"])
    login(page, live_server, "staff", PASSWORD)
    page.goto(f"{live_server.url}/manage/venues/{hall.pk}/")
    panel = page.locator("[data-testid=traffic-panel]")
    page.wait_for_selector("[data-testid=traffic-panel][data-loaded='1']")
    assert panel.locator("[data-field='today.visitors']").inner_text() == "2"
    assert panel.locator("[data-field='today.entries']").inner_text() == "2"
    assert panel.locator("[data-field='occupancy']").inner_text() == "2"
    assert panel.locator("svg[data-spark] polyline").count() == 1
    shot(page, "venue-panel-desktop")

    login(phone_page, live_server, "staff", PASSWORD)
    phone_page.goto(f"{live_server.url}/manage/venues/{hall.pk}/")
    phone_page.wait_for_selector("[data-testid=traffic-panel][data-loaded='1']")
    phone_page.locator("[data-testid=traffic-panel]").scroll_into_view_if_needed()
    shot(phone_page, "venue-panel-phone")

    panel.get_by_role("link", name="打开大屏").click()
    page.wait_for_url(f"**/manage/venues/{hall.pk}/screen/")
    page.wait_for_selector("#scr-hourly canvas")
    assert page.inner_text("[data-testid=screen-venue]") == hall.name
