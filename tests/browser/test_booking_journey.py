"""The issue's journey across the apps, in real browsers.

A resident books two slots on a phone and pays with the local sandbox gateway;
a second resident sees them taken; staff check the first booking in on the
desk's check-in page by typing its code; the resident books a third slot on
another day and cancels it, seeing the refund before confirming and getting it
back on the original payment.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from unittest import mock

import pytest

from conftest import PASSWORD
from tests.browser.conftest import DESKTOP, login, shot
from tiyu.booking.models import Booking, BookingStatus, SlotStatus
from tiyu.payments.models import Payment, Refund
from tiyu.portal.forms_booking import slot_value

pytestmark = pytest.mark.django_db(transaction=True)

DAYS_AHEAD = 3  # more than 24 hours ahead: the default policy cancels free of charge


def cell(page: Any, court: Any, starts_at: Any) -> Any:
    return page.locator(f'td[data-slot="{slot_value(court.pk, starts_at)}"]')


def book_and_pay_with_sandbox(page: Any, live_server: Any, arena: Any, *starts: Any) -> Booking:
    """Pick court 3 at ``starts`` on the grid, hold, pay at the sandbox cashier."""
    day = starts[0].date().isoformat()
    page.goto(f"{live_server.url}/venues/{arena.venue.pk}/book/?day={day}")
    page.wait_for_selector(f"#day-{day}.active")
    for start in starts:
        cell(page, arena.court3, start).locator("label").click()
    page.click("[data-testid=hold-submit]")
    page.wait_for_selector("[data-testid=pay-submit]")
    number = page.url.rstrip("/").split("/")[-2]
    page.check("[data-testid=pay-sandbox] input")
    assert "本地沙箱支付" in page.inner_text("[data-testid=pay-sandbox]")
    page.click("[data-testid=pay-submit]")
    page.wait_for_selector("[data-testid=sandbox-cashier]")
    assert page.inner_text("[data-testid=sandbox-amount]") == f"¥{40 * len(starts)}.00"
    shot(page, "journey-sandbox-cashier")
    page.click("[data-testid=sandbox-pay]")
    page.wait_for_selector("[data-testid=entry-qr] svg")
    assert page.url.rstrip("/").endswith(f"/bookings/{number}")
    return Booking.objects.get(number=number)


def test_book_pay_see_taken_check_in_and_cancel(arena, live_server, phone_page, browser):
    page = phone_page
    resident = arena.world.resident
    at10 = arena.slot(arena.court3, DAYS_AHEAD, 10)
    at11 = arena.slot(arena.court3, DAYS_AHEAD, 11)

    # 1. The resident books two slots and pays with the sandbox gateway.
    login(page, live_server, "resident", PASSWORD)
    first = book_and_pay_with_sandbox(page, live_server, arena, at10, at11)
    assert first.user == resident and first.status == BookingStatus.CONFIRMED
    assert first.total_fen == 8000
    assert first.payment.method == "sandbox" and first.payment.status == "succeeded"
    code = page.locator("[data-testid=entry-code]").inner_text().replace(" ", "")
    assert code == first.entry_code
    shot(page, "journey-booking-qr-phone")

    # 2. A second resident sees both slots taken.
    other = browser.new_context(viewport=DESKTOP, locale="zh-CN")
    second = other.new_page()
    try:
        login(second, live_server, "resident2", PASSWORD)
        second.goto(f"{live_server.url}/venues/{arena.venue.pk}/book/?day={at10.date()}")
        for start in (at10, at11):
            assert cell(second, arena.court3, start).get_attribute("data-state") == "taken"
            assert cell(second, arena.court3, start).locator("input").count() == 0
        shot(second, "journey-second-resident-sees-taken")
    finally:
        other.close()

    # 3. Staff check the first booking in by typing its code, five minutes after 10:00.
    staff_context = browser.new_context(viewport=DESKTOP, locale="zh-CN")
    desk = staff_context.new_page()
    try:
        login(desk, live_server, "staff", PASSWORD)
        desk.goto(f"{live_server.url}/manage/venues/{arena.venue.pk}/desk/checkin/")
        desk.fill("#id_code", code)
        with mock.patch("django.utils.timezone.now", return_value=at10 + timedelta(minutes=5)):
            desk.get_by_role("button", name="核销", exact=True).click()
            desk.wait_for_selector("[data-testid=checkin-ok]")
        result = desk.inner_text("#checkin-result")
        assert "核销成功" in result and "resident" in result and "10:00–11:00" in result
        shot(desk, "journey-staff-check-in")
    finally:
        staff_context.close()
    assert list(first.slots.order_by("starts_at").values_list("status", flat=True)) == [
        SlotStatus.CHECKED_IN,
        SlotStatus.CONFIRMED,
    ]

    # The checked-in slot is no longer offered for cancellation.
    page.goto(f"{live_server.url}/bookings/{first.number}/cancel/")
    lines = page.locator("[data-testid=cancel-line]")
    assert lines.count() == 1 and "11:00" in lines.first.inner_text()

    # 4. A third slot on another day: booked, paid, cancelled with the refund shown first.
    at15 = arena.slot(arena.court3, DAYS_AHEAD + 1, 15)
    third = book_and_pay_with_sandbox(page, live_server, arena, at15)
    page.click("[data-testid=cancel-link]")
    page.wait_for_selector("[data-testid=refund-quote]")
    assert "将退款 ¥40.00，原路退回" in page.inner_text("[data-testid=refund-total]")
    assert not Refund.objects.exists()  # nothing happens before confirming
    shot(page, "journey-cancel-quote-phone")
    page.click("[data-testid=cancel-confirm]")
    page.wait_for_selector("[data-testid=refunded]")
    assert page.inner_text("[data-testid=refunded]") == "¥40.00"
    shot(page, "journey-cancelled-phone")

    third.refresh_from_db()
    assert third.status == BookingStatus.CANCELLED and third.refunded_fen == 4000
    payment = Payment.objects.get(pk=third.payment_id)
    assert payment.refunded_fen == 4000
    refund = Refund.objects.get()
    assert refund.payment_id == payment.pk and refund.amount_fen == 4000
    first.refresh_from_db()
    assert first.refunded_fen == 0  # the other booking is untouched
    assert Payment.objects.get(pk=first.payment_id).refunded_fen == 0
