"""Editing a venue's registry data, courts, hours, closures and market prices."""

from __future__ import annotations

from datetime import time, timedelta

import pytest
from django.utils import timezone

from conftest import CENTRE
from tiyu.backoffice.tests.conftest import audit_count, snapshot, venue_post
from tiyu.core.models import AuditEntry
from tiyu.regions.geo import to_gcj02
from tiyu.venues.models import Closure, Court, MarketPrice, OpeningHours, Venue

pytestmark = pytest.mark.django_db

NOT_MANAGERS = [
    "staff",
    "wuhou_official",
    "chengdu_official",
    "sichuan_official",
    "chongqing_official",
    "national_official",
    "association",
]


def edit_url(venue) -> str:
    return f"/manage/venues/{venue.pk}/edit/"


def test_manager_changes_phone_and_description(world, as_persona):
    hall = world.wuhou_hall
    response = as_persona("manager").post(
        edit_url(hall), venue_post(hall, phone="028-8888 6666", description="新的简介")
    )
    assert response.status_code == 302
    assert response["Location"] == f"/manage/venues/{hall.pk}/"
    hall.refresh_from_db()
    assert (hall.phone, hall.description) == ("028-8888 6666", "新的简介")
    entry = AuditEntry.objects.filter(action="venue.updated", object_id=str(hall.pk)).get()
    assert entry.actor_id == world.manager.pk


def test_point_outside_the_district_is_shown_next_to_the_field(world, as_persona):
    hall = world.wuhou_hall
    before, audits = snapshot(hall), audit_count()
    lat, lng = CENTRE["500106"]  # Shapingba, Chongqing
    response = as_persona("manager").post(
        edit_url(hall), venue_post(hall, lat=lat, lng=lng, phone="123")
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert 'data-error-code="coordinates_outside_region"' in body
    assert 'data-field-error="lat"' in body
    assert "is-invalid" in body
    assert snapshot(hall) == before
    assert audit_count() == audits


def test_gcj02_coordinates_are_stored_as_wgs84(world, as_persona):
    hall = world.wuhou_hall
    wgs = (hall.lat + 0.001, hall.lng + 0.001)
    glat, glng = to_gcj02(*wgs)
    response = as_persona("manager").post(
        edit_url(hall), venue_post(hall, lat=glat, lng=glng, crs="gcj02")
    )
    assert response.status_code == 302
    hall.refresh_from_db()
    assert hall.lat == pytest.approx(wgs[0], abs=1e-5)
    assert hall.lng == pytest.approx(wgs[1], abs=1e-5)


def test_badly_typed_input_is_a_400_and_changes_nothing(world, as_persona):
    hall = world.wuhou_hall
    before, audits = snapshot(hall), audit_count()
    bad = venue_post(hall, lat="north", year_built="1890", sport_codes=["quidditch"])
    response = as_persona("manager").post(edit_url(hall), bad)
    assert response.status_code == 400
    body = response.content.decode()
    assert 'data-field-error="lat"' in body
    assert 'data-field-error="sport_codes"' in body
    assert snapshot(hall) == before
    assert audit_count() == audits


def test_service_refusal_for_year_lands_on_its_field(world, as_persona):
    hall = world.wuhou_hall
    before = snapshot(hall)
    response = as_persona("manager").post(edit_url(hall), venue_post(hall, year_built=1800))
    assert response.status_code == 400
    assert 'data-error-code="year_built_invalid"' in response.content.decode()
    assert 'data-field-error="year_built"' in response.content.decode()
    assert snapshot(hall) == before


def test_star_rating_is_not_the_managers_to_choose(world, as_persona):
    hall = world.wuhou_hall
    manager = as_persona("manager")
    assert 'name="star_rating"' not in manager.get(edit_url(hall)).content.decode()
    assert manager.post(edit_url(hall), venue_post(hall, star_rating=5)).status_code == 302
    hall.refresh_from_db()
    assert hall.star_rating == 0
    admin = as_persona("admin")
    assert admin.post(edit_url(hall), venue_post(hall, star_rating=4)).status_code == 302
    hall.refresh_from_db()
    assert hall.star_rating == 4


@pytest.mark.parametrize("persona", [*NOT_MANAGERS, "resident", None])
def test_wrong_persona_cannot_change_the_hall(world, as_persona, persona):
    hall = world.wuhou_hall
    before, audits = snapshot(hall), audit_count()
    hours, closures, courts = (
        OpeningHours.objects.count(),
        Closure.objects.count(),
        Court.objects.count(),
    )
    client = as_persona(persona)
    today = timezone.localdate()
    posts = {
        edit_url(hall): venue_post(hall, name="被改名", phone="110"),
        f"/manage/venues/{hall.pk}/hours/": hours_post([(0, "06:00", "23:00")]),
        f"/manage/venues/{hall.pk}/closures/": {
            "starts_on": today,
            "ends_on": today,
            "reason": "x",
        },
        f"/manage/venues/{hall.pk}/courts/": {"name": "X", "slot_minutes": 60, "capacity": 4},
        f"/manage/venues/{hall.pk}/prices/": {
            "sport_code": "badminton",
            "unit": "hour",
            "price": "10",
        },
    }
    expected = {None: 302, "resident": 403}.get(persona, 404)
    for url, data in posts.items():
        assert client.post(url, data).status_code == expected, url
    assert snapshot(hall) == before
    assert audit_count() == audits
    assert OpeningHours.objects.count() == hours
    assert Closure.objects.count() == closures
    assert Court.objects.count() == courts
    assert not MarketPrice.objects.exists()


def test_manager_cannot_touch_another_venue(world, as_persona):
    gym = world.shapingba_gym
    before, audits = snapshot(gym), audit_count()
    response = as_persona("manager").post(edit_url(gym), venue_post(gym, name="被改名"))
    assert response.status_code == 404
    assert snapshot(gym) == before
    assert audit_count() == audits


# --- opening hours ---------------------------------------------------------------------------


def hours_post(periods: list[tuple[int, str, str]], delete: tuple[int, ...] = ()) -> dict:
    """The hours formset as the page sends it."""
    data = {
        "hours-TOTAL_FORMS": len(periods),
        "hours-INITIAL_FORMS": 0,
        "hours-MIN_NUM_FORMS": 0,
        "hours-MAX_NUM_FORMS": 1000,
    }
    for i, (weekday, opens, closes) in enumerate(periods):
        data |= {
            f"hours-{i}-weekday": weekday,
            f"hours-{i}-opens": opens,
            f"hours-{i}-closes": closes,
        }
        if i in delete:
            data[f"hours-{i}-DELETE"] = "on"
    return data


def saved_hours(venue) -> list[tuple[int, time, time]]:
    return list(OpeningHours.objects.filter(venue=venue).values_list("weekday", "opens", "closes"))


def test_several_periods_a_day(world, as_persona):
    hall = world.wuhou_hall
    url = f"/manage/venues/{hall.pk}/hours/"
    periods = [(0, "08:00", "12:00"), (0, "14:00", "22:00"), (5, "09:00", "21:00")]
    response = as_persona("manager").post(url, hours_post(periods))
    assert response.status_code == 302
    assert saved_hours(hall) == [
        (0, time(8), time(12)),
        (0, time(14), time(22)),
        (5, time(9), time(21)),
    ]
    assert AuditEntry.objects.filter(action="venue.hours_set").count() == 1
    page = as_persona("manager").get(url).content.decode()
    assert "08:00–12:00" in page and "14:00–22:00" in page


def test_deleting_a_period_and_skipping_blank_rows(world, as_persona):
    hall = world.wuhou_hall
    url = f"/manage/venues/{hall.pk}/hours/"
    client = as_persona("manager")
    client.post(url, hours_post([(0, "08:00", "12:00"), (1, "08:00", "12:00")]))
    data = hours_post([(0, "08:00", "12:00"), (1, "08:00", "12:00"), ("", "", "")], delete=(1,))
    assert client.post(url, data).status_code == 302
    assert saved_hours(hall) == [(0, time(8), time(12))]


@pytest.mark.parametrize(
    ("periods", "code"),
    [
        ([(0, "08:00", "12:00"), (0, "11:00", "14:00")], "hours_overlap"),
        ([(2, "20:00", "08:00")], "hours_order"),
    ],
)
def test_refused_hours_change_nothing(world, as_persona, periods, code):
    hall = world.wuhou_hall
    url = f"/manage/venues/{hall.pk}/hours/"
    client = as_persona("manager")
    client.post(url, hours_post([(6, "10:00", "18:00")]))
    audits = audit_count()
    response = client.post(url, hours_post(periods))
    assert response.status_code == 400
    assert f'data-error-code="{code}"' in response.content.decode()
    assert saved_hours(hall) == [(6, time(10), time(18))]
    assert audit_count() == audits


# --- closures, prices, courts -----------------------------------------------------------------


def test_announce_and_withdraw_a_closure(world, as_persona):
    hall = world.wuhou_hall
    client = as_persona("manager")
    start = timezone.localdate() + timedelta(days=10)
    response = client.post(
        f"/manage/venues/{hall.pk}/closures/",
        {
            "starts_on": start,
            "ends_on": start + timedelta(days=2),
            "reason": "地板翻新",
        },
    )
    assert response.status_code == 302
    closure = Closure.objects.get(venue=hall)
    assert closure.reason == "地板翻新"
    assert AuditEntry.objects.filter(action="venue.closure_added").count() == 1
    removed = client.post(f"/manage/venues/{hall.pk}/closures/{closure.pk}/remove/")
    assert removed.status_code == 302
    assert not Closure.objects.exists()
    assert AuditEntry.objects.filter(action="venue.closure_removed").count() == 1


def test_started_closure_stays_on_record(world, as_persona):
    from tiyu.venues.services import closure_add

    hall = world.wuhou_hall
    today = timezone.localdate()
    closure = closure_add(
        actor=world.manager, venue_id=hall.pk, starts_on=today, ends_on=today, reason="停电"
    )
    audits = audit_count()
    response = as_persona("manager").post(f"/manage/venues/{hall.pk}/closures/{closure.pk}/remove/")
    assert response.status_code == 400
    assert 'data-error-code="closure_already_started"' in response.content.decode()
    assert Closure.objects.filter(pk=closure.pk).exists()
    assert audit_count() == audits


def test_closure_ending_before_it_starts(world, as_persona):
    hall = world.wuhou_hall
    start = timezone.localdate() + timedelta(days=5)
    response = as_persona("manager").post(
        f"/manage/venues/{hall.pk}/closures/",
        {
            "starts_on": start,
            "ends_on": start - timedelta(days=1),
            "reason": "x",
        },
    )
    assert response.status_code == 400
    assert 'data-field-error="ends_on"' in response.content.decode()
    assert not Closure.objects.exists()


def test_declare_a_market_price_in_yuan(world, as_persona):
    hall = world.wuhou_hall
    client = as_persona("manager")
    url = f"/manage/venues/{hall.pk}/prices/"
    data = {"sport_code": "badminton", "unit": "hour", "price": "35.50"}
    assert client.post(url, data).status_code == 302
    assert MarketPrice.objects.get(venue=hall).price_fen == 3550
    assert client.post(url, data | {"price": "40"}).status_code == 302
    assert list(MarketPrice.objects.values_list("price_fen", flat=True)) == [4000]
    assert "¥40.00" in client.get(f"/manage/venues/{hall.pk}/").content.decode()


def test_negative_price_is_refused(world, as_persona):
    url = f"/manage/venues/{world.wuhou_hall.pk}/prices/"
    data = {"sport_code": "badminton", "unit": "hour", "price": "-1"}
    response = as_persona("manager").post(url, data)
    assert response.status_code == 400
    assert 'data-field-error="price"' in response.content.decode()
    assert not MarketPrice.objects.exists()


def test_a_hall_and_its_parts(world, as_persona):
    hall = world.wuhou_hall
    client = as_persona("manager")
    url = f"/manage/venues/{hall.pk}/courts/"
    assert (
        client.post(
            url,
            {
                "name": "整馆",
                "sport_codes": ["badminton"],
                "slot_minutes": 60,
                "capacity": 40,
                "is_indoor": "on",
            },
        ).status_code
        == 302
    )
    whole = Court.objects.get(venue=hall, name="整馆")
    assert (
        client.post(
            url,
            {
                "name": "1号场",
                "sport_codes": ["badminton"],
                "parent_id": whole.pk,
                "slot_minutes": 30,
                "capacity": 4,
                "is_indoor": "on",
            },
        ).status_code
        == 302
    )
    part = Court.objects.get(venue=hall, name="1号场")
    assert (part.parent_id, part.slot_minutes) == (whole.pk, 30)
    # Change it through its own URL.
    response = client.post(
        f"{url}{part.pk}/",
        {
            "name": "一号场",
            "sport_codes": ["badminton", "table_tennis"],
            "parent_id": whole.pk,
            "slot_minutes": 60,
            "capacity": 6,
            "is_indoor": "on",
        },
    )
    assert response.status_code == 302
    part.refresh_from_db()
    assert (part.name, part.capacity) == ("一号场", 6)
    assert sorted(part.sports.values_list("code", flat=True)) == ["badminton", "table_tennis"]
    assert AuditEntry.objects.filter(action="court.saved").count() == 3


def test_part_of_another_venues_court_is_refused(world, as_persona):
    from tiyu.venues.services import court_save

    other = court_save(actor=world.admin, venue_id=world.shapingba_gym.pk, name="A", sport_codes=[])
    count = Court.objects.count()
    response = as_persona("manager").post(
        f"/manage/venues/{world.wuhou_hall.pk}/courts/",
        {
            "name": "X",
            "parent_id": other.pk,
            "slot_minutes": 60,
            "capacity": 4,
        },
    )
    assert response.status_code == 400
    assert 'data-field-error="parent_id"' in response.content.decode()
    assert Court.objects.count() == count


def test_court_of_another_venue_cannot_be_edited_through_this_one(world, as_persona):
    from tiyu.venues.services import court_save

    other = court_save(actor=world.admin, venue_id=world.shapingba_gym.pk, name="A", sport_codes=[])
    response = as_persona("manager").post(
        f"/manage/venues/{world.wuhou_hall.pk}/courts/{other.pk}/",
        {"name": "X", "slot_minutes": 60, "capacity": 4},
    )
    assert response.status_code == 404
    assert Court.objects.get(pk=other.pk).name == "A"


def test_edit_form_shows_current_values(world, as_persona):
    hall = Venue.objects.get(pk=world.wuhou_hall.pk)
    body = as_persona("manager").get(edit_url(hall)).content.decode()
    assert f'value="{hall.name}"' in body
    assert 'value="badminton" class="form-check-input" id="id_sport_codes_0" checked' in body
    assert 'value="gcj02"' in body
