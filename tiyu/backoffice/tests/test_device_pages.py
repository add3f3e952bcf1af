"""Device registry pages: who sees and who may change a venue's devices, the secret shown
once (register, rotate), edit and revoke, refusals by reason, and bad input changing nothing."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from tiyu.backoffice.tests.conftest import audit_count, snapshot
from tiyu.core.models import AuditEntry
from tiyu.devices.client import http_request
from tiyu.devices.models import CommandStatus, Device, DeviceRejection, DeviceSeen
from tiyu.devices.services import command_issue, device_register
from tiyu.devices.signing import decrypt_secret

pytestmark = pytest.mark.django_db

MESSAGES = "/api/v1/devices/messages"

# Who reaches the hall's device pages (GET), and who may register (POST).
VIEW = {
    "manager": 200,
    "staff": 200,
    "wuhou_official": 200,
    "chengdu_official": 200,
    "sichuan_official": 200,
    "national_official": 200,
    "admin": 200,
    "chongqing_official": 404,  # another province's official: as if absent
    "resident": 403,  # no data scope at all: the back office's no-access page
}
REGISTER = {
    "manager": 200,
    "admin": 200,
    "staff": 403,
    "wuhou_official": 403,
    "chengdu_official": 403,
    "chongqing_official": 404,
    "resident": 403,
}


@pytest.fixture
def gate(world):
    device, secret = device_register(
        actor=world.manager,
        venue_id=world.wuhou_hall.pk,
        kind="gate",
        name="东门闸机",
        location="东门",
        firmware="1.0.0",
    )
    return device, secret


def url(world, *rest):
    base = f"/manage/venues/{world.wuhou_hall.pk}/devices/"
    return base + "".join(f"{r}/" for r in rest)


def form(**changes):
    return {"kind": "gate", "name": "西门闸机", "location": "西门", "firmware": "2.1"} | changes


@pytest.mark.parametrize("persona", sorted(VIEW))
def test_who_sees_the_device_list_and_detail(world, as_persona, gate, persona):
    client = as_persona(persona)
    device, _ = gate
    listing = client.get(url(world))
    detail = client.get(url(world, device.pk))
    assert (listing.status_code, detail.status_code) == (VIEW[persona], VIEW[persona])
    body = listing.content.decode()
    if VIEW[persona] == 200:
        assert "东门闸机" in body and "离线" in body
        manages = persona in ("manager", "admin")
        assert ('data-testid="register-form"' in body) is manages
        assert ('data-testid="revoke-form"' in detail.content.decode()) is manages
    else:
        assert "东门闸机" not in body


@pytest.mark.parametrize("persona", sorted(REGISTER))
def test_who_may_register(world, as_persona, persona):
    client = as_persona(persona)
    audits = audit_count()
    response = client.post(url(world), form())
    assert response.status_code == REGISTER[persona]
    created = Device.objects.filter(venue=world.wuhou_hall, name="西门闸机")
    if REGISTER[persona] == 200:
        device = created.get()
        assert (device.kind, device.location, device.firmware) == ("gate", "西门", "2.1")
        assert AuditEntry.objects.filter(action="device.registered").count() == 1
    else:
        assert not created.exists()
        assert audit_count() == audits


def test_a_device_of_another_venue_is_not_found_under_this_one(world, client):
    other, _ = device_register(
        actor=world.admin, venue_id=world.jinjiang_pool.pk, kind="env_sensor", name="池水"
    )
    client.force_login(world.manager)
    assert client.get(url(world, other.pk)).status_code == 404
    before = snapshot(other)
    data = {"revoke-confirm": "on"}
    assert client.post(url(world, other.pk, "revoke"), data).status_code == 404
    assert client.post(url(world, other.pk, "rotate"), {"rotate-confirm": "on"}).status_code == 404
    assert snapshot(other) == before


def test_register_shows_the_secret_once(world, client):
    client.force_login(world.manager)
    response = client.post(url(world), form())
    assert response.status_code == 200
    device = Device.objects.get(name="西门闸机")
    secret = decrypt_secret(device.secret_encrypted)
    assert secret and len(secret) >= 40
    body = response.content.decode()
    assert secret in body
    assert "此密钥只显示一次" in body
    assert f"tiyu/v1/d/{device.pk}/up" in body
    assert "http://testserver/api/v1/devices/messages" in body
    assert "docs/devices.md" in body
    assert response["Cache-Control"] == "no-store"
    assert not response.has_header("Location")
    # Nowhere afterwards: not the list, not the detail page, not the session.
    for later in (client.get(url(world)), client.get(url(world, device.pk))):
        assert later.status_code == 200
        assert secret not in later.content.decode()
    assert secret not in str(dict(client.session))


def test_bad_input_shows_the_error_and_creates_nothing(world, client):
    client.force_login(world.manager)
    audits = audit_count()
    for bad in (form(name=""), form(kind="toaster"), form(name="长" * 65), form(name="   ")):
        response = client.post(url(world), bad)
        assert response.status_code == 400
        body = response.content.decode()
        assert "data-field-error" in body
        assert "此密钥只显示一次" not in body
    assert not Device.objects.exists()
    assert audit_count() == audits


def test_rotate_shows_a_new_secret_and_the_old_one_stops_working(world, client, gate):
    device, old = gate
    client.force_login(world.manager)
    refused = client.post(url(world, device.pk, "rotate"), {})  # not confirmed
    assert refused.status_code == 400
    device.refresh_from_db()
    assert decrypt_secret(device.secret_encrypted) == old

    response = client.post(url(world, device.pk, "rotate"), {"rotate-confirm": "on"})
    assert response.status_code == 200
    device.refresh_from_db()
    new = decrypt_secret(device.secret_encrypted)
    assert new and new != old
    body = response.content.decode()
    assert new in body and old not in body and "旧密钥已立即失效" in body
    assert response["Cache-Control"] == "no-store"
    assert new not in client.get(url(world, device.pk)).content.decode()

    beat = [{"id": "hb-1", "type": "heartbeat", "at": timezone.localtime().isoformat()}]
    for secret, expected in ((old, 401), (new, 200)):
        headers, raw = http_request(device.pk, secret, beat)
        sent = client.post(MESSAGES, data=raw, content_type="application/json", headers=headers)
        assert sent.status_code == expected
    assert DeviceRejection.objects.get(device_id=device.pk).reason == "bad_signature"


def test_edit_changes_the_text_fields_and_bad_input_changes_nothing(world, client, gate):
    device, _ = gate
    client.force_login(world.manager)
    before, audits = snapshot(device), audit_count()
    bad = client.post(url(world, device.pk), {"name": "", "location": "北门"})
    assert bad.status_code == 400
    assert 'data-field-error="name"' in bad.content.decode()
    assert snapshot(device) == before and audit_count() == audits

    ok = client.post(
        url(world, device.pk), {"name": "北门闸机", "location": "北门", "firmware": ""}
    )
    assert ok.status_code == 302 and ok["Location"] == url(world, device.pk)
    device.refresh_from_db()
    assert (device.name, device.location, device.firmware) == ("北门闸机", "北门", "")
    assert AuditEntry.objects.filter(action="device.updated").count() == 1


def test_staff_and_officials_cannot_change_a_device(world, as_persona, gate):
    device, secret = gate
    before, audits = snapshot(device), audit_count()
    for persona in ("staff", "wuhou_official"):
        client = as_persona(persona)
        body = client.get(url(world, device.pk)).content.decode()
        assert "edit-form" not in body and "rotate-form" not in body
        assert client.post(url(world, device.pk), {"name": "改名"}).status_code == 403
        assert (
            client.post(url(world, device.pk, "rotate"), {"rotate-confirm": "on"}).status_code
            == 403
        )
        assert (
            client.post(url(world, device.pk, "revoke"), {"revoke-confirm": "on"}).status_code
            == 403
        )
    assert snapshot(device) == before
    assert decrypt_secret(Device.objects.get(pk=device.pk).secret_encrypted) == secret
    assert audit_count() == audits


def test_revoke_needs_a_tick_then_marks_it_revoked_for_good(world, client, gate):
    device, _ = gate
    command = command_issue(device_id=device.pk, action="open", key="open-1")
    client.force_login(world.manager)
    unconfirmed = client.post(url(world, device.pk, "revoke"), {})
    assert unconfirmed.status_code == 400
    assert "请先勾选确认" in unconfirmed.content.decode()
    device.refresh_from_db()
    assert not device.is_revoked

    done = client.post(url(world, device.pk, "revoke"), {"revoke-confirm": "on"})
    assert done.status_code == 302
    device.refresh_from_db()
    command.refresh_from_db()
    assert device.is_revoked and command.status == CommandStatus.CANCELLED
    page = client.get(url(world, device.pk)).content.decode()
    assert 'data-state="revoked"' in page and "revoked-note" in page and "rotate-form" not in page
    assert 'data-state="revoked"' in client.get(url(world)).content.decode()

    again = client.post(url(world, device.pk, "revoke"), {"revoke-confirm": "on"})
    assert again.status_code == 409
    rotate = client.post(url(world, device.pk, "rotate"), {"rotate-confirm": "on"})
    assert rotate.status_code == 409
    assert AuditEntry.objects.filter(action="device.revoked").count() == 1
    assert AuditEntry.objects.filter(action="device.secret_rotated").count() == 0


def test_list_counts_online_devices_and_shows_last_seen(world, client, gate):
    device, _ = gate
    device_register(
        actor=world.manager, venue_id=world.wuhou_hall.pk, kind="env_sensor", name="温湿度"
    )
    DeviceSeen.objects.create(
        device=device,
        last_seen_at=timezone.now() - timedelta(minutes=3, seconds=5),
        transport="http",
        messages=42,
    )
    client.force_login(world.staff)
    response = client.get(url(world))
    body = response.content.decode()
    count = body.split('data-testid="online-count"')[1].split("</div>")[0]
    assert "<strong" in count and ">1</strong> / 启用 2" in count
    assert "最近在线 3 分钟前" in body.replace("\xa0", " ")  # timesince joins with a no-break space
    assert "从未上线" in body  # the sensor
    DeviceSeen.objects.filter(device=device).update(last_seen_at=timezone.now())
    assert "最近在线 刚刚" in client.get(url(world)).content.decode()
    row = body.split(f'<tr data-device="{device.pk}"')[1].split("</tr>")[0]
    assert 'data-state="online"' in row and ">42<" in row


def test_refusals_of_the_last_week_by_reason_with_their_meaning(world, client, gate):
    device, _ = gate
    now = timezone.now()
    today = timezone.localdate()
    for reason, count, days_ago in (
        ("bad_signature", 3, 0),
        ("bad_signature", 2, 1),
        ("person_identifying", 1, 2),
        ("too_late", 9, 8),  # older than a week
    ):
        DeviceRejection.objects.create(
            device_id=device.pk,
            venue=world.wuhou_hall,
            reason=reason,
            day=today - timedelta(days=days_ago),
            count=count,
            last_at=now - timedelta(days=days_ago),
        )
    DeviceRejection.objects.create(  # another venue's
        device_id=999, venue=world.jinjiang_pool, reason="unsigned", day=today, count=4, last_at=now
    )
    client.force_login(world.wuhou_official)
    body = client.get(url(world)).content.decode()
    table = body.split('data-testid="refusals"')[1].split("</table>")[0]
    signature = table.split('data-reason="bad_signature"')[1].split("</tr>")[0]
    assert "签名错误" in signature and ">5<" in signature
    assert "字段错误" in table.split('data-reason="person_identifying"')[1].split("</tr>")[0]
    assert "too_late" not in table and "unsigned" not in table


def test_last_commands_with_their_status(world, client):
    lights, _ = device_register(
        actor=world.manager, venue_id=world.wuhou_hall.pk, kind="light_controller", name="灯控"
    )
    for i in range(22):
        command_issue(device_id=lights.pk, action="light_on", key=f"k-{i:02d}")
    command_issue(device_id=lights.pk, action="light_off", key="k-last")
    client.force_login(world.staff)
    body = client.get(url(world, lights.pk)).content.decode()
    table = body.split('data-testid="commands"')[1].split("</table>")[0]
    assert table.count("<tr data-command=") == 20
    assert 'data-command="k-last"' in table and 'data-command="k-00"' not in table
    assert "待发送" in table


def test_a_neighbouring_venues_manager_finds_nothing(world, client, gate):
    from tiyu.accounts.models import Role
    from tiyu.accounts.services import membership_grant, user_create

    pool = user_create(username="pool", password="x-long-password")
    membership_grant(user=pool, role=Role.VENUE_MANAGER, venue=world.jinjiang_pool)
    device, _ = gate
    before, audits = snapshot(device), audit_count()
    client.force_login(pool)
    assert client.get(url(world)).status_code == 404
    assert client.get(url(world, device.pk)).status_code == 404
    assert client.post(url(world), form()).status_code == 404
    assert client.post(url(world, device.pk, "revoke"), {"revoke-confirm": "on"}).status_code == 404
    assert snapshot(device) == before and audit_count() == audits
    assert Device.objects.count() == 1
