"""Environment monitoring in a real browser: a pool reading with pH 8.4 opens an alert
shown on the venue's page, staff acknowledge it, and once the escalation time has
passed the district's official sees the alert nobody acknowledged."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from conftest import PASSWORD
from tests.browser.conftest import login, shot
from tiyu.accounts.models import Role
from tiyu.accounts.services import membership_grant, user_create
from tiyu.environment import jobs
from tiyu.environment.models import Alert, AlertStatus
from tiyu.environment.readings import parse_reading
from tiyu.environment.services import readings_record
from tiyu.regions.models import Region

pytestmark = pytest.mark.django_db(transaction=True)


def send(venue, device, metric, values, start):
    """What the devices app does with a sensor's batch: parse each message, record them."""
    readings = [
        parse_reading(
            {
                "id": f"{device}-{metric}-{(start + timedelta(minutes=10 * i)).timestamp():.0f}",
                "type": "reading",
                "at": (start + timedelta(minutes=10 * i)).isoformat(),
                "metric": metric,
                "value": v,
            },
            venue_id=venue.pk,
            device_id=device,
        )
        for i, v in enumerate(values)
    ]
    return readings_record(readings)


def person(username, role, **where):
    user = user_create(username=username, password=PASSWORD, display_name=username)
    membership_grant(user=user, role=role, **where)
    return user


def test_pool_alert_acknowledged_by_staff_and_escalated_to_the_district(
    world, live_server, page, phone_page
):
    pool = world.jinjiang_pool
    person("pool_staff", Role.VENUE_STAFF, venue=pool)
    person("jinjiang", Role.DISTRICT_OFFICIAL, region=Region.objects.get(code="510104"))
    start = timezone.now() - timedelta(hours=6)
    ph = [7.4, 7.5, 7.4, 7.6, 7.5, 7.6, 7.7, 7.6, 7.5, 7.4, 7.3, 7.4] * 3
    assert send(pool, 11, "ph", ph[:35], start).alerts_opened == 0
    assert send(pool, 11, "ph", [8.4], start + timedelta(minutes=350)).alerts_opened == 1
    send(pool, 11, "chlorine", [0.6, 0.5, 0.5, 0.4, 0.35, 0.3] * 5 + [0.2] * 6, start)
    send(pool, 12, "water_temperature", [27.5, 27.6, 27.8, 27.7, 27.9, 28.0] * 6, start)
    send(pool, 13, "co2", [620, 640, 700, 760, 820, 850] * 6, start)
    assert Alert.objects.filter(status=AlertStatus.OPEN).count() == 2  # pH and chlorine
    ph_alert = Alert.objects.get(metric="ph")
    assert ph_alert.first_value == 8.4
    chlorine = Alert.objects.get(metric="chlorine")

    # The pool's staff see the alert and the red tile, and acknowledge the pH alert.
    login(page, live_server, "pool_staff", PASSWORD)
    page.goto(f"{live_server.url}/manage/venues/{pool.pk}/environment/")
    tile = page.locator("[data-testid=tile][data-metric=ph]")
    assert tile.get_attribute("data-in-range") == "0"
    assert "8.40" in tile.inner_text() and "超限" in tile.inner_text()
    assert page.locator("[data-testid=tile][data-metric=co2]").get_attribute("data-in-range") == "1"
    page.wait_for_selector(".env-chart svg")
    assert page.locator(".env-chart svg").count() == 4
    alert_row = page.locator(f"[data-alert='{ph_alert.pk}']")
    assert "池水 pH" in alert_row.inner_text() and "待确认" in alert_row.inner_text()
    shot(page, "environment-venue-desktop")
    alert_row.get_by_role("button", name="确认告警").click()
    page.wait_for_selector(f"[data-alert='{ph_alert.pk}'][data-status=acknowledged]")
    assert "告警已确认" in page.inner_text("main")
    ph_alert.refresh_from_db()
    assert ph_alert.status == AlertStatus.ACKNOWLEDGED

    # Nobody acknowledged the chlorine alert: after the escalation time the district sees it.
    assert jobs.alerts_escalate(now=chlorine.opened_at + timedelta(minutes=29)) == 0
    assert jobs.alerts_escalate(now=chlorine.opened_at + timedelta(minutes=31)) == 1
    login(phone_page, live_server, "jinjiang", PASSWORD)
    phone_page.goto(f"{live_server.url}/manage/alerts/")
    alerts = phone_page.locator("[data-testid=alerts]")
    assert alerts.locator(f"[data-alert='{chlorine.pk}'] [data-testid=escalated]").count() == 1
    assert alerts.locator(f"[data-alert='{ph_alert.pk}']").count() == 0  # acknowledged in time
    assert "游离性余氯" in alerts.inner_text() and "锦江游泳馆" in alerts.inner_text()
    assert alerts.locator("input[name=note]").count() == 0  # officials do not close
    shot(phone_page, "environment-alerts-official-phone")
    phone_page.goto(f"{live_server.url}/manage/venues/{pool.pk}/environment/")
    phone_page.wait_for_selector(".env-chart svg")
    assert phone_page.locator(f"[data-alert='{chlorine.pk}']").count() == 1
    assert phone_page.locator(f"[data-alert='{ph_alert.pk}']").count() == 0
    shot(phone_page, "environment-venue-official-phone")

    # Staff close the acknowledged alert with a note.
    page.goto(f"{live_server.url}/manage/venues/{pool.pk}/environment/")
    row = page.locator(f"[data-alert='{ph_alert.pk}']")
    row.locator("input[name=note]").fill("已投加 pH 调节剂，复测 7.5")
    row.get_by_role("button", name="关闭").click()
    page.wait_for_selector("[data-testid=closed-alerts]")
    ph_alert.refresh_from_db()
    assert ph_alert.status == AlertStatus.CLOSED and "复测" in ph_alert.close_note
