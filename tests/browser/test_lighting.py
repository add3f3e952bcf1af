"""The lighting page in a real browser: a week of booked and lit hours in the chart, a zone's
state, staff switching lights by hand, a manager adding a zone; desktop and phone."""

from __future__ import annotations

from datetime import datetime, time, timedelta

import pytest
from django.utils import timezone

from conftest import PASSWORD
from tests.browser.conftest import login, shot
from tiyu.booking.desk import walk_in_book
from tiyu.booking.services import SlotChoice
from tiyu.devices.client import http_request
from tiyu.devices.ingest import messages_ingest
from tiyu.devices.models import DeviceCommand
from tiyu.devices.services import device_register
from tiyu.lighting.jobs import lights_plan
from tiyu.lighting.models import LightZone
from tiyu.lighting.services import zone_save

pytestmark = pytest.mark.django_db(transaction=True)


def at(day, hour, minute=0):
    return datetime.combine(day, time(hour, minute), tzinfo=timezone.get_current_timezone())


def ack(controller, secret, key, moment):
    msg = {"id": key, "type": "ack", "at": moment.isoformat(), "command": key, "ok": True}
    headers, body = http_request(controller.pk, secret, [msg], ts=int(moment.timestamp()))
    messages_ingest(
        device_id=headers["X-Device-Id"],
        timestamp=headers["X-Timestamp"],
        signature=headers["X-Signature"],
        body=body,
        transport="http",
        now=moment,
    )


def lit_week(arena):
    """Two zones; for each of the last six days a booked evening, planned, sent and acked
    (one day with lights left on an hour late)."""
    world = arena.world
    controller, secret = device_register(
        actor=world.manager, venue_id=arena.venue.pk, kind="light_controller", name="主馆灯控"
    )
    zones = [
        zone_save(
            actor=world.manager,
            venue_id=arena.venue.pk,
            name="主馆 1 号场灯组",
            controller_id=controller.pk,
            court_ids=[arena.part1.pk],
            channel="1",
        ),
        zone_save(
            actor=world.manager,
            venue_id=arena.venue.pk,
            name="3 号场灯组",
            controller_id=controller.pk,
            court_ids=[arena.court3.pk],
            lead_minutes=10,
            grace_minutes=5,
            channel="3",
        ),
    ]
    today = timezone.localdate()
    for back in range(6, 0, -1):
        day = today - timedelta(days=back)
        hours = [18, 19] if back % 2 else [19]
        walk_in_book(
            actor=world.staff,
            venue_id=arena.venue.pk,
            slots=[SlotChoice(arena.part1.pk, at(day, h)) for h in hours],
            method="cash",
            customer_name="羽协",
            now=at(day, 9),
        )
        walk_in_book(
            actor=world.staff,
            venue_id=arena.venue.pk,
            slots=[SlotChoice(arena.court3.pk, at(day, 20))],
            method="cash",
            customer_name="散客",
            now=at(day, 9),
        )
        lights_plan(now=at(day, 17, 30), horizon_minutes=240)
        for command in DeviceCommand.objects.filter(status="pending", due_at__lt=at(day, 23)):
            moment = command.due_at + timedelta(seconds=20)
            if back == 3 and command.action == "light_off":
                moment += timedelta(hours=1)  # someone forgot: the off came an hour late
            ack(controller, secret, command.key, moment)
    # Tonight: booked again, planned; not yet sent.
    walk_in_book(
        actor=world.staff,
        venue_id=arena.venue.pk,
        slots=[SlotChoice(arena.court3.pk, at(today + timedelta(days=1), 20))],
        method="cash",
        customer_name="散客",
    )
    lights_plan(now=at(today + timedelta(days=1), 19, 30))
    return zones


def test_staff_and_manager_on_the_lighting_page(arena, live_server, page, phone_page):
    zones = lit_week(arena)
    venue = arena.venue

    login(page, live_server, "manager", PASSWORD)
    page.goto(f"{live_server.url}/manage/venues/{venue.pk}/")
    page.get_by_role("link", name="智能灯光").click()
    page.wait_for_url(f"**/manage/venues/{venue.pk}/lighting/")
    page.wait_for_selector("#lt-chart svg")
    cards = page.locator("[data-testid=zone]")
    assert cards.count() == 2
    assert (
        page.locator(f"[data-zone='{zones[0].pk}'] [data-testid=state]").get_attribute("data-state")
        == "off"
    )
    table = page.locator("[data-testid=report]").inner_text()
    assert "无预订亮灯" in table
    assert (
        "开灯" in page.locator(f"[data-zone='{zones[1].pk}'] [data-testid=upcoming]").inner_text()
    )
    shot(page, "lighting-desktop")

    # A manager adds a zone over the whole hall.
    page.get_by_role("link", name="新增灯光分区").click()
    page.wait_for_url("**/lighting/zones/new/")
    page.fill("#id_name", "主馆顶灯")
    page.get_by_label("主馆", exact=True).check()
    page.fill("#id_lead_minutes", "0")
    shot(page, "lighting-zone-form-desktop")
    page.get_by_role("button", name="保存").click()
    page.wait_for_url(f"**/manage/venues/{venue.pk}/lighting/")
    assert "灯光分区已保存" in page.inner_text("main")
    assert LightZone.objects.get(name="主馆顶灯").courts.get() == arena.hall

    # Staff on a phone switch 3 号场 on for an hour.
    login(phone_page, live_server, "staff", PASSWORD)
    phone_page.goto(f"{live_server.url}/manage/venues/{venue.pk}/lighting/")
    card = phone_page.locator(f"[data-zone='{zones[1].pk}']")
    card.get_by_label("保持").select_option("60")
    card.get_by_role("button", name="开灯").click()
    phone_page.wait_for_url(f"**/manage/venues/{venue.pk}/lighting/")
    assert "已发送开灯指令" in phone_page.inner_text("main")
    manual = DeviceCommand.objects.filter(key__contains=f"light:{zones[1].pk}:manual:")
    assert sorted(manual.values_list("action", flat=True)) == ["light_off", "light_on"]
    assert phone_page.locator("[data-testid=zone-new]").count() == 0  # staff do not edit zones
    phone_page.wait_for_selector("#lt-chart svg")
    shot(phone_page, "lighting-phone")


def test_english(arena, live_server, browser):
    lit_week(arena)
    context = browser.new_context(viewport={"width": 1366, "height": 900}, locale="en-US")
    page = context.new_page()
    login(page, live_server, "manager", PASSWORD)
    page.goto(f"{live_server.url}/manage/venues/{arena.venue.pk}/lighting/?lang=en")
    page.wait_for_selector("#lt-chart svg")
    assert page.evaluate("document.documentElement.lang") == "en"
    assert page.locator("[data-testid=report] tbody tr").count() == 7
    shot(page, "lighting-desktop-en")
    context.close()
