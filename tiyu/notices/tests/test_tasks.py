"""The delivery job: one Delivery row per channel, safe to run twice, bad config recorded."""

from __future__ import annotations

import pytest
from django.test import override_settings

from tiyu.notices.channels import DeliveryResult
from tiyu.notices.models import Delivery
from tiyu.notices.services import notify
from tiyu.notices.tasks import deliver, deliver_notice

pytestmark = pytest.mark.django_db


class Flaky:
    """Fails the first time, succeeds after."""

    name = "flaky"
    calls = 0

    def send(self, notice, user):
        Flaky.calls += 1
        return DeliveryResult("failed" if Flaky.calls == 1 else "sent", f"try {Flaky.calls}")


class Counting:
    name = "counting"
    calls = 0

    def send(self, notice, user):
        Counting.calls += 1
        return DeliveryResult("sent", "ok")


@pytest.fixture
def notice(world):
    return notify(user=world.resident, kind="system", title="测试", body="")


def test_running_twice_sends_once_per_channel_and_retries_failures(notice):
    Flaky.calls = Counting.calls = 0
    channels = [Counting(), Flaky()]
    assert deliver(notice.pk, channels) == {"counting": "sent", "flaky": "failed"}
    assert deliver(notice.pk, channels) == {"flaky": "sent"}
    assert Counting.calls == 1
    rows = list(Delivery.objects.filter(notice=notice).values_list("channel", "status"))
    assert sorted(rows) == [("counting", "sent"), ("flaky", "failed"), ("flaky", "sent")]


@override_settings(
    NOTICE_CHANNELS=["tiyu.notices.channels.ConsoleChannel", "tiyu.notices.nowhere.SmsThing"]
)
def test_a_channel_that_cannot_load_is_a_failed_row_and_the_others_still_run(notice):
    outcome = deliver_notice.call_local(notice.pk)
    assert outcome == {"console": "sent", "smsthing": "failed"}
    failed = Delivery.objects.get(notice=notice, status="failed")
    assert "cannot load" in failed.detail


@override_settings(
    NOTICE_CHANNELS=["tiyu.notices.channels.SmsChannel", "tiyu.notices.channels.ConsoleChannel"]
)
def test_unconfigured_sms_is_skipped_for_users_without_phone(notice):
    assert deliver(notice.pk) == {"sms": "skipped", "console": "sent"}


def test_a_deleted_notice_is_nothing_to_do(notice):
    pk = notice.pk
    notice.delete()
    assert deliver(pk) == {}
