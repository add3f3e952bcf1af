"""notify, dedupe, after-commit delivery, mark read; permissions of the inbox writes."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, transaction
from django.test import override_settings
from django.utils import translation

from tiyu.core.errors import NotFound
from tiyu.notices import services
from tiyu.notices.models import Delivery, Notice
from tiyu.notices.selectors import inbox_for, unread_count
from tiyu.notices.services import (
    notice_mark_read,
    notices_mark_all_read,
    notify,
    recipient_language,
    render_message,
)

pytestmark = pytest.mark.django_db


def send(user, **over):
    data = {"user": user, "kind": "booking_confirmed", "title": "预订成功", "body": "请准时入场"}
    data.update(over)
    return notify(**data)


def test_notify_writes_the_inbox_row(world):
    notice = send(world.resident, link="/bookings/7/")
    assert notice is not None
    row = Notice.objects.get(pk=notice.pk)
    assert (row.user, row.kind, row.title, row.link, row.read_at) == (
        world.resident,
        "booking_confirmed",
        "预订成功",
        "/bookings/7/",
        None,
    )
    assert unread_count(world.resident) == 1


def test_a_repeat_with_the_same_dedupe_key_does_nothing(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        first = send(world.resident, dedupe_key="reminder:41")
        second = send(world.resident, dedupe_key="reminder:41", title="另一条")
    assert first is not None and second is None
    assert Notice.objects.filter(dedupe_key="reminder:41").count() == 1
    assert len(callbacks) == 1  # one delivery scheduled, not two
    assert Delivery.objects.filter(notice=first).count() == 1


def test_losing_the_dedupe_race_returns_none_and_keeps_the_callers_transaction(world, monkeypatch):
    """Two jobs pass the existence check together: the unique constraint decides."""
    send(world.resident, dedupe_key="reminder:42")
    real_filter = Notice.objects.filter

    class Blind:
        def exists(self):
            return False  # as if the other writer had not committed yet

    monkeypatch.setattr(
        Notice.objects, "filter", lambda **kw: Blind() if "dedupe_key" in kw else real_filter(**kw)
    )
    with transaction.atomic():
        assert send(world.resident, dedupe_key="reminder:42") is None
        # The savepoint rolled back alone: the caller's transaction still works.
        other = send(world.resident, title="仍然可以写入")
    monkeypatch.undo()
    assert Notice.objects.filter(dedupe_key="reminder:42").count() == 1
    assert Notice.objects.filter(pk=other.pk).exists()


def test_other_integrity_errors_are_not_swallowed(world, monkeypatch):
    def boom(**kwargs):
        raise IntegrityError("something else")

    monkeypatch.setattr(Notice.objects, "create", boom)
    with pytest.raises(IntegrityError):
        send(world.resident)


def test_delivery_runs_only_after_commit(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        notice = send(world.resident)
    assert not Delivery.objects.filter(notice=notice).exists()  # nothing before the commit
    assert len(callbacks) == 1
    callbacks[0]()
    delivery = Delivery.objects.get(notice=notice)
    assert (delivery.channel, delivery.status) == ("console", "sent")


def test_a_rolled_back_action_sends_nothing(world, django_capture_on_commit_callbacks):
    class Refused(Exception):
        pass

    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(Refused),
        transaction.atomic(),
    ):
        send(world.resident, title="不会出现")
        raise Refused
    assert callbacks == []
    assert not Notice.objects.filter(title="不会出现").exists()
    assert not Delivery.objects.exists()


@override_settings(NOTICE_CHANNELS=["tiyu.notices.tests.test_services.BrokenChannel"])
def test_a_failing_channel_records_failed_and_keeps_the_inbox(
    world, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        notice = send(world.resident)
    assert Notice.objects.filter(pk=notice.pk, read_at__isnull=True).exists()
    delivery = Delivery.objects.get(notice=notice)
    assert (delivery.channel, delivery.status) == ("broken", "failed")
    assert "provider down" in delivery.detail


class BrokenChannel:
    name = "broken"

    def send(self, notice, user):
        raise RuntimeError("provider down")


def test_a_broken_queue_does_not_break_the_caller(world, monkeypatch):
    def queue_down(notice_id):
        raise ConnectionError("redis unreachable")

    monkeypatch.setattr(services, "_schedule_delivery", queue_down)
    with transaction.atomic():
        notice = send(world.resident)
    # on_commit(robust=True) logged the error; the notice stands.
    assert Notice.objects.filter(pk=notice.pk).exists()


def test_long_titles_are_shortened_to_fit(world):
    notice = send(world.resident, title="长" * 150)
    assert len(Notice.objects.get(pk=notice.pk).title) == 100


@pytest.mark.parametrize(
    "over",
    [
        {"link": "https://evil.example/"},
        {"link": "//evil.example/"},
        {"kind": ""},
        {"kind": "k" * 33},
        {"dedupe_key": "d" * 81},
        {"dedupe_key": ""},
    ],
)
def test_caller_mistakes_fail_loudly_and_write_nothing(world, over):
    with pytest.raises(ValueError):
        send(world.resident, **over)
    assert not Notice.objects.exists()


def test_mark_read_marks_only_the_owners_notice(world):
    mine = send(world.resident)
    notice_mark_read(user=world.resident, notice_id=mine.pk)
    mine.refresh_from_db()
    first_read = mine.read_at
    assert first_read is not None
    notice_mark_read(user=world.resident, notice_id=mine.pk)  # idempotent
    mine.refresh_from_db()
    assert mine.read_at == first_read


def test_another_users_notice_is_not_found_and_unchanged(world):
    theirs = send(world.staff)
    with pytest.raises(NotFound) as err:
        notice_mark_read(user=world.resident, notice_id=theirs.pk)
    assert err.value.status == 404 and err.value.code == "notice_not_found"
    theirs.refresh_from_db()
    assert theirs.read_at is None
    with pytest.raises(NotFound):
        notice_mark_read(user=world.resident, notice_id=theirs.pk + 1000)


def test_mark_all_read_touches_only_the_owners_notices(world):
    send(world.resident)
    send(world.resident)
    theirs = send(world.staff)
    assert notices_mark_all_read(user=world.resident) == 2
    assert unread_count(world.resident) == 0
    assert notices_mark_all_read(user=world.resident) == 0
    theirs.refresh_from_db()
    assert theirs.read_at is None and unread_count(world.staff) == 1


def test_inbox_is_newest_first_and_filters_unread(world):
    old = send(world.resident, title="旧")
    new = send(world.resident, title="新")
    send(world.staff, title="别人的")
    notice_mark_read(user=world.resident, notice_id=old.pk)
    assert [n.title for n in inbox_for(world.resident)] == ["新", "旧"]
    assert list(inbox_for(world.resident, unread_only=True)) == [new]


def test_messages_render_in_the_recipients_language_not_the_callers(world):
    """The caller may be on an English page; the resident reads Chinese (zh-hans)."""
    from django.utils.translation import gettext_lazy as _

    assert recipient_language(world.resident) == "zh-hans"
    with translation.override("en"):
        title, body = render_message(world.resident, _("预订成功"), "%(n)s 条", n=3)
        assert translation.get_language() == "en"
    assert title == "预订成功"
    assert body == "3 条"
