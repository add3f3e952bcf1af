"""The inbox pages and the unread badge in the top bar."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tiyu.notices.models import Notice
from tiyu.notices.services import notify

pytestmark = pytest.mark.django_db


def send(user, title, **over):
    return notify(user=user, kind="booking_reminder", title=title, body="正文内容", **over)


@pytest.fixture
def signed_in(client, world):
    client.force_login(world.resident)
    return client


def test_inbox_needs_a_login(client, world):
    response = client.get("/inbox/")
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_list_bolds_unread_and_badge_counts_them(signed_in, world):
    read = send(world.resident, "已读的消息")
    Notice.objects.filter(pk=read.pk).update(read_at=read.created_at)
    send(world.resident, "未读的消息", link="/bookings/5/")
    send(world.staff, "别人的消息")
    html = signed_in.get("/inbox/").content.decode()
    assert "未读的消息" in html and "已读的消息" in html and "别人的消息" not in html
    assert 'data-unread="1"' in html and html.count('data-unread="0"') == 1
    assert 'data-testid="unread-badge">1<' in html
    assert "/go/" in html  # the link to the booking


def test_opening_a_notice_marks_it_read(signed_in, world):
    notice = send(world.resident, "明天 19:00 开场", link="/bookings/5/")
    response = signed_in.get(f"/inbox/{notice.pk}/")
    assert response.status_code == 200
    assert "明天 19:00 开场" in response.content.decode()
    assert 'href="/bookings/5/"' in response.content.decode()
    assert Notice.objects.get(pk=notice.pk).read_at is not None
    assert 'data-testid="unread-badge"' not in response.content.decode()


def test_go_marks_read_and_redirects_to_the_booking(signed_in, world):
    notice = send(world.resident, "去预订", link="/bookings/5/")
    response = signed_in.get(f"/inbox/{notice.pk}/go/")
    assert response.status_code == 302 and response["Location"] == "/bookings/5/"
    assert Notice.objects.get(pk=notice.pk).read_at is not None


def test_another_users_notice_is_404_and_stays_unread(signed_in, world):
    theirs = send(world.staff, "员工的")
    assert signed_in.get(f"/inbox/{theirs.pk}/").status_code == 404
    assert signed_in.get(f"/inbox/{theirs.pk}/go/").status_code == 404
    assert Notice.objects.get(pk=theirs.pk).read_at is None


def test_mark_all_read_is_a_post_and_only_mine(signed_in, world):
    send(world.resident, "一")
    send(world.resident, "二")
    theirs = send(world.staff, "员工的")
    assert signed_in.get("/inbox/read-all/").status_code == 405
    response = signed_in.post("/inbox/read-all/", follow=True)
    assert response.status_code == 200
    assert "已将 2 条消息标为已读" in response.content.decode()
    assert not Notice.objects.filter(user=world.resident, read_at__isnull=True).exists()
    assert Notice.objects.get(pk=theirs.pk).read_at is None


def test_badge_costs_one_query_and_none_when_signed_out(client, world):
    send(world.resident, "一")
    with CaptureQueriesContext(connection) as anonymous:
        client.get("/venues/")
    client.force_login(world.resident)
    with CaptureQueriesContext(connection) as signed:
        html = client.get("/venues/").content.decode()
    assert 'data-testid="unread-badge">1<' in html
    badge = [q["sql"] for q in signed.captured_queries if "notices_notice" in q["sql"]]
    assert len(badge) == 1 and "COUNT" in badge[0].upper()
    assert not any("notices_notice" in q["sql"] for q in anonymous.captured_queries)


def test_empty_inbox_says_so(signed_in):
    html = signed_in.get("/inbox/").content.decode()
    assert 'data-testid="inbox-empty"' in html
