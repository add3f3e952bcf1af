"""API: the holiday calendar and price rules under /api/v1/venues."""

from __future__ import annotations

import pytest

from tiyu.core.models import AuditEntry
from tiyu.venues.models import Holiday, PriceRule
from tiyu.venues.services import court_save, market_price_set

pytestmark = pytest.mark.django_db
BASE = "/api/v1/venues"


@pytest.fixture
def court(world):
    market_price_set(
        actor=world.admin, venue_id=world.wuhou_hall.pk, sport_code="badminton", price_fen=6000
    )
    return court_save(
        actor=world.admin, venue_id=world.wuhou_hall.pk, name="1号场", sport_codes=["badminton"]
    )


def rules_url(court) -> str:
    return f"{BASE}/{court.venue_id}/courts/{court.pk}/price-rules"


RULE = {
    "starts": "08:00",
    "ends": "22:00",
    "price_fen": 4000,
    "member_price_fen": 3500,
    "concession_price_fen": 2500,
    "band": "low_cost",
    "weekdays": "1111100",
}


def test_holidays_of_a_year_are_public(client, world):
    response = client.get(f"{BASE}/holidays", {"year": 2026})
    assert response.status_code == 200
    rows = response.json()
    assert {"date": "2026-02-14", "kind": "workday", "name": "春节调休"} in rows
    assert sum(r["kind"] == "holiday" for r in rows) == 33
    assert client.get(f"{BASE}/holidays", {"year": 1900}).status_code == 422


def test_admin_sets_and_deletes_a_calendar_date(api_client, world):
    auth = api_client.token(world.admin)
    body = {"date": "2028-01-01", "kind": "holiday", "name": "元旦"}
    response = api_client.post(
        f"{BASE}/holidays", body, content_type="application/json", headers=auth
    )
    assert response.status_code == 200 and response.json() == body
    response = api_client.delete(f"{BASE}/holidays/2028-01-01", headers=auth)
    assert response.status_code == 204
    assert not Holiday.objects.filter(date="2028-01-01").exists()
    assert api_client.delete(f"{BASE}/holidays/2028-01-01", headers=auth).status_code == 404


@pytest.mark.parametrize("persona", ["manager", "resident", "national_official"])
def test_calendar_writes_are_for_platform_admins(api_client, world, persona):
    auth = api_client.token(getattr(world, persona))
    before = Holiday.objects.count()
    body = {"date": "2026-10-01", "kind": "workday", "name": "x"}
    response = api_client.post(
        f"{BASE}/holidays", body, content_type="application/json", headers=auth
    )
    assert (response.status_code, response.json()["code"]) == (403, "holiday_forbidden")
    assert api_client.delete(f"{BASE}/holidays/2026-10-01", headers=auth).status_code == 403
    assert Holiday.objects.count() == before
    assert Holiday.objects.get(date="2026-10-01").kind == "holiday"
    anonymous = api_client.post(f"{BASE}/holidays", body, content_type="application/json")
    assert anonymous.status_code == 401


def test_manager_creates_updates_and_deletes_a_rule(api_client, world, court):
    auth = api_client.token(world.manager)
    response = api_client.post(
        rules_url(court), RULE, content_type="application/json", headers=auth
    )
    assert response.status_code == 201, response.json()
    rule = response.json()
    assert rule["price_fen"] == 4000 and rule["weekdays"] == "1111100"
    assert rule["starts"].startswith("08:00")
    public = api_client.get(rules_url(court))
    assert public.status_code == 200 and [r["id"] for r in public.json()] == [rule["id"]]
    response = api_client.put(
        f"{rules_url(court)}/{rule['id']}",
        {**RULE, "price_fen": 3000, "member_price_fen": 2800},
        content_type="application/json",
        headers=auth,
    )
    assert response.status_code == 200 and response.json()["price_fen"] == 3000
    response = api_client.delete(f"{rules_url(court)}/{rule['id']}", headers=auth)
    assert response.status_code == 204
    assert not PriceRule.objects.exists()


def test_create_honours_the_idempotency_key(api_client, world, court):
    headers = {**api_client.token(world.manager), "Idempotency-Key": "rule-1"}
    first = api_client.post(
        rules_url(court), RULE, content_type="application/json", headers=headers
    )
    again = api_client.post(
        rules_url(court), RULE, content_type="application/json", headers=headers
    )
    assert first.status_code == again.status_code == 201
    assert first.json() == again.json()
    assert PriceRule.objects.count() == 1


def test_over_the_cap_is_a_clear_400(api_client, world, court):
    auth = api_client.token(world.manager)
    response = api_client.post(
        rules_url(court),
        {**RULE, "price_fen": 5000, "member_price_fen": None},
        content_type="application/json",
        headers=auth,
    )
    body = response.json()
    assert response.status_code == 400
    assert body["code"] == "price_over_cap"
    assert "¥42.00/小时" in body["message"] and "price_fen" in body["fields"]
    assert not PriceRule.objects.exists()
    bad = api_client.post(
        rules_url(court),
        {**RULE, "weekdays": "1234567"},
        content_type="application/json",
        headers=auth,
    )
    assert bad.status_code == 422 and bad.json()["code"] == "invalid_request"


@pytest.mark.parametrize("persona", ["resident", "staff", "wuhou_official", "chongqing_official"])
def test_rule_writes_are_refused_to_others(api_client, world, court, persona):
    auth = api_client.token(getattr(world, persona))
    audits = AuditEntry.objects.count()
    response = api_client.post(
        rules_url(court), RULE, content_type="application/json", headers=auth
    )
    assert response.status_code == 404
    response = api_client.post(
        f"{rules_url(court)}/copy",
        {"to_court_ids": [court.pk]},
        content_type="application/json",
        headers=auth,
    )
    assert response.status_code == 404
    assert not PriceRule.objects.exists() and AuditEntry.objects.count() == audits
    assert (
        api_client.post(rules_url(court), RULE, content_type="application/json").status_code == 401
    )


def test_copy_endpoint(api_client, world, court):
    auth = api_client.token(world.manager)
    second = court_save(
        actor=world.admin, venue_id=court.venue_id, name="2号场", sport_codes=["badminton"]
    )
    api_client.post(rules_url(court), RULE, content_type="application/json", headers=auth)
    response = api_client.post(
        f"{rules_url(court)}/copy",
        {"to_court_ids": [second.pk]},
        content_type="application/json",
        headers=auth,
    )
    assert response.status_code == 200 and response.json() == {"copied": 1}
    assert second.price_rules.get().price_fen == 4000


def test_rules_of_an_unpublished_venue_or_another_venue_are_404(api_client, world, court):
    assert (
        api_client.get(f"{BASE}/{world.shapingba_gym.pk}/courts/{court.pk}/price-rules").status_code
        == 404
    )
    world.wuhou_hall.is_published = False
    world.wuhou_hall.save()
    response = api_client.get(rules_url(court))
    assert response.status_code == 404 and response.json()["code"] == "court_not_found"
