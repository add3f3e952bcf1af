"""Equipment of outdoor facilities: register items, change their status, print their QR codes."""

from __future__ import annotations

import pytest

from tiyu.accounts.models import Role
from tiyu.accounts.services import membership_grant
from tiyu.backoffice.tests.conftest import audit_count, snapshot
from tiyu.core.models import AuditEntry
from tiyu.venues.models import EquipmentItem
from tiyu.venues.services import equipment_add

pytestmark = pytest.mark.django_db


@pytest.fixture
def park_manager(world):
    """A manager of the Zigong fitness path."""
    from tiyu.accounts.services import user_create

    user = user_create(username="park", password="x-long-password")
    membership_grant(user=user, role=Role.VENUE_MANAGER, venue=world.zigong_park)
    return user


def test_register_an_item_and_change_its_status(world, client, park_manager):
    client.force_login(park_manager)
    url = f"/manage/venues/{world.zigong_park.pk}/equipment/"
    response = client.post(
        url, {"name": "太空漫步机", "model_no": "TK-2", "installed_on": "2024-05-01"}
    )
    assert response.status_code == 302
    item = EquipmentItem.objects.get(venue=world.zigong_park)
    assert (item.name, item.model_no, str(item.installed_on)) == (
        "太空漫步机",
        "TK-2",
        "2024-05-01",
    )
    assert AuditEntry.objects.filter(action="equipment.added").count() == 1
    response = client.post(f"{url}{item.pk}/status/", {"status": "faulty"})
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.status == "faulty"
    entry = AuditEntry.objects.get(action="equipment.status_set")
    assert entry.data == {"from": "ok", "to": "faulty"}


def test_unknown_status_is_refused(world, client, park_manager):
    item = equipment_add(actor=park_manager, venue_id=world.zigong_park.pk, name="单杠")
    before, audits = snapshot(item), audit_count()
    client.force_login(park_manager)
    url = f"/manage/venues/{world.zigong_park.pk}/equipment/{item.pk}/status/"
    response = client.post(url, {"status": "stolen"})
    assert response.status_code == 400
    assert snapshot(item) == before
    assert audit_count() == audits


def test_other_users_cannot_change_equipment(world, as_persona, park_manager):
    item = equipment_add(actor=park_manager, venue_id=world.zigong_park.pk, name="单杠")
    before, audits = snapshot(item), audit_count()
    url = f"/manage/venues/{world.zigong_park.pk}/equipment/"
    for persona in ("manager", "sichuan_official", "association"):
        client = as_persona(persona)
        assert client.post(url, {"name": "偷加的"}).status_code == 404
        assert client.post(f"{url}{item.pk}/status/", {"status": "retired"}).status_code == 404
    assert snapshot(item) == before
    assert EquipmentItem.objects.count() == 1
    assert audit_count() == audits


def test_qr_sheet_encodes_the_public_page_of_each_item(world, client, park_manager):
    items = [
        equipment_add(actor=park_manager, venue_id=world.zigong_park.pk, name=name)
        for name in ("太空漫步机", "扭腰器", "旧单杠")
    ]
    from tiyu.venues.services import equipment_status_set

    equipment_status_set(
        actor=park_manager, venue_id=world.zigong_park.pk, item_id=items[2].pk, status="retired"
    )
    client.force_login(park_manager)
    response = client.get(f"/manage/venues/{world.zigong_park.pk}/equipment/qr/")
    assert response.status_code == 200
    body = response.content.decode()
    assert body.count('class="bo-qr-card"') == 2  # retired items are not printed
    for item in items[:2]:
        assert f"http://testserver/e/{item.code}/" in body
        assert item.name in body
    assert items[2].code not in body
    assert "@media print" not in body  # print rules live in the stylesheet
    assert "tiyu/backoffice.css" in body
