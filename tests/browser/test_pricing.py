"""The price editor in a real browser: a rule over the cap is refused, fixed, and previewed."""

from __future__ import annotations

from datetime import time
from typing import Any

import pytest

from conftest import PASSWORD
from tests.browser.conftest import login, shot
from tiyu.venues.models import Holiday, PriceRule
from tiyu.venues.pricing import seed_holidays
from tiyu.venues.services import (
    PriceRuleData,
    court_save,
    market_price_set,
    opening_hours_set,
    price_rule_save,
)

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def court(world: Any) -> Any:
    """Badminton court 1 of the programme venue: market price ¥60/hour, an all-day rule."""
    seed_holidays(Holiday)  # a transactional test starts without the migration's rows
    hall = world.wuhou_hall
    market_price_set(actor=world.admin, venue_id=hall.pk, sport_code="badminton", price_fen=6000)
    opening_hours_set(
        actor=world.admin, venue_id=hall.pk, periods=[(d, time(8), time(22)) for d in range(7)]
    )
    court = court_save(actor=world.admin, venue_id=hall.pk, name="1号场", sport_codes=["badminton"])
    price_rule_save(
        actor=world.admin,
        venue_id=hall.pk,
        court_id=court.pk,
        data=PriceRuleData(
            starts=time(8),
            ends=time(22),
            price_fen=3000,
            concession_price_fen=2000,
            band="low_cost",
        ),
    )
    return court


def test_manager_fixes_a_price_over_the_cap_and_previews_the_week(world, live_server, page, court):
    hall = world.wuhou_hall
    login(page, live_server, "manager", PASSWORD)
    page.goto(f"{live_server.url}/manage/venues/{hall.pk}/")
    page.locator(".bo-tabs").get_by_role("link", name="价格规则").click()
    page.wait_for_url(f"**/manage/venues/{hall.pk}/pricing/")
    page.get_by_role("link", name="编辑规则").click()
    page.wait_for_url(f"**/pricing/courts/{court.pk}/")

    # Evening peak on workdays (make-up Saturdays included) at ¥50: over the 70% cap.
    page.select_option("#id_band", "low_cost")
    page.select_option("#id_day_type", "workday")
    page.select_option("#id_starts", "18:00")
    page.select_option("#id_ends", "22:00")
    page.fill("#id_price", "50")
    page.fill("#id_concession_price", "25")
    page.fill("#id_priority", "10")
    page.get_by_role("button", name="保存规则").click()
    error = page.locator("[data-field-error=price]")
    error.wait_for()
    assert "价格超过市场价的 70%（上限 ¥42.00/小时）" in error.inner_text()
    assert page.locator("#id_price").input_value() == "50"  # what was typed is kept
    assert PriceRule.objects.count() == 1
    shot(page, "pricing-over-cap")

    page.fill("#id_price", "42")
    page.get_by_role("button", name="保存规则").click()
    page.wait_for_selector("text=价格规则已保存")
    rules = page.locator("[data-testid=rules] tbody tr")
    assert rules.count() == 2
    assert "¥42.00" in rules.nth(0).inner_text()  # priority 10 first

    page.get_by_test_id("preview-link").click()
    page.fill("#id_day", "2026-10-01")
    page.get_by_role("button", name="查看").click()
    page.wait_for_url("**/preview/?day=2026-10-01")
    grid = page.locator("[data-testid=preview]")
    heads = grid.locator("thead th[data-day]")
    assert heads.nth(0).get_attribute("data-day") == "2026-09-28"
    assert heads.nth(3).get_attribute("data-day-type") == "holiday"  # 1 October
    evening = grid.locator("tbody tr", has_text="19:00–20:00").locator("td")
    assert evening.nth(0).get_attribute("data-fen") == "4200"  # Monday: the peak rule
    assert evening.nth(3).get_attribute("data-fen") == "3000"  # National Day: not a workday
    assert evening.nth(5).get_attribute("data-fen") == "3000"  # Saturday
    shot(page, "pricing-preview")
