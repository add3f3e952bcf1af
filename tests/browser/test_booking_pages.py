"""Booking in a real browser: pick two slots on a phone, hold, pay by card, see the QR;
a second resident sees them taken; the cancel page shows the refund before confirming."""

from __future__ import annotations

from typing import Any

import pytest

from conftest import PASSWORD
from tests.browser.conftest import DESKTOP, login, shot
from tiyu.booking.models import Booking, BookingStatus, SlotStatus
from tiyu.booking.services import SlotChoice, booking_cancel, booking_hold
from tiyu.portal.forms_booking import slot_value

pytestmark = pytest.mark.django_db(transaction=True)

DAYS_AHEAD = 3  # two days' notice or more: the default policy cancels free of charge


def cell(page: Any, court: Any, starts_at: Any) -> Any:
    return page.locator(f'td[data-slot="{slot_value(court.pk, starts_at)}"]')


def hold(arena: Any, user: Any, *picks: tuple[Any, Any]) -> Booking:
    return booking_hold(
        user=user,
        venue_id=arena.venue.pk,
        slots=[SlotChoice(court.pk, start) for court, start in picks],
    )


def no_sideways_scroll(page: Any) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_book_two_slots_pay_by_card_and_cancel_one(
    arena: Any, live_server: Any, phone_page: Any, browser: Any
) -> None:
    page = phone_page
    resident = arena.world.resident
    arena.fund(resident, 10000)
    at10 = arena.slot(arena.court3, DAYS_AHEAD, 10)
    at11 = arena.slot(arena.court3, DAYS_AHEAD, 11)
    day = at10.date().isoformat()

    login(page, live_server, "resident", PASSWORD)
    page.goto(f"{live_server.url}/venues/{arena.venue.pk}/")
    page.click("[data-testid=book-venue]")
    # Late in the day today has no free hour left, so another day's pane opens first.
    page.wait_for_selector(".tab-pane.active [data-testid=slot-grid]")
    page.click(f"[data-day-tab='{day}']")
    page.wait_for_selector(f"#day-{day}.active")
    assert "?day=" + day in page.url
    bar = page.locator("[data-testid=book-bar]")
    assert page.locator("[data-testid=hold-submit]").is_disabled()
    cell(page, arena.court3, at10).locator("label").click()
    cell(page, arena.court3, at11).locator("label").click()
    assert bar.locator("[data-sel-count]").inner_text() == "2"
    assert bar.locator("[data-sel-total]").inner_text() == "80"
    assert bar.is_visible()  # sticky at the bottom of the screen
    assert no_sideways_scroll(page)
    shot(page, "booking-grid-phone")

    page.click("[data-testid=hold-submit]")
    page.wait_for_selector("[data-testid=pay-submit]")
    booking = Booking.objects.get(user=resident)
    assert page.url.endswith(f"/bookings/{booking.number}/checkout/")
    assert page.locator("[data-testid=checkout-total]").inner_text() == "¥80.00"
    assert page.locator("[data-countdown]").inner_text() in ("10:00", "09:59", "09:58", "09:57")
    assert page.locator("[data-testid=pay-stored_value] input").is_checked()
    assert no_sideways_scroll(page)
    shot(page, "booking-checkout-phone")

    page.click("[data-testid=pay-submit]")
    page.wait_for_selector("[data-testid=entry-qr] svg")
    booking.refresh_from_db()
    assert booking.status == BookingStatus.CONFIRMED
    code = page.locator("[data-testid=entry-code]").inner_text().replace(" ", "")
    assert code == booking.entry_code
    assert page.locator("[data-testid=entry-qr] svg").bounding_box()["width"] > 150
    assert arena.balance(resident) == 2000
    assert no_sideways_scroll(page)
    shot(page, "booking-detail-phone")

    # A second resident, on a desktop, sees both cells taken.
    other = browser.new_context(viewport=DESKTOP, locale="zh-CN")
    desk = other.new_page()
    try:
        login(desk, live_server, "resident2", PASSWORD)
        desk.goto(f"{live_server.url}/venues/{arena.venue.pk}/book/?day={day}")
        assert cell(desk, arena.court3, at10).get_attribute("data-state") == "taken"
        assert cell(desk, arena.court3, at11).get_attribute("data-state") == "taken"
        assert cell(desk, arena.court3, at11).locator("input").count() == 0
        assert cell(desk, arena.part1, at10).get_attribute("data-state") == "free"
        shot(desk, "booking-grid-desktop")
    finally:
        other.close()

    # Cancel one of the two: the refund is on screen before anything happens.
    page.click("[data-testid=cancel-link]")
    page.wait_for_selector("[data-testid=refund-quote]")
    assert "将退款 ¥80.00，原路退回" in page.locator("[data-testid=refund-total]").inner_text()
    page.locator("[data-testid=cancel-line] input").nth(1).uncheck()  # auto-refreshes the quote
    page.wait_for_function(
        "document.querySelector('[data-testid=refund-total]').textContent.includes('¥40.00')"
    )
    assert arena.balance(resident) == 2000  # nothing refunded yet
    assert "确认取消 1 个时段" in page.locator("[data-testid=cancel-confirm]").inner_text()
    shot(page, "booking-cancel-phone")
    page.click("[data-testid=cancel-confirm]")
    page.wait_for_selector("[data-testid=refunded]")
    assert page.locator("[data-testid=refunded]").inner_text() == "¥40.00"
    statuses = sorted(booking.slots.values_list("status", flat=True))
    assert statuses == sorted([SlotStatus.CONFIRMED, SlotStatus.CANCELLED])
    assert arena.balance(resident) == 6000


def test_desktop_checkout_and_booking_pages(arena: Any, live_server: Any, page: Any) -> None:
    resident = arena.resident2
    arena.fund(resident, 3000)  # short of the ¥80 below: the card option says so
    hall = arena.slot(arena.hall, 2, 19)
    part = arena.slot(arena.part2, 2, 20)
    day = hall.date().isoformat()
    login(page, live_server, "resident2", PASSWORD)
    page.goto(f"{live_server.url}/venues/{arena.venue.pk}/book/?day={day}")
    # Someone else takes 1号场 at 19:00 while this resident is choosing the whole hall.
    cell(page, arena.hall, hall).locator("label").click()
    rival = hold(arena, arena.world.resident, (arena.part1, hall))
    page.click("[data-testid=hold-submit]")
    page.wait_for_selector("[data-testid=hold-error]")
    assert "slot_taken" in page.locator("[data-testid=hold-error]").inner_text()
    assert cell(page, arena.hall, hall).get_attribute("data-state") == "taken"
    assert page.locator("[data-sel-count]").inner_text() == "0"
    shot(page, "booking-grid-taken-desktop")
    booking_cancel(actor=arena.world.resident, booking=rival)  # and lets it go again

    page.goto(f"{live_server.url}/venues/{arena.venue.pk}/book/?day={day}")
    cell(page, arena.hall, hall).locator("label").click()
    cell(page, arena.part2, part).locator("label").click()
    page.click("[data-testid=hold-submit]")
    page.wait_for_selector("[data-testid=pay-submit]")
    assert page.locator("[data-testid=balance-short]").is_visible()
    assert page.locator("[data-testid=pay-stored_value] input").is_disabled()
    assert page.locator("[data-testid=pay-sandbox] input").is_checked()
    shot(page, "booking-checkout-desktop")

    arena.fund(resident, 10000)
    page.reload()
    page.check("[data-testid=pay-stored_value] input")
    page.click("[data-testid=pay-submit]")
    page.wait_for_selector("[data-testid=entry-qr] svg")
    shot(page, "booking-detail-desktop")

    page.click("[data-testid=nav-bookings]")
    page.wait_for_selector("[data-testid=booking-card]")
    assert page.locator("[data-testid=booking-card]").count() == 1
    shot(page, "booking-list-desktop")

    # Back on the grid the resident's own slots show as theirs.
    page.goto(f"{live_server.url}/venues/{arena.venue.pk}/book/?day={day}")
    assert cell(page, arena.hall, hall).get_attribute("data-state") == "mine"
    assert cell(page, arena.part1, hall).get_attribute("data-state") == "mine"


def test_checkout_countdown_runs_out_and_disables_paying(
    arena: Any, live_server: Any, phone_page: Any
) -> None:
    from datetime import timedelta

    from django.utils import timezone

    page = phone_page
    resident = arena.world.resident
    # Held 9 minutes 57 seconds ago: three seconds left of the default ten minutes.
    booking = booking_hold(
        user=resident,
        venue_id=arena.venue.pk,
        slots=[SlotChoice(arena.court3.pk, arena.slot(arena.court3, 1, 10))],
        now=timezone.now() - timedelta(minutes=9, seconds=57),
    )
    login(page, live_server, "resident", PASSWORD)
    page.goto(f"{live_server.url}/bookings/{booking.number}/checkout/")
    assert page.locator("[data-testid=pay-submit]").is_enabled()
    page.wait_for_selector("[data-testid=hold-expired]", state="visible", timeout=10_000)
    assert page.locator("[data-countdown]").inner_text() == "00:00"
    assert page.locator("[data-testid=pay-submit]").is_disabled()
    shot(page, "booking-checkout-expired-phone")
