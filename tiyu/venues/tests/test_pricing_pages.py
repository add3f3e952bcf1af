"""Back-office price editor and holiday calendar pages."""

from __future__ import annotations

from datetime import date, time

import pytest

from tiyu.core.models import AuditEntry
from tiyu.venues.models import Holiday, PriceRule
from tiyu.venues.services import PriceRuleData, court_save, market_price_set, price_rule_save

pytestmark = pytest.mark.django_db


@pytest.fixture
def court(world):
    market_price_set(
        actor=world.admin, venue_id=world.wuhou_hall.pk, sport_code="badminton", price_fen=6000
    )
    return court_save(
        actor=world.admin, venue_id=world.wuhou_hall.pk, name="1号场", sport_codes=["badminton"]
    )


def court_url(court, tail: str = "") -> str:
    return f"/manage/venues/{court.venue_id}/pricing/courts/{court.pk}/{tail}"


FORM = {
    "band": "low_cost",
    "weekdays": ["0", "1", "2", "3", "4"],
    "day_type": "",
    "starts": "18:00",
    "ends": "22:00",
    "price": "45.00",
    "member_price": "",
    "concession_price": "25",
    "priority": "10",
    "date_from": "",
    "date_to": "",
}


def test_over_the_cap_is_shown_next_to_the_price_and_nothing_is_saved(client, world, court):
    client.force_login(world.manager)
    response = client.post(court_url(court), FORM)
    assert response.status_code == 400
    html = response.content.decode()
    assert 'data-field-error="price"' in html
    assert "价格超过市场价的 70%（上限 ¥42.00/小时）" in html
    assert not PriceRule.objects.exists()
    response = client.post(court_url(court), {**FORM, "price": "42"})
    assert response.status_code == 302 and response["Location"] == court_url(court)
    rule = PriceRule.objects.get()
    assert (rule.price_fen, rule.concession_price_fen, rule.weekdays) == (4200, 2500, "1111100")
    page = client.get(court_url(court)).content.decode()
    assert "¥42.00" in page and 'data-band="low_cost"' in page and "周一至周五" in page


def test_edit_copy_remove_and_preview(client, world, court):
    client.force_login(world.manager)
    other = court_save(
        actor=world.admin, venue_id=court.venue_id, name="2号场", sport_codes=["badminton"]
    )
    rule = price_rule_save(
        actor=world.manager,
        venue_id=court.venue_id,
        court_id=court.pk,
        data=PriceRuleData(
            starts=time(8, 0),
            ends=time(22, 0),
            price_fen=3000,
            concession_price_fen=2000,
            band="low_cost",
        ),
    )
    edit = client.get(court_url(court, f"rules/{rule.pk}/"))
    assert edit.status_code == 200 and 'value="30.00"' in edit.content.decode()
    response = client.post(
        court_url(court, f"rules/{rule.pk}/"),
        {**FORM, "starts": "08:00", "price": "35", "weekdays": [str(d) for d in range(7)]},
    )
    assert response.status_code == 302
    rule.refresh_from_db()
    assert rule.price_fen == 3500 and PriceRule.objects.count() == 1
    response = client.post(court_url(court, "copy/"), {"to_court_ids": [other.pk]})
    assert response.status_code == 302 and other.price_rules.get().price_fen == 3500
    preview = client.get(court_url(court, "preview/"), {"day": "2026-02-17"})
    html = preview.content.decode()
    assert preview.status_code == 200
    assert 'data-day="2026-02-16"' in html and 'data-day-type="holiday"' in html
    assert 'data-fen="3500"' in html and "春节" in html
    response = client.post(court_url(court, f"rules/{rule.pk}/remove/"))
    assert response.status_code == 302 and not court.price_rules.exists()
    index = client.get(f"/manage/venues/{court.venue_id}/pricing/")
    assert index.status_code == 200 and "未定价" in index.content.decode()


@pytest.mark.parametrize("persona", ["staff", "wuhou_official", "chongqing_official"])
def test_pages_are_for_managers_only(client, world, court, persona):
    client.force_login(getattr(world, persona))
    audits = AuditEntry.objects.count()
    assert client.get(court_url(court)).status_code == 404
    assert client.post(court_url(court), {**FORM, "price": "10"}).status_code == 404
    assert not PriceRule.objects.exists() and AuditEntry.objects.count() == audits


def test_platform_admin_keeps_the_holiday_calendar(client, world):
    client.force_login(world.admin)
    page = client.get("/manage/holidays/", {"year": 2026})
    html = page.content.decode()
    assert page.status_code == 200 and 'data-date="2026-02-14"' in html and "放假 33 天" in html
    response = client.post(
        "/manage/holidays/", {"date": "2027-06-10", "kind": "holiday", "name": "端午节"}
    )
    assert response.status_code == 302 and response["Location"].endswith("?year=2027")
    assert Holiday.objects.get(date=date(2027, 6, 10)).name == "端午节"
    response = client.post("/manage/holidays/remove/", {"date": "2027-06-10"})
    assert response.status_code == 302 and not Holiday.objects.filter(date="2027-06-10").exists()


@pytest.mark.parametrize("persona", ["manager", "sichuan_official"])
def test_others_cannot_edit_the_calendar(client, world, persona):
    client.force_login(getattr(world, persona))
    before = Holiday.objects.count()
    assert client.get("/manage/holidays/").status_code == 403
    response = client.post("/manage/holidays/remove/", {"date": "2026-10-01"})
    assert response.status_code == 403 and Holiday.objects.count() == before


def test_django_admin_edits_the_calendar_through_the_service(client, world):
    world.admin.is_staff = True
    world.admin.save()
    client.force_login(world.admin)
    assert client.get("/admin/venues/holiday/").status_code == 200
    assert client.get("/admin/venues/pricerule/").status_code == 200
    response = client.post(
        "/admin/venues/holiday/add/", {"date": "2028-01-01", "kind": "holiday", "name": "元旦"}
    )
    assert response.status_code == 302
    holiday = Holiday.objects.get(date=date(2028, 1, 1))
    assert AuditEntry.objects.filter(action="holiday.set", object_id=str(holiday.pk)).exists()
