"""The back-office environment pages through Django's client: who reaches them, the
tiles and alerts they show, and their forms (acknowledge, close, thresholds)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from tiyu.environment import jobs
from tiyu.environment.models import Alert, AlertStatus, Threshold
from tiyu.environment.tests.conftest import reading, record

pytestmark = pytest.mark.django_db

SEES_HALL = {
    "resident": 403,  # no data scope at all: the back office's no-access page
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


@pytest.fixture
def hall(world):
    now = timezone.now()
    record(
        reading(world.wuhou_hall, "co2", 1500, at=now - timedelta(minutes=20)),
        reading(world.wuhou_hall, "co2", 900, at=now - timedelta(minutes=50), device=2),
        reading(world.wuhou_hall, "temperature", 22.5, at=now - timedelta(minutes=20)),
        now=now - timedelta(minutes=19),
    )
    return world.wuhou_hall


def as_(client, user):
    client.force_login(user)
    return client


@pytest.mark.parametrize("who", SEES_HALL)
def test_venue_page_role_matrix(client, world, hall, who):
    response = as_(client, getattr(world, who)).get(f"/manage/venues/{hall.pk}/environment/")
    assert response.status_code == SEES_HALL[who]
    if response.status_code != 200:
        return
    page = response.content.decode()
    assert page.count('data-testid="tile"') == 3
    assert 'data-metric="co2" data-device="1" data-in-range="0"' in page
    assert 'id="env-charts"' in page and "echarts.min.js" in page
    # the alert shows to the venue's people only until it is escalated
    assert ('data-testid="alert"' in page) is (who in {"staff", "manager", "admin"})
    assert ('data-testid="thresholds-form"' in page) is (who in {"manager", "admin"})


def test_page_needs_sign_in(client, world):
    response = client.get(f"/manage/venues/{world.wuhou_hall.pk}/environment/")
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_staff_acknowledge_and_close_from_the_page(client, world, hall):
    alert = Alert.objects.get()
    as_(client, world.staff)
    url = f"/manage/venues/{hall.pk}/environment/"
    response = client.post(f"/manage/alerts/{alert.pk}/acknowledge/", {"next": url})
    assert response.status_code == 302 and response["Location"] == url
    alert.refresh_from_db()
    assert alert.status == AlertStatus.ACKNOWLEDGED
    response = client.post(f"/manage/alerts/{alert.pk}/close/", {"note": "", "next": url})
    assert response.status_code == 400 and "note_required" in response.content.decode()
    alert.refresh_from_db()
    assert alert.status == AlertStatus.ACKNOWLEDGED
    response = client.post(
        f"/manage/alerts/{alert.pk}/close/", {"note": "开新风", "next": "https://evil.example/"}
    )
    assert response.status_code == 302 and response["Location"] == "/manage/alerts/"
    alert.refresh_from_db()
    assert alert.status == AlertStatus.CLOSED and alert.close_note == "开新风"


def test_officials_see_escalated_alerts_on_the_alerts_page(client, world, hall):
    as_(client, world.wuhou_official)
    assert 'data-testid="alert"' not in client.get("/manage/alerts/").content.decode()
    alert = Alert.objects.get()
    jobs.alerts_escalate(now=alert.opened_at + timedelta(minutes=30))
    page = client.get("/manage/alerts/").content.decode()
    assert f'data-alert="{alert.pk}"' in page and 'data-testid="escalated"' in page
    assert "确认告警" in page and 'name="note"' not in page  # officials do not close
    assert client.post(f"/manage/alerts/{alert.pk}/close/", {"note": "x"}).status_code == 403
    as_(client, world.chongqing_official)
    assert (
        f'data-alert="{alert.pk}"' not in client.get("/manage/alerts/?status=all").content.decode()
    )
    assert client.post(f"/manage/alerts/{alert.pk}/acknowledge/").status_code == 404
    alert.refresh_from_db()
    assert alert.status == AlertStatus.OPEN


def test_manager_saves_thresholds_and_a_refusal_saves_nothing(client, world, hall):
    as_(client, world.manager)
    url = f"/manage/venues/{hall.pk}/environment/"
    response = client.post(
        url,
        {
            "co2_high": "1200",
            "humidity_low": "30",
            "humidity_high": "80",
            "temperature_low": "16",
            "temperature_high": "28",
        },
    )
    assert response.status_code == 302
    assert list(Threshold.objects.values_list("metric", "low", "high")) == [("co2", None, 1200.0)]
    bad = {
        "co2_high": "1200",
        "temperature_low": "30",
        "temperature_high": "20",
        "humidity_low": "30",
        "humidity_high": "80",
    }
    response = client.post(url, bad)
    assert response.status_code == 400 and "上限须大于下限" in response.content.decode()
    assert Threshold.objects.count() == 1
    response = client.post(
        url,
        {
            "co2_reset": "on",
            "co2_high": "1200",
            "temperature_low": "16",
            "temperature_high": "28",
            "humidity_low": "30",
            "humidity_high": "80",
        },
    )
    assert response.status_code == 302 and not Threshold.objects.exists()
    as_(client, world.staff)
    assert client.post(url, {"co2_high": "5000"}).status_code == 403
    assert not Threshold.objects.exists()


def test_a_venue_without_sensors_says_so(client, world):
    as_(client, world.manager)
    page = client.get(f"/manage/venues/{world.wuhou_hall.pk}/environment/").content.decode()
    assert 'data-testid="no-readings"' in page and 'id="env-charts"' not in page
