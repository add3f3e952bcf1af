"""The venue screen and its data.json: who may open them, the figures equal the traffic
selector's, and a venue with no data shows zeros and empty states."""

from __future__ import annotations

from dataclasses import asdict
from datetime import datetime, time, timedelta
from typing import Any

import pytest
from django.utils import timezone

from tiyu.environment.readings import ReadingIn
from tiyu.environment.services import readings_record
from tiyu.traffic.events import GateEventIn
from tiyu.traffic.selectors import venue_traffic
from tiyu.traffic.services import gate_events_record
from tiyu.venues.models import Closure, OpeningHours, Venue

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
# The hall is in 武侯区, 成都市, 四川省; 重庆市 is the neighbouring city whose officials
# must not see it. Residents have no scope at all: the venue does not exist for them.
HALL = {p: 200 for p in PERSONAS} | {"resident": 404, "chongqing_official": 404}


def url(venue: Any, data: bool = False) -> str:
    return f"/manage/venues/{venue.pk}/screen/" + ("data.json" if data else "")


def open_all_day(venue: Any) -> None:
    """Open every day 00:00–23:59 so "now" is always inside opening hours."""
    OpeningHours.objects.bulk_create(
        OpeningHours(venue=venue, weekday=d, opens=time(0, 0), closes=time(23, 59, 59))
        for d in range(7)
    )


def passages(venue: Any, now: datetime, people: list[str], out: int = 0) -> None:
    """Each person in ``people`` enters once (a repeat is a second entry); ``out`` leave."""
    midnight = timezone.localtime(now).replace(hour=0, minute=0, second=0, microsecond=0)
    at = max(now - timedelta(minutes=1), midnight)  # never yesterday, even just after midnight
    events = [
        GateEventIn(venue.pk, 7, f"in-{i}-{p}", at, "in", "face", p) for i, p in enumerate(people)
    ]
    events += [GateEventIn(venue.pk, 7, f"out-{i}", at, "out", "face", "") for i in range(out)]
    gate_events_record(events)


@pytest.mark.parametrize("persona", PERSONAS)
def test_screen_page_by_persona(as_persona: Any, world: Any, persona: str) -> None:
    response = as_persona(persona).get(url(world.wuhou_hall))
    assert response.status_code == HALL[persona]
    if response.status_code == 200:
        assert world.wuhou_hall.name in response.content.decode()


@pytest.mark.parametrize("persona", PERSONAS)
def test_screen_data_by_persona(as_persona: Any, world: Any, persona: str) -> None:
    response = as_persona(persona).get(url(world.wuhou_hall, data=True))
    assert response.status_code == HALL[persona]
    body = response.json()
    if response.status_code == 200:
        assert body["venue"] == {"id": world.wuhou_hall.pk, "name": world.wuhou_hall.name}
    else:
        assert body["code"] == "not_found" and "today" not in body


def test_another_citys_venue_is_404_for_the_hall_staff(as_persona: Any, world: Any) -> None:
    client = as_persona("staff")
    assert client.get(url(world.shapingba_gym)).status_code == 404
    assert client.get(url(world.shapingba_gym, data=True)).status_code == 404
    assert client.get("/manage/venues/999999/screen/data.json").status_code == 404


def test_anonymous_is_sent_to_login_and_the_poll_gets_401(as_persona: Any, world: Any) -> None:
    client = as_persona(None)
    page = client.get(url(world.wuhou_hall))
    assert page.status_code == 302 and page["Location"].startswith("/login/")
    data = client.get(url(world.wuhou_hall, data=True))
    assert data.status_code == 401 and data.json()["code"] == "not_authenticated"


def test_data_equals_the_selector(as_persona: Any, world: Any) -> None:
    hall = world.wuhou_hall
    Venue.objects.filter(pk=hall.pk).update(capacity=300)
    open_all_day(hall)
    now = timezone.now()
    passages(hall, now, ["p1", "p2", "p3", "p1"], out=1)  # 4 entries, 3 visitors, 1 exit
    passages(world.jinjiang_pool, now, ["p9"])  # another venue's figures stay out

    body = as_persona("chengdu_official").get(url(hall, data=True)).json()
    summary = venue_traffic(world.chengdu_official, hall.pk)
    for period in ("today", "month", "year", "total"):
        assert body[period] == asdict(getattr(summary, period))
    assert body["today"] == {"entries": 4, "visitors": 3}
    assert body["occupancy"] == summary.occupancy == 3
    assert body["capacity"] == 300 and body["open_now"] is True
    assert [(h["entries"], h["exits"]) for h in body["hours"]] == [
        (p.entries, p.exits) for p in summary.hours
    ]
    assert sum(h["entries"] for h in body["hours"]) == 4
    assert body["opening"]["status"] == "open"
    assert body["opening"]["periods"] == ["00:00–23:59"]


def test_the_page_embeds_the_same_figures(as_persona: Any, world: Any) -> None:
    hall = world.wuhou_hall
    open_all_day(hall)
    passages(hall, timezone.now(), ["a", "b"])
    response = as_persona("staff").get(url(hall))
    html = response.content.decode()
    assert 'data-field="today.visitors">2<' in html
    assert 'data-field="today.entries">2<' in html
    assert "vendor/echarts/echarts.min.js" in html and "tiyu/screen.js" in html
    assert 'data-poll="15"' in html
    embedded = response.context["data"]
    assert embedded["today"] == {"entries": 2, "visitors": 2}


def test_a_venue_with_no_data_shows_zeros(as_persona: Any, world: Any) -> None:
    response = as_persona("admin").get(url(world.zigong_park, data=True))
    body = response.json()
    zero = {"entries": 0, "visitors": 0}
    assert [body[p] for p in ("today", "month", "year", "total")] == [zero] * 4
    assert body["occupancy"] == 0 and body["capacity"] is None and body["open_now"] is False
    assert len(body["hours"]) == 24 and all(h["entries"] == h["exits"] == 0 for h in body["hours"])
    assert body["environment"] == [] and body["alerts"] == []
    assert body["opening"]["status"] == "closed_today"

    html = as_persona("admin").get(url(world.zigong_park)).content.decode()
    assert 'data-field="today.visitors">0<' in html
    assert "暂无环境监测数据" in html and "暂无告警" in html and "今日闭馆" in html
    assert "未登记最大容纳人数" in html


def test_a_closure_today_says_closed_with_its_reason(as_persona: Any, world: Any) -> None:
    hall = world.wuhou_hall
    open_all_day(hall)
    today = timezone.localdate()
    Closure.objects.create(venue=hall, starts_on=today, ends_on=today, reason="场地维修")
    body = as_persona("staff").get(url(hall, data=True)).json()
    assert body["opening"] == {
        "status": "closed_today",
        "status_label": "今日闭馆",
        "periods": [],
        "reason": "场地维修",
    }
    assert body["open_now"] is False and body["occupancy"] == 0


def test_readings_and_alerts_show_in_the_data(as_persona: Any, world: Any) -> None:
    pool = world.jinjiang_pool
    now = timezone.now()
    readings_record(
        [
            ReadingIn(pool.pk, 3, "r1", now - timedelta(minutes=2), "water_temperature", 27.0),
            ReadingIn(pool.pk, 3, "r2", now - timedelta(minutes=2), "ph", 9.1),  # out of range
        ]
    )
    body = as_persona("admin").get(url(pool, data=True)).json()
    assert [r["metric"] for r in body["environment"]] == ["ph", "water_temperature"]  # red first
    by_metric = {r["metric"]: r for r in body["environment"]}
    assert by_metric["water_temperature"]["in_range"] is True
    assert by_metric["water_temperature"]["value"] == "27.0"
    assert by_metric["ph"]["in_range"] is False and by_metric["ph"]["value"] == "9.10"
    assert [a["label"] for a in body["alerts"]] == ["池水 pH"]
    assert body["alerts"][0]["status"] == "open"

    # Officials see an alert only once it is escalated (the environment app's rule).
    official = as_persona("chengdu_official").get(url(pool, data=True)).json()
    assert official["alerts"] == [] and len(official["environment"]) == 2


def test_lang_pins_english(as_persona: Any, world: Any) -> None:
    client = as_persona("staff")
    html = client.get(url(world.wuhou_hall) + "?lang=en").content.decode()
    assert '<html lang="en">' in html
    assert f"/manage/venues/{world.wuhou_hall.pk}/screen/data.json?lang=en" in html
    data = client.get(url(world.wuhou_hall, data=True) + "?lang=xx")
    assert data.status_code == 200  # an unknown language is ignored, not an error


@pytest.mark.parametrize(("given", "seconds"), [("3", 3), ("0", 1), ("9999", 300), ("x", 15)])
def test_poll_interval_is_clamped(as_persona: Any, world: Any, given: str, seconds: int) -> None:
    html = as_persona("staff").get(url(world.wuhou_hall) + f"?poll={given}").content.decode()
    assert f'data-poll="{seconds}"' in html


def test_venue_page_has_the_panel_and_the_screen_link(as_persona: Any, world: Any) -> None:
    hall = world.wuhou_hall
    html = as_persona("staff").get(f"/manage/venues/{hall.pk}/").content.decode()
    assert 'data-testid="traffic-panel"' in html
    assert f'href="/manage/venues/{hall.pk}/screen/"' in html and "打开大屏" in html
    assert f'data-url="/manage/venues/{hall.pk}/screen/data.json"' in html


def test_data_json_is_not_cached(as_persona: Any, world: Any) -> None:
    response = as_persona("staff").get(url(world.wuhou_hall, data=True))
    assert "max-age=0" in response["Cache-Control"] and "no-cache" in response["Cache-Control"]
