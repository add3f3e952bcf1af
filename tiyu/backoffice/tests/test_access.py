"""The role matrix of the back office: who gets 200, the login redirect, 403 or 404."""

from __future__ import annotations

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db

PERSONAS = [
    "resident",
    "staff",
    "manager",
    "wuhou_official",
    "chengdu_official",
    "sichuan_official",
    "chongqing_official",
    "national_official",
    "association",
    "admin",
]
# Residents have no back-office role at all: a friendly 403 on every page, whatever the venue.
DASHBOARD = {p: 200 for p in PERSONAS} | {"resident": 403}
HALL = {
    "resident": 403,
    "staff": 200,
    "manager": 200,
    "wuhou_official": 200,
    "chengdu_official": 200,
    "sichuan_official": 200,
    "chongqing_official": 404,
    "national_official": 200,
    "association": 200,
    "admin": 200,
}
GYM = {
    "resident": 403,
    "staff": 404,
    "manager": 404,
    "wuhou_official": 404,
    "chengdu_official": 404,
    "sichuan_official": 404,
    "chongqing_official": 200,
    "national_official": 200,
    "association": 404,
    "admin": 200,
}
# Editing: the venue's managers and platform admins; officials and staff read only.
EDIT_HALL = {p: 404 for p in PERSONAS} | {"resident": 403, "manager": 200, "admin": 200}
EDIT_GYM = {p: 404 for p in PERSONAS} | {"resident": 403, "admin": 200}
MANAGE_PAGES = ["venue_edit", "courts", "hours", "closures", "prices", "photos", "documents"]


def test_the_matrix_names_every_persona(world):
    assert set(PERSONAS) == set(world.personas)


@pytest.mark.parametrize("persona", PERSONAS)
def test_dashboard(as_persona, persona):
    response = as_persona(persona).get("/manage/")
    assert response.status_code == DASHBOARD[persona]
    if persona == "resident":
        assert "您还没有管理后台的权限" in response.content.decode()
        assert b"Traceback" not in response.content


@pytest.mark.parametrize("persona", PERSONAS)
def test_venue_detail_of_the_wuhou_hall(world, as_persona, persona):
    response = as_persona(persona).get(f"/manage/venues/{world.wuhou_hall.pk}/")
    assert response.status_code == HALL[persona]
    if response.status_code == 200:
        assert world.wuhou_hall.name in response.content.decode()


@pytest.mark.parametrize("persona", PERSONAS)
def test_venue_detail_of_the_shapingba_gym(world, as_persona, persona):
    response = as_persona(persona).get(f"/manage/venues/{world.shapingba_gym.pk}/")
    assert response.status_code == GYM[persona]
    body = response.content.decode()
    if response.status_code == 404:
        # The not-found page, saying nothing about the venue.
        assert 'data-error-code="not_found"' in body
        assert world.shapingba_gym.name not in body


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("page", MANAGE_PAGES)
def test_manage_pages_of_the_wuhou_hall(world, as_persona, persona, page):
    url = reverse(f"backoffice:{page}", args=[world.wuhou_hall.pk])
    assert as_persona(persona).get(url).status_code == EDIT_HALL[persona]


@pytest.mark.parametrize("persona", PERSONAS)
def test_edit_page_of_the_shapingba_gym(world, as_persona, persona):
    url = reverse("backoffice:venue_edit", args=[world.shapingba_gym.pk])
    assert as_persona(persona).get(url).status_code == EDIT_GYM[persona]


def test_absent_venue_is_the_same_404_as_someone_elses(world, as_persona):
    client = as_persona("wuhou_official")
    absent = client.get("/manage/venues/999999/")
    not_yours = client.get(f"/manage/venues/{world.shapingba_gym.pk}/")
    assert absent.status_code == not_yours.status_code == 404
    assert error_block(absent) == error_block(not_yours)
    assert 'data-error-code="not_found"' in error_block(absent)


def error_block(response) -> str:
    """The error message part of an error page (the rest carries a per-request CSRF token)."""
    body = response.content.decode()
    start = body.index('<div class="alert alert-danger"')
    return body[start : body.index("</div>", start)]


@pytest.mark.parametrize(
    "url",
    [
        "/manage/",
        "/manage/venues/{hall}/",
        "/manage/venues/{hall}/edit/",
        "/manage/venues/{hall}/hours/",
        "/manage/venues/{park}/equipment/qr/",
    ],
)
def test_anonymous_users_are_sent_to_login(world, client, url):
    url = url.format(hall=world.wuhou_hall.pk, park=world.zigong_park.pk)
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(f"/login/?next={url}")


def test_equipment_pages_only_for_outdoor_facilities(world, as_persona):
    admin = as_persona("admin")
    assert admin.get(f"/manage/venues/{world.zigong_park.pk}/equipment/").status_code == 200
    assert admin.get(f"/manage/venues/{world.zigong_park.pk}/equipment/qr/").status_code == 200
    # The badminton hall is not an outdoor facility.
    assert admin.get(f"/manage/venues/{world.wuhou_hall.pk}/equipment/").status_code == 404
    # The Sichuan official can read the park but not manage its equipment.
    sichuan = as_persona("sichuan_official")
    assert sichuan.get(f"/manage/venues/{world.zigong_park.pk}/").status_code == 200
    assert sichuan.get(f"/manage/venues/{world.zigong_park.pk}/equipment/").status_code == 404
    assert sichuan.get(f"/manage/venues/{world.zigong_park.pk}/equipment/qr/").status_code == 404


def test_read_only_users_see_no_edit_links(world, as_persona):
    url = f"/manage/venues/{world.wuhou_hall.pk}/"
    edit = reverse("backoffice:venue_edit", args=[world.wuhou_hall.pk])
    for persona in ("staff", "wuhou_official", "chengdu_official"):
        assert edit not in as_persona(persona).get(url).content.decode()
    assert edit in as_persona("manager").get(url).content.decode()
