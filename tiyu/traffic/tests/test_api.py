"""The traffic API through the data scope: who sees which venue's and region's figures."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.utils import timezone

from tiyu.traffic.events import GateEventIn
from tiyu.traffic.models import TrafficRollup
from tiyu.traffic.services import gate_events_record
from tiyu.venues.services import opening_hours_set


def _now_local() -> datetime:
    return timezone.localtime()


@pytest.fixture
def traffic(world: Any) -> Any:
    """Today at wuhou_hall: three people in, one of them twice; one out."""
    hall = world.wuhou_hall
    opening_hours_set(
        actor=world.admin,
        venue_id=hall.pk,
        periods=[(d, time(0, 0), time(23, 59, 59)) for d in range(7)],
    )
    now = _now_local()
    start = now.replace(minute=0, second=0, microsecond=0)
    gate_events_record(
        [
            GateEventIn(hall.pk, 1, f"m{i}", start, d, "face", p)
            for i, (d, p) in enumerate(
                [("in", "a"), ("in", "b"), ("in", "a"), ("out", "a"), ("in", "c")]
            )
        ]
    )
    return world


def test_venue_summary_shows_today_and_occupancy(traffic: Any, api_client: Any) -> None:
    hall = traffic.wuhou_hall
    r = api_client.get(f"/api/v1/traffic/venues/{hall.pk}", headers=api_client.token(traffic.staff))
    assert r.status_code == 200, r.content
    body = r.json()
    assert body["today"] == {"entries": 4, "visitors": 3}
    assert body["month"]["entries"] >= 4 and body["total"]["visitors"] >= 3
    assert body["occupancy"] == 3 and body["open_now"] is True
    assert sum(h["entries"] for h in body["hours"]) == 4 and len(body["hours"]) == 24


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("staff", 200),
        ("manager", 200),
        ("wuhou_official", 200),
        ("chengdu_official", 200),
        ("sichuan_official", 200),
        ("national_official", 200),
        ("chongqing_official", 404),
        ("resident", 404),
        ("admin", 200),
    ],
)
def test_venue_figures_role_matrix(
    traffic: Any, api_client: Any, persona: str, status: int
) -> None:
    hall = traffic.wuhou_hall
    user = getattr(traffic, persona)
    r = api_client.get(f"/api/v1/traffic/venues/{hall.pk}", headers=api_client.token(user))
    assert r.status_code == status
    if status == 200:
        assert r.json()["today"]["entries"] == 4
    else:
        assert r.json()["code"] == "not_found"


@pytest.mark.parametrize(
    ("persona", "code", "status"),
    [
        ("wuhou_official", "510107", 200),
        ("wuhou_official", "510100", 404),
        ("chengdu_official", "510100", 200),
        ("chengdu_official", "510107", 200),
        ("chengdu_official", "510000", 404),
        ("chongqing_official", "510100", 404),
        ("national_official", "000000", 200),
        ("staff", "510107", 404),
        ("resident", "000000", 404),
    ],
)
def test_region_figures_role_matrix(
    traffic: Any, api_client: Any, persona: str, code: str, status: int
) -> None:
    r = api_client.get(
        f"/api/v1/traffic/regions/{code}", headers=api_client.token(getattr(traffic, persona))
    )
    assert r.status_code == status
    if status == 200:
        assert r.json()["today"] == {"entries": 4, "visitors": 3}
        assert r.json()["occupancy"] is None


def test_anonymous_gets_401(traffic: Any, api_client: Any) -> None:
    r = api_client.get(f"/api/v1/traffic/venues/{traffic.wuhou_hall.pk}")
    assert r.status_code == 401


def test_series_by_hour_and_bad_ranges(traffic: Any, api_client: Any) -> None:
    headers = api_client.token(traffic.chengdu_official)
    start = (_now_local() - timedelta(days=1)).isoformat()
    r = api_client.get(
        "/api/v1/traffic/series",
        {"subject": "r510100", "grain": "hour", "from": start},
        headers=headers,
    )
    assert r.status_code == 200
    assert sum(p["entries"] for p in r.json()) == 4
    # A neighbour's series is simply empty: the scope filters rows, it leaks nothing.
    r = api_client.get(
        "/api/v1/traffic/series",
        {"subject": "r500000", "grain": "day", "from": start},
        headers=headers,
    )
    assert r.status_code == 200 and r.json() == []
    r = api_client.get(
        "/api/v1/traffic/series",
        {"subject": "r510100", "grain": "hour", "from": "2020-01-01T00:00:00+08:00"},
        headers=headers,
    )
    assert r.status_code == 400 and r.json()["code"] == "range_too_long"
    r = api_client.get(
        "/api/v1/traffic/series",
        {"subject": "r510100", "from": start, "to": "2020-01-01T00:00:00+08:00"},
        headers=headers,
    )
    assert r.status_code == 400 and r.json()["code"] == "range_reversed"
    r = api_client.get(
        "/api/v1/traffic/series",
        {"subject": "r510100", "grain": "week", "from": start},
        headers=headers,
    )
    assert r.status_code == 422


def test_rebuild_command(traffic: Any) -> None:
    today = _now_local().date()
    before = sorted(TrafficRollup.objects.values_list("subject", "grain", "entries", "visitors"))
    TrafficRollup.objects.all().delete()
    out = StringIO()
    call_command(
        "traffic", "rebuild", "--from", today.isoformat(), "--to", today.isoformat(), stdout=out
    )
    assert "rebuilt" in out.getvalue()
    after = sorted(TrafficRollup.objects.values_list("subject", "grain", "entries", "visitors"))
    assert after == before
