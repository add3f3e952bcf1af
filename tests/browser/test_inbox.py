"""The inbox on a phone: unread badge in the top bar, open a message, mark all read."""

from __future__ import annotations

import pytest

from conftest import PASSWORD
from tests.browser.conftest import login, shot
from tiyu.notices.models import Notice
from tiyu.notices.services import notify

pytestmark = pytest.mark.django_db(transaction=True)


def test_resident_reads_the_inbox_and_the_badge_goes(world, live_server, phone_page):
    page = phone_page
    notify(
        user=world.resident,
        kind="booking_confirmed",
        title="预订成功：武侯羽毛球馆 1 号场",
        body="6月1日 19:00-20:00，请凭入场码入场。",
        link=f"/venues/{world.wuhou_hall.pk}/",
    )
    notify(
        user=world.resident,
        kind="booking_reminder",
        title="提醒：明天 19:00 开场",
        body="请提前 10 分钟到场。",
        dedupe_key="reminder:browser-1",
    )
    notify(user=world.staff, kind="system", title="员工的消息", body="")

    login(page, live_server, "resident", PASSWORD)
    badge = page.locator("[data-testid=unread-badge]")
    assert badge.inner_text() == "2"  # visible on a phone without opening the menu
    assert badge.is_visible()

    page.click("[data-testid=inbox-link]")
    page.wait_for_selector("[data-testid=inbox-list]")
    titles = page.locator("[data-testid=notice-title]").all_inner_texts()
    assert [t.replace("未读：", "").strip() for t in titles] == [
        "提醒：明天 19:00 开场",
        "预订成功：武侯羽毛球馆 1 号场",
    ]
    assert "员工的消息" not in page.content()
    assert page.locator("[data-unread='1']").count() == 2
    shot(page, "inbox-unread-phone")

    # Opening one marks it read.
    page.click("text=提醒：明天 19:00 开场")
    page.wait_for_selector("[data-testid=notice-detail]")
    assert page.locator("[data-testid=unread-badge]").inner_text() == "1"
    page.go_back()
    page.reload()
    assert page.locator("[data-unread='1']").count() == 1

    page.click("[data-testid=read-all]")
    page.wait_for_selector("text=已将 1 条消息标为已读")
    assert page.locator("[data-testid=unread-badge]").count() == 0
    assert page.locator("[data-unread='1']").count() == 0
    assert page.locator("[data-testid=read-all]").count() == 0
    shot(page, "inbox-all-read-phone")
    assert not Notice.objects.filter(user=world.resident, read_at__isnull=True).exists()
    assert Notice.objects.get(user=world.staff).read_at is None


def test_badge_sits_at_the_right_of_the_desktop_bar(world, live_server, page):
    notify(user=world.resident, kind="refund", title="退款 ¥20.00 已到账", body="")
    login(page, live_server, "resident", PASSWORD)
    page.goto(f"{live_server.url}/venues/")
    link = page.locator("[data-testid=inbox-link]")
    assert link.is_visible() and "消息" in link.inner_text()
    assert page.locator("[data-testid=unread-badge]").inner_text() == "1"
    whoami = page.locator("[data-testid=whoami]").bounding_box()
    assert link.bounding_box()["x"] > whoami["x"]  # after the user's name, at the far right
    shot(page, "inbox-badge-desktop")
