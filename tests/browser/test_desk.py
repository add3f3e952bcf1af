"""The front desk in a real browser: the day sheet, a walk-in from a free cell, check-in
by typed code, a club's series with a skipped date, and the policy editor."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from unittest import mock

import pytest
from django.utils import timezone

from conftest import PASSWORD
from tests.browser.conftest import login, shot
from tiyu.booking.desk import BlockData, block_add, walk_in_book
from tiyu.booking.models import Booking, BookingPolicy, Series, SlotStatus
from tiyu.booking.services import SlotChoice

pytestmark = pytest.mark.django_db(transaction=True)


def at(day, hour, minute=0):
    return datetime.combine(day, time(hour, minute), tzinfo=timezone.get_current_timezone())


def test_staff_work_the_desk(arena, live_server, page):
    staff = arena.world.staff
    venue = arena.venue
    day = timezone.localdate() + timedelta(days=1)
    hall = walk_in_book(
        actor=staff,
        venue_id=venue.pk,
        slots=[SlotChoice(arena.hall.pk, at(day, 9)), SlotChoice(arena.hall.pk, at(day, 10))],
        method="cash",
        customer_name="羽协青训",
    )
    arena.fund(arena.resident2, 10000)
    walk_in_book(
        actor=staff,
        venue_id=venue.pk,
        slots=[SlotChoice(arena.part2.pk, at(day, 18))],
        method="stored_value",
        customer_phone=arena.resident2.phone,
    )
    block_add(
        actor=staff,
        venue_id=venue.pk,
        data=BlockData(arena.court3.pk, at(day, 12), at(day, 14), "maintenance", "更换地胶"),
    )

    login(page, live_server, "staff", PASSWORD)
    page.goto(f"{live_server.url}/manage/venues/{venue.pk}/")
    page.locator("[data-testid=desk-links]").get_by_role("link", name="今日日程表").click()
    page.wait_for_url(f"**/manage/venues/{venue.pk}/desk/")
    page.get_by_role("link", name="后一天").click()
    page.wait_for_url(f"**/desk/?day={day.isoformat()}")
    sheet = page.locator("[data-testid=sheet]")
    assert sheet.locator(f"[data-booking='{hall.number}']").count() == 6  # hall + 2 parts, 2 h
    assert "经主馆" in sheet.inner_text() and "更换地胶" in sheet.inner_text()
    assert "139****0002" in sheet.inner_text() and "一卡通" in sheet.inner_text()

    # A walk-in from a free cell: court 3 at 15:00, cash.
    sheet.locator(f"td[data-court='{arena.court3.pk}'][data-start='15:00'] a").click()
    page.wait_for_url("**/desk/walkin/**")
    assert page.input_value("#id_start") == "15:00"
    assert page.input_value("#id_day") == day.isoformat()
    page.fill("#id_customer_name", "王五")
    page.select_option("#id_count", "2")
    shot(page, "desk-walkin-desktop")
    page.get_by_role("button", name="确认收款并预订").click()
    page.wait_for_url(f"**/desk/?day={day.isoformat()}")
    walk = Booking.objects.get(customer_name="王五")
    assert walk.total_fen == 8000 and walk.payment.method == "cash"
    assert "已预订，订单号" in page.inner_text("main")
    assert page.locator(f"[data-booking='{walk.number}']").count() == 2
    shot(page, "desk-sheet-desktop")

    # Check-in by typed code: too early now, green a few minutes before the start.
    page.get_by_role("link", name="扫码核销").click()
    page.wait_for_url("**/desk/checkin/")
    page.fill("#id_code", walk.entry_code)
    with mock.patch("django.utils.timezone.now", return_value=at(day, 13, 0)):
        page.get_by_role("button", name="核销", exact=True).click()
        page.wait_for_selector("[data-testid=checkin-error]")
    assert "还未到核销时间" in page.inner_text("#checkin-result")
    shot(page, "desk-checkin-too-early")
    page.fill("#id_code", walk.entry_code.lower())
    with mock.patch("django.utils.timezone.now", return_value=at(day, 14, 50)):
        page.get_by_role("button", name="核销", exact=True).click()
        page.wait_for_selector("[data-testid=checkin-ok]")
    result = page.inner_text("#checkin-result")
    assert "核销成功" in result and "王五" in result and "15:00–16:00" in result
    assert page.input_value("#id_code") == ""  # ready for the next person
    shot(page, "desk-checkin-ok")
    assert list(walk.slots.order_by("starts_at").values_list("status", flat=True)) == [
        SlotStatus.CHECKED_IN,
        SlotStatus.CONFIRMED,
    ]

    # A club's Wednesday-style series: the date with the 18:00 booking on part 2 is skipped.
    page.goto(f"{live_server.url}/manage/venues/{venue.pk}/desk/series/")
    page.fill("#id_title", "青羽俱乐部")
    page.fill("#id_customer_phone", arena.resident2.phone)
    page.select_option("#id_court_id", str(arena.part2.pk))
    page.select_option("#id_weekday", str(day.weekday()))
    page.fill("#id_starts", "18:00")
    page.fill("#id_ends", "20:00")
    page.fill("#id_first_date", day.isoformat())
    page.fill("#id_last_date", (day + timedelta(days=21)).isoformat())
    page.get_by_role("button", name="创建并收款").click()
    page.wait_for_selector("[data-testid=series-result]")
    skipped = page.inner_text("[data-testid=series-skipped]")
    assert day.isoformat() in skipped and "1 个日期有冲突" in skipped
    assert page.locator("[data-testid=series-booked] .badge").count() == 3
    series = Series.objects.get()
    assert Booking.objects.filter(series=series).count() == 3
    shot(page, "desk-series-desktop")

    # Staff read the rules; they cannot edit them.
    page.get_by_role("link", name="预订规则").click()
    page.wait_for_url("**/desk/policy/")
    assert page.locator("input[name=hold_minutes]").count() == 0
    assert "只能查看" in page.inner_text("main")


def test_the_desk_on_a_phone_and_the_manager_edits_the_policy(arena, live_server, phone_page):
    page = phone_page
    venue = arena.venue
    day = timezone.localdate() + timedelta(days=1)
    walk_in_book(
        actor=arena.world.staff,
        venue_id=venue.pk,
        slots=[SlotChoice(arena.court3.pk, at(day, 10))],
        method="cash",
        customer_name="赵六",
    )
    page.goto(f"{live_server.url}/login/?next=/manage/venues/{venue.pk}/desk/checkin/")
    page.fill("#id_username", "manager")
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"**/manage/venues/{venue.pk}/desk/checkin/")
    assert page.get_by_role("button", name="扫码").is_visible()
    page.fill("#id_code", "NOSUCHCODE12")
    page.get_by_role("button", name="核销", exact=True).click()
    page.wait_for_selector("[data-testid=checkin-error]")
    assert "未找到该入场码" in page.inner_text("#checkin-result")
    shot(page, "desk-checkin-phone")

    page.goto(f"{live_server.url}/manage/venues/{venue.pk}/desk/?day={day.isoformat()}")
    assert "赵六" in page.inner_text("[data-testid=sheet]")
    shot(page, "desk-sheet-phone")

    page.goto(f"{live_server.url}/manage/venues/{venue.pk}/desk/policy/")
    page.fill("#id_hold_minutes", "15")
    page.get_by_role("button", name="添加一档").click()
    rows = page.locator("[data-tier-row]")
    assert rows.count() == 4
    rows.nth(3).locator("input[name$=hours]").fill("72")
    rows.nth(3).locator("input[name$=percent]").fill("0")
    rows.nth(0).locator("input[name$=DELETE]").check()  # drop the 24-hour tier
    shot(page, "desk-policy-phone")
    page.get_by_role("button", name="保存预订规则").click()
    page.wait_for_selector("text=预订规则已保存")
    policy = BookingPolicy.objects.get(venue=venue)
    assert policy.hold_minutes == 15
    assert policy.cancel_tiers == [[72, 0], [2, 20], [0, 50]]
