"""The device registry in a real browser: a manager registers a gate on a phone, sees
its secret once, the list shows it offline; after the gate sends one signed HTTP
message the list shows it online. Desktop screenshots of the list and detail page."""

from __future__ import annotations

import json
import urllib.request

import pytest
from django.utils import timezone

from conftest import PASSWORD
from tests.browser.conftest import login, shot
from tiyu.devices.client import http_request
from tiyu.devices.models import Device, DeviceRejection
from tiyu.devices.services import command_issue, device_register
from tiyu.devices.signing import decrypt_secret

pytestmark = pytest.mark.django_db(transaction=True)


def post_signed(live_server, device_id, secret, messages):
    """What the gate does: one signed batch to the HTTP endpoint."""
    headers, body = http_request(device_id, secret, messages)
    request = urllib.request.Request(
        f"{live_server.url}/api/v1/devices/messages", data=body, headers=headers, method="POST"
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        return response.status, json.loads(response.read())


def test_manager_registers_a_gate_on_a_phone_and_sees_it_come_online(
    world, live_server, phone_page
):
    page = phone_page
    venue = world.wuhou_hall
    login(page, live_server, "manager", PASSWORD)
    page.goto(f"{live_server.url}/manage/venues/{venue.pk}/")
    page.locator(".bo-tabs").get_by_role("link", name="设备").click()
    page.wait_for_url(f"**/manage/venues/{venue.pk}/devices/")
    page.get_by_test_id("no-devices").wait_for()

    form = page.get_by_test_id("register-form")
    form.get_by_label("类型").select_option("gate")
    form.get_by_label("名称").fill("东门闸机")
    form.get_by_label("安装位置").fill("东门入口")
    form.get_by_label("固件版本").fill("1.4.2")
    form.get_by_role("button", name="登记并签发密钥").click()

    card = page.get_by_test_id("secret-card")
    card.wait_for()
    device = Device.objects.get(venue=venue, name="东门闸机")
    secret = page.get_by_test_id("secret").inner_text().strip()
    assert secret == decrypt_secret(device.secret_encrypted)
    assert page.get_by_test_id("secret").is_visible()
    assert "此密钥只显示一次" in page.get_by_test_id("secret-warning").inner_text()
    assert page.get_by_test_id("device-id").inner_text() == str(device.pk)
    assert page.get_by_test_id("topic").inner_text() == f"tiyu/v1/d/{device.pk}/up"
    assert page.get_by_test_id("endpoint").inner_text().endswith("/api/v1/devices/messages")
    assert card.get_by_role("button", name="复制").first.is_visible()
    docs = page.get_by_test_id("docs-link").get_attribute("href")
    assert page.request.get(f"{live_server.url}{docs}").status == 200
    assert "?" not in page.url and secret not in page.url  # never in the address
    shot(page, "devices-secret-phone")

    page.get_by_role("link", name="返回设备列表").click()
    page.wait_for_url(f"**/manage/venues/{venue.pk}/devices/")
    assert secret not in page.content()
    cards = page.get_by_test_id("device-cards")
    assert cards.is_visible()  # the phone layout: cards, not the table
    gate = cards.locator(f"[data-device='{device.pk}']")
    assert gate.get_by_test_id("state").get_attribute("data-state") == "offline"
    assert "从未上线" in gate.inner_text()
    assert "在线 0 / 启用 1" in page.get_by_test_id("online-count").inner_text()
    shot(page, "devices-list-offline-phone")

    now = timezone.localtime().isoformat()
    status, result = post_signed(
        live_server,
        device.pk,
        secret,
        [
            {"id": "hb-1", "type": "heartbeat", "at": now, "firmware": "1.4.3"},
            {"id": "g-1", "type": "gate", "at": now, "direction": "in", "method": "ic_card"},
        ],
    )
    assert status == 200 and result["rejected"] == []
    page.reload()
    gate = page.get_by_test_id("device-cards").locator(f"[data-device='{device.pk}']")
    assert gate.get_by_test_id("state").get_attribute("data-state") == "online"
    assert "1.4.3" in gate.inner_text()  # the heartbeat's firmware
    assert "在线 1 / 启用 1" in page.get_by_test_id("online-count").inner_text()
    shot(page, "devices-list-online-phone")


def test_desktop_list_with_refusals_and_the_detail_page(world, live_server, page):
    venue = world.wuhou_hall
    gate, secret = device_register(
        actor=world.manager, venue_id=venue.pk, kind="gate", name="东门闸机", location="东门"
    )
    lights, _ = device_register(
        actor=world.manager, venue_id=venue.pk, kind="light_controller", name="主馆灯控"
    )
    device_register(actor=world.manager, venue_id=venue.pk, kind="env_sensor", name="温湿度传感器")
    now = timezone.localtime().isoformat()
    post_signed(live_server, gate.pk, secret, [{"id": "hb", "type": "heartbeat", "at": now}])
    with pytest.raises(urllib.error.HTTPError) as refused:
        post_signed(live_server, gate.pk, "not-the-secret", [])
    assert refused.value.code == 401
    command_issue(device_id=lights.pk, action="light_on", key="lights-on-1")
    command_issue(device_id=lights.pk, action="light_off", key="lights-off-1")
    assert DeviceRejection.objects.filter(device_id=gate.pk, reason="bad_signature").exists()

    login(page, live_server, "manager", PASSWORD)
    page.goto(f"{live_server.url}/manage/venues/{venue.pk}/devices/")
    table = page.get_by_test_id("devices")
    assert table.is_visible()
    assert (
        table.locator(f"[data-device='{gate.pk}'] [data-testid=state]").get_attribute("data-state")
        == "online"
    )
    refusals = page.get_by_test_id("refusals")
    assert "签名错误" in refusals.locator("[data-reason=bad_signature]").inner_text()
    shot(page, "devices-list-desktop")

    table.get_by_role("link", name="主馆灯控").click()
    page.wait_for_url(f"**/devices/{lights.pk}/")
    assert page.get_by_test_id("commands").locator("tbody tr").count() == 2
    shot(page, "devices-detail-desktop")

    page.get_by_test_id("revoke-form").get_by_role("button", name="永久停用").click()
    assert "请先勾选确认" in page.get_by_test_id("revoke-form").inner_text()
    page.get_by_test_id("revoke-form").get_by_label("我已了解后果，确认操作").check()
    page.get_by_test_id("revoke-form").get_by_role("button", name="永久停用").click()
    page.get_by_test_id("revoked-note").wait_for()
    lights.refresh_from_db()
    assert lights.is_revoked
    assert page.get_by_test_id("state").get_attribute("data-state") == "revoked"
    shot(page, "devices-detail-revoked-desktop")
