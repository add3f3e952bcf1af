"""The environment API through HTTP: shapes with units, refusals, and the role matrix of
every endpoint (who gets 200, who 404)."""

from __future__ import annotations

import itertools
import json
from datetime import timedelta

import pytest

from tiyu.environment import jobs
from tiyu.environment.models import Alert, AlertStatus, Threshold
from tiyu.environment.selectors import reading_series
from tiyu.environment.tests.conftest import T0, reading, record

pytestmark = pytest.mark.django_db
BASE = "/api/v1/environment"
OPENED = T0 + timedelta(minutes=1)

# Who reaches wuhou_hall's readings and thresholds (武侯区, 成都, 四川).
SEES_HALL = {
    "resident": 404,
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


def get(api_client, user, url):
    return api_client.get(url, headers=api_client.token(user) if user else {})


def send(api_client, user, method, url, body=None, **headers):
    return getattr(api_client, method)(
        url,
        data=json.dumps(body or {}),
        content_type="application/json",
        headers={**api_client.token(user), **headers},
    )


@pytest.fixture
def hall(world):
    record(
        reading(world.wuhou_hall, "co2", 1500, minutes=-10),
        reading(world.wuhou_hall, "temperature", 22.5, minutes=-10),
    )
    return world.wuhou_hall


def test_anonymous_calls_get_401(api_client, world):
    for url in (f"{BASE}/venues/{world.wuhou_hall.pk}/readings", f"{BASE}/alerts"):
        assert api_client.get(url).status_code == 401
    response = api_client.post(f"{BASE}/alerts/1/acknowledge")
    assert response.status_code == 401 and response.json()["code"] == "unauthenticated"


@pytest.mark.parametrize("who", SEES_HALL)
def test_readings_role_matrix(api_client, world, hall, who):
    response = get(api_client, getattr(world, who), f"{BASE}/venues/{hall.pk}/readings")
    assert response.status_code == SEES_HALL[who], response.content
    if response.status_code == 200:
        temp, co2 = response.json()  # in metric order: air temperature before CO2
        assert (temp["metric"], temp["unit"], temp["in_range"]) == ("temperature", "°C", True)
        assert (co2["metric"], co2["unit"], co2["value"], co2["high"], co2["in_range"]) == (
            "co2",
            "ppm",
            1500.0,
            1000.0,
            False,
        )


@pytest.mark.parametrize("who", SEES_HALL)
def test_series_role_matrix(api_client, world, hall, who):
    span = f"from={(T0 - timedelta(hours=1)).isoformat()}&to={T0.isoformat()}"
    url = f"{BASE}/venues/{hall.pk}/series?metric=co2&{span}"
    response = get(api_client, getattr(world, who), url.replace("+", "%2B"))
    assert response.status_code == SEES_HALL[who], response.content
    if response.status_code == 200:
        body = response.json()
        assert body["unit"] == "ppm" and [p["value"] for p in body["points"]] == [1500.0]


@pytest.mark.parametrize("who", SEES_HALL)
def test_thresholds_read_role_matrix(api_client, world, hall, who):
    response = get(api_client, getattr(world, who), f"{BASE}/venues/{hall.pk}/thresholds")
    assert response.status_code == SEES_HALL[who]
    if response.status_code == 200:
        co2 = next(t for t in response.json() if t["metric"] == "co2")
        assert (co2["high"], co2["unit"], co2["source"], co2["standard"]) == (
            1000.0,
            "ppm",
            "default",
            "GB/T 18883-2022",
        )


MANAGES_HALL = {name: 200 if name in {"manager", "admin"} else 404 for name in SEES_HALL}


@pytest.mark.parametrize("who", MANAGES_HALL)
def test_thresholds_write_role_matrix(api_client, world, hall, who):
    body = {
        "thresholds": [
            {"metric": "co2", "high": 1200},
            {"metric": "humidity", "low": 35, "high": 70},
        ]
    }
    response = send(
        api_client, getattr(world, who), "put", f"{BASE}/venues/{hall.pk}/thresholds", body
    )
    assert response.status_code == MANAGES_HALL[who], response.content
    if response.status_code == 200:
        co2 = next(t for t in response.json() if t["metric"] == "co2")
        assert (co2["low"], co2["high"], co2["source"], co2["default_high"]) == (
            None,
            1200.0,
            "venue",
            1000.0,
        )
        assert Threshold.objects.count() == 2
    else:
        assert not Threshold.objects.exists()


def test_thresholds_update_is_all_or_nothing(api_client, world, hall):
    body = {
        "thresholds": [
            {"metric": "co2", "high": 1200},
            {"metric": "humidity", "low": 70, "high": 35},
        ]
    }
    response = send(api_client, world.manager, "put", f"{BASE}/venues/{hall.pk}/thresholds", body)
    assert response.status_code == 400 and response.json()["code"] == "threshold_reversed"
    assert not Threshold.objects.exists()
    body = {"thresholds": [{"metric": "co2", "high": 1200}, {"metric": "co2", "reset": True}]}
    response = send(api_client, world.manager, "put", f"{BASE}/venues/{hall.pk}/thresholds", body)
    assert response.json()["code"] == "threshold_duplicate" and not Threshold.objects.exists()
    send(
        api_client,
        world.manager,
        "put",
        f"{BASE}/venues/{hall.pk}/thresholds",
        {"thresholds": [{"metric": "co2", "high": 1200}]},
    )
    response = send(
        api_client,
        world.manager,
        "put",
        f"{BASE}/venues/{hall.pk}/thresholds",
        {"thresholds": [{"metric": "co2", "reset": True}]},
    )
    assert next(t for t in response.json() if t["metric"] == "co2")["source"] == "default"


# Alerts: before escalation only the venue (and admins) see it; after, the region too.
ALERT_BEFORE = {n: 200 if n in {"staff", "manager", "admin"} else 404 for n in SEES_HALL}
ALERT_AFTER = {n: 200 if SEES_HALL[n] == 200 else 404 for n in SEES_HALL}


@pytest.mark.parametrize("escalated", [False, True])
@pytest.mark.parametrize("who", SEES_HALL)
def test_alerts_list_role_matrix(api_client, world, hall, who, escalated):
    if escalated:
        jobs.alerts_escalate(now=OPENED + timedelta(hours=1))
    response = get(api_client, getattr(world, who), f"{BASE}/alerts?status=open")
    assert response.status_code == 200
    expected = (ALERT_AFTER if escalated else ALERT_BEFORE)[who] == 200
    body = response.json()
    assert bool(body) is expected
    if body:
        [alert] = body
        assert (alert["metric"], alert["unit"], alert["status"], alert["last_value"]) == (
            "co2",
            "ppm",
            "open",
            1500.0,
        )
        assert (
            alert["venue_name"] == "武侯羽毛球馆"
            and (alert["escalated_at"] is not None) is escalated
        )


def test_alerts_list_refuses_an_unknown_status(api_client, world, hall):
    response = get(api_client, world.staff, f"{BASE}/alerts?status=dismissed")
    assert response.status_code == 400 and response.json()["code"] == "bad_status"


@pytest.mark.parametrize("escalated", [False, True])
@pytest.mark.parametrize("who", SEES_HALL)
def test_acknowledge_role_matrix(api_client, world, hall, who, escalated):
    if escalated:
        jobs.alerts_escalate(now=OPENED + timedelta(hours=1))
    alert = Alert.objects.get()
    response = send(
        api_client, getattr(world, who), "post", f"{BASE}/alerts/{alert.pk}/acknowledge"
    )
    expected = (ALERT_AFTER if escalated else ALERT_BEFORE)[who]
    assert response.status_code == expected, response.content
    alert.refresh_from_db()
    assert (alert.status == AlertStatus.ACKNOWLEDGED) is (expected == 200)
    if expected == 200:
        assert response.json()["status"] == "acknowledged"
        again = send(
            api_client, getattr(world, who), "post", f"{BASE}/alerts/{alert.pk}/acknowledge"
        )
        assert again.status_code == 409 and again.json()["code"] == "alert_not_open"


CLOSE_AFTER = {
    n: {"staff": 200, "manager": 200, "admin": 200}.get(n, 403 if ALERT_AFTER[n] == 200 else 404)
    for n in SEES_HALL
}


@pytest.mark.parametrize("who", SEES_HALL)
def test_close_role_matrix(api_client, world, hall, who):
    jobs.alerts_escalate(now=OPENED + timedelta(hours=1))
    alert = Alert.objects.get()
    response = send(
        api_client,
        getattr(world, who),
        "post",
        f"{BASE}/alerts/{alert.pk}/close",
        {"note": "开窗通风"},
    )
    assert response.status_code == CLOSE_AFTER[who], response.content
    alert.refresh_from_db()
    assert (alert.status == AlertStatus.CLOSED) is (CLOSE_AFTER[who] == 200)


def test_close_needs_a_note_and_replays_with_the_same_key(api_client, world, hall):
    alert = Alert.objects.get()
    url = f"{BASE}/alerts/{alert.pk}/close"
    response = send(api_client, world.staff, "post", url, {"note": ""})
    assert response.status_code == 400 and response.json()["code"] == "note_required"
    assert response.json()["fields"]["note"]
    first = send(
        api_client, world.staff, "post", url, {"note": "开窗"}, **{"Idempotency-Key": "k1"}
    )
    again = send(
        api_client, world.staff, "post", url, {"note": "开窗"}, **{"Idempotency-Key": "k1"}
    )
    assert first.status_code == again.status_code == 200 and first.json() == again.json()
    assert send(api_client, world.staff, "post", url, {"note": "开窗"}).status_code == 409


def test_bad_input_is_a_4xx_not_a_500(api_client, world, hall):
    url = f"{BASE}/venues/{hall.pk}/series"
    assert get(api_client, world.staff, f"{url}?metric=noise").status_code == 422
    reversed_ = get(
        api_client, world.staff, f"{url}?metric=co2&from=2026-12-02T10:00:00&to=2026-12-02T09:00:00"
    )
    assert reversed_.status_code == 400 and reversed_.json()["code"] == "range_reversed"
    too_long = get(
        api_client, world.staff, f"{url}?metric=co2&from=2024-01-01T00:00:00&to=2026-01-01T00:00:00"
    )
    assert too_long.json()["code"] == "range_too_long"
    assert get(api_client, world.staff, f"{BASE}/venues/999999/readings").status_code == 404
    response = send(
        api_client,
        world.manager,
        "put",
        f"{BASE}/venues/{hall.pk}/thresholds",
        {"thresholds": [{"metric": "ph", "low": 99}]},
    )
    assert response.status_code == 400 and response.json()["code"] == "value_absurd"


def test_series_is_downsampled_to_bucket_averages(world):
    hall = world.wuhou_hall
    start = T0
    # 1000 readings one minute apart: 400 ppm then 800 ppm
    record(
        *[reading(hall, "co2", 400 if i < 500 else 800, at=start, minutes=i) for i in range(1000)]
    )
    points = reading_series(hall.pk, "co2", start=start, end=start + timedelta(minutes=1000))
    assert 250 <= len(points) <= 300
    assert points[0] == (start, 400.0) and points[-1][1] == 800.0
    assert all(a[0] < b[0] for a, b in itertools.pairwise(points))
    mixed = [v for _t, v in points if 400 < v < 800]
    assert len(mixed) <= 1  # only the bucket holding the switch averages both
    few = reading_series(hall.pk, "co2", start=start, end=start + timedelta(minutes=10))
    assert len(few) == 10 and few[3] == (start + timedelta(minutes=3), 400.0)
    record(reading(hall, "co2", 1000, at=start, minutes=3.5, device=2))
    both = reading_series(hall.pk, "co2", start=start, end=start + timedelta(minutes=10))
    one = reading_series(
        hall.pk, "co2", start=start, end=start + timedelta(minutes=10), device_id=2
    )
    assert len(both) == 11 and one == [(start + timedelta(minutes=3.5), 1000.0)]
