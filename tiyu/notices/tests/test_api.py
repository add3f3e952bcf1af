"""``/api/v1/notices``: list, unread count, mark read; another user's notice is a 404."""

from __future__ import annotations

import pytest

from tiyu.notices.models import Notice
from tiyu.notices.services import notify

pytestmark = pytest.mark.django_db

URL = "/api/v1/notices"


def send(user, title, **over):
    return notify(user=user, kind="booking_confirmed", title=title, body="正文", **over)


@pytest.fixture
def inbox(world):
    notices = [send(world.resident, f"消息{i}", link=f"/bookings/{i}/") for i in range(3)]
    theirs = send(world.staff, "员工的消息")
    return notices, theirs


def test_list_is_newest_first_with_unread_flags_and_paging(world, api_client, inbox):
    notices, _ = inbox
    headers = api_client.token(world.resident)
    api_client.post(f"{URL}/{notices[0].pk}/read", headers=headers)
    body = api_client.get(URL, {"limit": 2}, headers=headers).json()
    assert (body["count"], body["unread"]) == (3, 2)
    assert [n["title"] for n in body["results"]] == ["消息2", "消息1"]
    assert body["results"][0]["read"] is False and body["results"][0]["kind_label"] == "预订成功"
    assert body["results"][0]["link"] == "/bookings/2/"
    rest = api_client.get(URL, {"limit": 2, "offset": 2}, headers=headers).json()
    assert [(n["title"], n["read"]) for n in rest["results"]] == [("消息0", True)]
    unread = api_client.get(URL, {"unread_only": True}, headers=headers).json()
    assert unread["count"] == 2 and all(not n["read"] for n in unread["results"])


def test_list_shows_only_my_notices(world, api_client, inbox):
    body = api_client.get(URL, headers=api_client.token(world.staff)).json()
    assert [n["title"] for n in body["results"]] == ["员工的消息"]


def test_unread_count_and_mark_read(world, api_client, inbox):
    notices, _ = inbox
    headers = api_client.token(world.resident)
    assert api_client.get(f"{URL}/unread-count", headers=headers).json() == {"unread": 3}
    response = api_client.post(f"{URL}/{notices[1].pk}/read", headers=headers)
    assert response.status_code == 200
    assert response.json()["read"] is True and response.json()["read_at"]
    assert api_client.get(f"{URL}/unread-count", headers=headers).json() == {"unread": 2}


def test_another_users_notice_is_404_and_stays_unread(world, api_client, inbox):
    _, theirs = inbox
    response = api_client.post(f"{URL}/{theirs.pk}/read", headers=api_client.token(world.resident))
    assert response.status_code == 404
    assert response.json()["code"] == "notice_not_found"
    assert Notice.objects.get(pk=theirs.pk).read_at is None
    missing = api_client.post(f"{URL}/999999/read", headers=api_client.token(world.resident))
    assert missing.status_code == 404 and missing.json()["code"] == "notice_not_found"


def test_read_all_marks_only_mine(world, api_client, inbox):
    _, theirs = inbox
    headers = api_client.token(world.resident)
    assert api_client.post(f"{URL}/read-all", headers=headers).json() == {"marked": 3, "unread": 0}
    assert api_client.post(f"{URL}/read-all", headers=headers).json() == {"marked": 0, "unread": 0}
    assert Notice.objects.get(pk=theirs.pk).read_at is None


@pytest.mark.parametrize(
    ("method", "path"),
    [("get", ""), ("get", "/unread-count"), ("post", "/read-all"), ("post", "/1/read")],
)
def test_anonymous_calls_are_401_and_change_nothing(world, client, inbox, method, path):
    response = getattr(client, method)(f"{URL}{path}")
    assert response.status_code == 401
    assert response.json()["code"] == "unauthenticated"
    assert Notice.objects.filter(read_at__isnull=False).count() == 0


def test_bad_paging_is_a_clear_422(world, api_client):
    response = api_client.get(URL, {"limit": 0}, headers=api_client.token(world.resident))
    assert response.status_code == 422 and response.json()["code"] == "invalid_request"
