"""readings_record: once per device message, newest value per sensor, alerts by threshold."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tiyu.core.errors import DomainError
from tiyu.core.models import AuditEntry
from tiyu.environment.models import Alert, AlertStatus, CurrentReading, Reading, Threshold
from tiyu.environment.readings import ReadingIn
from tiyu.environment.selectors import latest_readings, thresholds_for
from tiyu.environment.services import effective_limits, threshold_reset, threshold_set
from tiyu.environment.standards import DEFAULTS, GB_37488, GB_T_18883
from tiyu.environment.tests.conftest import T0, reading, record
from tiyu.notices.models import Notice

pytestmark = pytest.mark.django_db


def test_a_resent_message_is_stored_once(world):
    pool = world.jinjiang_pool
    first = reading(pool, "ph", 7.4, message_id="a")
    again = reading(pool, "ph", 7.5, message_id="a")  # same device + id: the same message
    result = record(first, again, reading(pool, "ph", 7.3, message_id="b"))
    assert (result.inserted, result.duplicates, result.alerts_opened) == (2, 1, 0)
    result = record(first, reading(pool, "ph", 7.3, message_id="b"))
    assert (result.inserted, result.duplicates) == (0, 2)
    assert Reading.objects.count() == 2
    # the same message id from another device is another message
    assert record(reading(pool, "ph", 7.4, message_id="a", device=2)).inserted == 1


def test_resending_an_out_of_range_message_counts_it_once(world):
    pool = world.jinjiang_pool
    bad = reading(pool, "ph", 8.4, message_id="bad")
    assert record(bad).alerts_opened == 1
    assert record(bad).alerts_opened == 0
    assert Alert.objects.get().readings_out == 1


def test_an_unknown_venue_refuses_the_batch_and_stores_nothing(world):
    pool = world.jinjiang_pool
    ghost = ReadingIn(999999, 1, "g", T0, "ph", 7.4)
    with pytest.raises(DomainError) as caught:
        record(reading(pool, "ph", 7.4), ghost)
    assert caught.value.code == "venue_unknown"
    assert not Reading.objects.exists() and not CurrentReading.objects.exists()


def test_the_newest_reading_wins_whatever_the_arrival_order(world):
    pool = world.jinjiang_pool
    record(reading(pool, "ph", 7.5, minutes=10))
    record(reading(pool, "ph", 7.2, minutes=5))  # a buffered, older value arrives late
    [latest] = latest_readings(pool.pk)
    assert latest.value == 7.5 and latest.measured_at == T0 + timedelta(minutes=10)
    record(reading(pool, "ph", 7.6, minutes=11), reading(pool, "ph", 7.1, minutes=12))
    [latest] = latest_readings(pool.pk)
    assert latest.value == 7.1 and latest.in_range and (latest.low, latest.high) == (7.0, 7.8)


def test_latest_readings_per_device_and_metric_with_units(world):
    hall = world.wuhou_hall
    record(
        reading(hall, "co2", 1200, device=1),
        reading(hall, "co2", 600, device=2),
        reading(hall, "temperature", 21.5, device=1),
    )
    rows = [(r.device_id, r.metric, r.unit, r.in_range) for r in latest_readings(hall.pk)]
    assert rows == [
        (1, "temperature", "°C", True),
        (1, "co2", "ppm", False),
        (2, "co2", "ppm", True),
    ]


# --- thresholds ---------------------------------------------------------------------


def test_defaults_per_venue_kind(world):
    limits = effective_limits([world.jinjiang_pool, world.wuhou_hall, world.zigong_park])
    pool, hall, park = (
        limits[v.pk] for v in (world.jinjiang_pool, world.wuhou_hall, world.zigong_park)
    )
    assert (pool["ph"].low, pool["ph"].high, pool["ph"].standard) == (7.0, 7.8, GB_37488)
    assert (pool["chlorine"].low, pool["chlorine"].high) == (0.3, 1.0)
    assert (pool["turbidity"].low, pool["turbidity"].high) == (None, 0.5)
    assert (pool["water_temperature"].low, pool["water_temperature"].high) == (23.0, 30.0)
    assert (pool["co2"].high, pool["co2"].standard) == (1000.0, GB_T_18883)
    assert set(hall) == {"co2", "temperature", "humidity"}  # a gymnasium has no pool water
    assert (hall["temperature"].low, hall["temperature"].high) == (16.0, 28.0)
    assert (hall["humidity"].low, hall["humidity"].high) == (30.0, 80.0)
    assert park == {}  # outdoor: nothing by default
    assert "stadium" not in DEFAULTS


@pytest.mark.parametrize(
    ("venue", "metric", "value", "opens"),
    [
        ("jinjiang_pool", "ph", 8.4, True),
        ("jinjiang_pool", "ph", 7.8, False),  # the bound itself is allowed
        ("jinjiang_pool", "ph", 6.9, True),
        ("jinjiang_pool", "chlorine", 0.2, True),
        ("jinjiang_pool", "turbidity", 0.6, True),
        ("jinjiang_pool", "turbidity", 0.0, False),
        ("jinjiang_pool", "water_temperature", 31, True),
        ("jinjiang_pool", "co2", 1001, True),
        ("wuhou_hall", "co2", 1001, True),
        ("wuhou_hall", "temperature", 29, True),
        ("wuhou_hall", "humidity", 25, True),
        ("wuhou_hall", "ph", 8.4, False),  # no pool at a gymnasium
        ("zigong_park", "temperature", 40, False),
        ("zigong_park", "co2", 5000, False),
    ],
)
def test_thresholds_decide_what_opens_an_alert(world, venue, metric, value, opens):
    result = record(reading(getattr(world, venue), metric, value))
    assert result.alerts_opened == int(opens)
    assert Alert.objects.count() == int(opens)


def test_a_manager_overrides_and_resets_a_threshold(world, pool_team):
    pool = world.jinjiang_pool
    threshold_set(actor=pool_team.manager, venue_id=pool.pk, metric="ph", low=7.2, high=8.5)
    assert record(reading(pool, "ph", 8.4)).alerts_opened == 0
    assert record(reading(pool, "ph", 7.1)).alerts_opened == 1
    row = next(t for t in thresholds_for(pool) if t.metric == "ph")
    assert (row.low, row.high, row.source, row.default_low, row.default_high) == (
        7.2,
        8.5,
        "venue",
        7.0,
        7.8,
    )
    # an outdoor park gets a limit only when its manager sets one; open-ended sides
    threshold_set(
        actor=world.admin, venue_id=world.zigong_park.pk, metric="temperature", low=None, high=35
    )
    assert record(reading(world.zigong_park, "temperature", 36)).alerts_opened == 1
    # both sides empty: the default is switched off
    threshold_set(actor=pool_team.manager, venue_id=pool.pk, metric="chlorine", low=None, high=None)
    assert record(reading(pool, "chlorine", 5.0)).alerts_opened == 0
    assert threshold_reset(actor=pool_team.manager, venue_id=pool.pk, metric="chlorine") is True
    assert record(reading(pool, "chlorine", 5.0, device=2)).alerts_opened == 1
    assert threshold_reset(actor=pool_team.manager, venue_id=pool.pk, metric="chlorine") is False
    actions = list(
        AuditEntry.objects.filter(action__startswith="environment.threshold").values_list(
            "action", flat=True
        )
    )
    assert (
        actions.count("environment.threshold_set") == 3 and "environment.threshold_reset" in actions
    )


@pytest.mark.parametrize(
    ("low", "high", "code"),
    [
        (8.0, 7.0, "threshold_reversed"),
        (7.0, 7.0, "threshold_reversed"),
        (-1, 7, "value_absurd"),
        (7, 15, "value_absurd"),
    ],
)
def test_bad_thresholds_are_refused_and_change_nothing(world, pool_team, low, high, code):
    pool = world.jinjiang_pool
    threshold_set(actor=pool_team.manager, venue_id=pool.pk, metric="ph", low=7.1, high=7.9)
    with pytest.raises(DomainError) as caught:
        threshold_set(actor=pool_team.manager, venue_id=pool.pk, metric="ph", low=low, high=high)
    assert caught.value.code == code
    assert Threshold.objects.get().low == 7.1 and Threshold.objects.get().high == 7.9


@pytest.mark.parametrize("who", ["staff", "wuhou_official", "chengdu_official", "resident"])
def test_only_managers_set_thresholds(world, pool_team, who):
    actor = pool_team.staff if who == "staff" else getattr(world, who)
    with pytest.raises(DomainError) as caught:
        threshold_set(actor=actor, venue_id=world.jinjiang_pool.pk, metric="ph", low=7, high=8)
    assert caught.value.status == 404
    assert not Threshold.objects.exists()


def test_unknown_metric_threshold_is_refused(world):
    with pytest.raises(DomainError) as caught:
        threshold_set(
            actor=world.admin, venue_id=world.jinjiang_pool.pk, metric="noise", low=1, high=2
        )
    assert caught.value.code == "bad_metric" and not Threshold.objects.exists()


# --- one alert per sensor -----------------------------------------------------------


def test_one_alert_per_venue_device_metric_across_batches(world):
    pool = world.jinjiang_pool
    assert record(reading(pool, "ph", 8.0), reading(pool, "ph", 8.6, minutes=1)).alerts_opened == 1
    assert record(reading(pool, "ph", 8.2, minutes=2)).alerts_opened == 0
    assert record(reading(pool, "ph", 6.5, minutes=3)).alerts_opened == 0
    alert = Alert.objects.get()
    assert (alert.first_value, alert.last_value, alert.readings_out) == (8.0, 6.5, 4)
    assert alert.peak_value == 8.6  # 0.8 above 7.8 lies farther out than 6.5 (0.5 below 7.0)
    assert alert.status == AlertStatus.OPEN


def test_peak_is_the_value_farthest_outside(world):
    pool = world.jinjiang_pool
    record(
        reading(pool, "ph", 8.6),
        reading(pool, "ph", 6.5, minutes=1),
        reading(pool, "ph", 8.0, minutes=2),
    )
    alert = Alert.objects.get()
    assert alert.peak_value == 8.6 and alert.last_value == 8.0 and alert.readings_out == 3


def test_other_devices_and_metrics_get_their_own_alerts(world):
    pool = world.jinjiang_pool
    result = record(
        reading(pool, "ph", 8.4, device=1),
        reading(pool, "ph", 8.4, device=2),
        reading(pool, "chlorine", 2.0, device=1),
    )
    assert result.alerts_opened == 3


def test_the_database_refuses_a_second_active_alert(world):
    from django.db import IntegrityError, transaction

    pool = world.jinjiang_pool
    record(reading(pool, "ph", 8.4))
    alert = Alert.objects.get()
    alert.pk = None
    with pytest.raises(IntegrityError), transaction.atomic():
        alert.save()
    assert Alert.objects.count() == 1


def test_back_in_range_is_recorded_not_closed(world):
    pool = world.jinjiang_pool
    record(reading(pool, "ph", 8.4))
    record(reading(pool, "ph", 7.4, minutes=5), reading(pool, "ph", 7.5, minutes=6))
    alert = Alert.objects.get()
    assert alert.status == AlertStatus.OPEN
    assert alert.back_in_range_at == T0 + timedelta(minutes=5)
    record(reading(pool, "ph", 8.1, minutes=7))  # out again: not back any more
    alert.refresh_from_db()
    assert alert.back_in_range_at is None and alert.last_value == 8.1
    # a late reading older than the last bad one says nothing about now
    record(reading(pool, "ph", 7.4, minutes=6.5))
    alert.refresh_from_db()
    assert alert.back_in_range_at is None


def test_a_late_bad_reading_opens_an_alert_already_back_in_range(world):
    pool = world.jinjiang_pool
    record(reading(pool, "ph", 7.4, minutes=30))
    record(reading(pool, "ph", 8.4, minutes=0))  # buffered by the device, arrives later
    alert = Alert.objects.get()
    assert alert.back_in_range_at == T0 + timedelta(minutes=30)


def test_after_closing_a_new_bad_reading_opens_a_new_alert(world, pool_team):
    from tiyu.environment.services import alert_close

    pool = world.jinjiang_pool
    record(reading(pool, "ph", 8.4))
    alert_close(actor=pool_team.staff, alert_id=Alert.objects.get().pk, note="加酸调节")
    assert record(reading(pool, "ph", 8.3, minutes=20)).alerts_opened == 1
    assert Alert.objects.filter(status=AlertStatus.OPEN).count() == 1
    assert Alert.objects.count() == 2


def test_opening_an_alert_is_audited_and_tells_the_managers(world, pool_team):
    pool = world.jinjiang_pool
    record(reading(pool, "ph", 8.4))
    alert = Alert.objects.get()
    entry = AuditEntry.objects.get(action="environment.alert_opened")
    assert entry.object_id == str(alert.pk) and entry.data["value"] == 8.4
    notice = Notice.objects.get()
    assert notice.user == pool_team.manager  # managers, not every staff member
    assert "锦江游泳馆" in notice.title and "8.40 pH" in notice.body
    assert notice.link == f"/manage/venues/{pool.pk}/environment/"
