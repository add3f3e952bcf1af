"""The alert lifecycle (open → acknowledged → closed), escalation timing, who sees what,
and retention of readings."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import override_settings

from tiyu.core.errors import DomainError
from tiyu.core.models import AuditEntry
from tiyu.environment import jobs
from tiyu.environment.models import Alert, AlertStatus, CurrentReading, Reading
from tiyu.environment.selectors import alerts_open_for_venue, alerts_visible
from tiyu.environment.services import alert_acknowledge, alert_close
from tiyu.environment.tests.conftest import T0, reading, record
from tiyu.notices.models import Notice

pytestmark = pytest.mark.django_db
OPENED = T0 + timedelta(minutes=1)  # the `now` record() passes


@pytest.fixture
def hall_alert(world):
    """A CO2 alert at wuhou_hall (which has staff, a manager and a district official)."""
    record(reading(world.wuhou_hall, "co2", 1500))
    return Alert.objects.get()


def snapshot(alert):
    alert.refresh_from_db()
    return (alert.status, alert.acknowledged_at, alert.closed_at, alert.close_note)


def test_staff_acknowledge_then_close(world, hall_alert):
    alert = alert_acknowledge(
        actor=world.staff, alert_id=hall_alert.pk, now=OPENED + timedelta(minutes=3)
    )
    assert alert.status == AlertStatus.ACKNOWLEDGED and alert.acknowledged_by == world.staff
    alert = alert_close(actor=world.manager, alert_id=hall_alert.pk, note="  开启新风系统  ")
    assert alert.status == AlertStatus.CLOSED and alert.close_note == "开启新风系统"
    assert alert.closed_by == world.manager and alert.acknowledged_by == world.staff
    actions = set(
        AuditEntry.objects.filter(object_id=str(alert.pk)).values_list("action", flat=True)
    )
    assert {"environment.alert_acknowledged", "environment.alert_closed"} <= actions
    assert alerts_open_for_venue(world.wuhou_hall.pk) == []


def test_closing_an_open_alert_acknowledges_it_too(world, hall_alert):
    alert = alert_close(actor=world.staff, alert_id=hall_alert.pk, note="传感器误报")
    assert alert.acknowledged_at == alert.closed_at and alert.acknowledged_by == world.staff


@pytest.mark.parametrize(
    ("steps", "action", "code"),
    [
        (["ack"], "ack", "alert_not_open"),
        (["close"], "ack", "alert_not_open"),
        (["close"], "close", "alert_closed"),
        ([], "close_empty", "note_required"),
        ([], "close_long", "note_too_long"),
    ],
)
def test_wrong_transitions_change_nothing(world, hall_alert, steps, action, code):
    for step in steps:
        if step == "ack":
            alert_acknowledge(actor=world.staff, alert_id=hall_alert.pk)
        else:
            alert_close(actor=world.staff, alert_id=hall_alert.pk, note="已处理")
    before = snapshot(hall_alert)
    audits = AuditEntry.objects.count()
    with pytest.raises(DomainError) as caught:
        if action == "ack":
            alert_acknowledge(actor=world.manager, alert_id=hall_alert.pk)
        elif action == "close":
            alert_close(actor=world.manager, alert_id=hall_alert.pk, note="再次关闭")
        elif action == "close_empty":
            alert_close(actor=world.manager, alert_id=hall_alert.pk, note="   ")
        else:
            alert_close(actor=world.manager, alert_id=hall_alert.pk, note="长" * 501)
    assert caught.value.code == code
    assert snapshot(hall_alert) == before
    assert AuditEntry.objects.count() == audits


@pytest.mark.parametrize(
    "who", ["resident", "wuhou_official", "chengdu_official", "chongqing_official", "association"]
)
def test_before_escalation_only_the_venue_can_act(world, hall_alert, who):
    before = snapshot(hall_alert)
    for act in (
        lambda: alert_acknowledge(actor=getattr(world, who), alert_id=hall_alert.pk),
        lambda: alert_close(actor=getattr(world, who), alert_id=hall_alert.pk, note="x"),
    ):
        with pytest.raises(DomainError) as caught:
            act()
        assert caught.value.status == 404
    assert snapshot(hall_alert) == before


def test_after_escalation_officials_acknowledge_but_do_not_close(world, hall_alert):
    assert jobs.alerts_escalate(now=OPENED + timedelta(minutes=30)) == 1
    with pytest.raises(DomainError) as caught:
        alert_close(actor=world.wuhou_official, alert_id=hall_alert.pk, note="督促整改")
    assert (caught.value.status, caught.value.code) == (403, "alert_close_venue_only")
    assert snapshot(hall_alert)[0] == AlertStatus.OPEN
    with pytest.raises(DomainError):  # another city's official still cannot reach it
        alert_acknowledge(actor=world.chongqing_official, alert_id=hall_alert.pk)
    alert = alert_acknowledge(actor=world.wuhou_official, alert_id=hall_alert.pk)
    assert alert.acknowledged_by == world.wuhou_official
    assert (
        alert_close(actor=world.admin, alert_id=hall_alert.pk, note="平台核实").status == "closed"
    )


def test_escalation_timing(world, hall_alert):
    assert jobs.alerts_escalate(now=OPENED + timedelta(minutes=29, seconds=59)) == 0
    assert jobs.alerts_escalate(now=OPENED + timedelta(minutes=30)) == 1
    assert jobs.alerts_escalate(now=OPENED + timedelta(minutes=31)) == 0  # once
    hall_alert.refresh_from_db()
    assert hall_alert.escalated_at == OPENED + timedelta(minutes=30)
    assert AuditEntry.objects.filter(action="environment.alert_escalated").count() == 1
    notice = Notice.objects.get(kind="environment_alert", user=world.wuhou_official)
    assert "未确认" in notice.title
    # the district's officials are told, not the city's
    assert not Notice.objects.filter(user=world.chengdu_official).exists()


@override_settings(ALERT_ESCALATE_MINUTES=5)
def test_escalation_follows_the_setting(world, hall_alert):
    assert jobs.alerts_escalate(now=OPENED + timedelta(minutes=5)) == 1


def test_acknowledged_or_closed_alerts_are_not_escalated(world, hall_alert):
    alert_acknowledge(actor=world.staff, alert_id=hall_alert.pk)
    record(reading(world.wuhou_hall, "humidity", 95))
    humid = Alert.objects.get(metric="humidity")
    alert_close(actor=world.staff, alert_id=humid.pk, note="除湿")
    assert jobs.alerts_escalate(now=OPENED + timedelta(hours=5)) == 0
    assert not Alert.objects.filter(escalated_at__isnull=False).exists()


VISIBLE_BEFORE = {
    "resident": False,
    "staff": True,
    "manager": True,
    "wuhou_official": False,
    "chengdu_official": False,
    "sichuan_official": False,
    "chongqing_official": False,
    "national_official": False,
    "association": False,
    "admin": True,
}
IN_REGION = {
    "wuhou_official",
    "chengdu_official",
    "sichuan_official",
    "national_official",
    "association",
}


def test_who_sees_an_alert_before_and_after_escalation(world, hall_alert):
    for name, user in world.personas.items():
        assert alerts_visible(user).exists() is VISIBLE_BEFORE[name], name
    jobs.alerts_escalate(now=OPENED + timedelta(minutes=30))
    for name, user in world.personas.items():
        expected = VISIBLE_BEFORE[name] or name in IN_REGION
        assert alerts_visible(user).exists() is expected, name
    # closing keeps it in the district's history
    alert_close(actor=world.staff, alert_id=hall_alert.pk, note="已通风")
    assert list(alerts_visible(world.wuhou_official, status="closed")) == [hall_alert]
    assert not alerts_visible(world.wuhou_official, status="active").exists()


def test_staff_of_one_venue_do_not_see_another_venues_alerts(world, pool_team):
    record(reading(world.wuhou_hall, "co2", 1500), reading(world.jinjiang_pool, "ph", 8.4))
    assert [a.venue_id for a in alerts_visible(pool_team.staff)] == [world.jinjiang_pool.pk]
    assert [a.venue_id for a in alerts_visible(world.staff)] == [world.wuhou_hall.pk]
    assert alerts_visible(world.admin, venue_id=world.jinjiang_pool.pk).count() == 1
    with pytest.raises(DomainError) as caught:
        alerts_visible(world.admin, status="dismissed")
    assert caught.value.code == "bad_status"


def test_readings_older_than_the_retention_are_pruned(world):
    hall = world.wuhou_hall
    record(reading(hall, "co2", 600, at=T0 - timedelta(days=401)), reading(hall, "co2", 650))
    assert jobs.readings_prune(now=T0) == 1
    assert list(Reading.objects.values_list("value", flat=True)) == [650]
    assert CurrentReading.objects.count() == 1
    with override_settings(ENV_READING_RETENTION_DAYS=0):
        assert jobs.readings_prune(now=T0 + timedelta(seconds=1)) == 1
