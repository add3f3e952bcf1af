"""Recording gate events: once per message, unique visitors per venue-day, and the rollups
equal a recount from raw events at every level of the region tree."""

from __future__ import annotations

import random
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tiyu.core.errors import DomainError
from tiyu.traffic import recount
from tiyu.traffic.events import GateEventIn, parse_gate_event
from tiyu.traffic.models import GateEvent, Grain, TrafficRollup, VisitorDay
from tiyu.traffic.services import gate_events_record, traffic_rebuild

SH = ZoneInfo("Asia/Shanghai")
DAY = date(2026, 11, 30)
LO = datetime(2026, 11, 1, tzinfo=SH)
HI = datetime(2027, 1, 1, tzinfo=SH)


def ev(
    venue: Any,
    n: int,
    at: datetime,
    direction: str = "in",
    person: str = "",
    device: int = 1,
) -> GateEventIn:
    return GateEventIn(venue.pk, device, f"m{n}", at, direction, "face", person)


def rollup(subject: str, grain: str, period: datetime) -> tuple[int, int, int]:
    r = TrafficRollup.objects.filter(subject=subject, grain=grain, period=period).first()
    return (r.entries, r.exits, r.visitors) if r else (0, 0, 0)


def at(hour: int, minute: int = 0, day: date = DAY) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=SH)


def test_a_person_entering_twice_is_two_entries_and_one_visitor(world: Any) -> None:
    hall = world.wuhou_hall
    result = gate_events_record(
        [
            ev(hall, 1, at(9), person="p1"),
            ev(hall, 2, at(10), direction="out", person="p1"),
            ev(hall, 3, at(15), person="p1"),
            ev(hall, 4, at(15, 5), person="p2"),
        ]
    )
    assert (result.inserted, result.duplicates) == (4, 0)
    midnight = datetime(2026, 11, 30, tzinfo=SH)
    assert rollup(f"v{hall.pk}", Grain.DAY, midnight) == (3, 1, 2)
    assert rollup(f"v{hall.pk}", Grain.HOUR, at(15)) == (2, 0, 0)
    # Every region above the venue gets the same day: district, city, province, nation.
    for code in ("510107", "510100", "510000", "000000"):
        assert rollup(f"r{code}", Grain.DAY, midnight) == (3, 1, 2), code
    assert rollup("r510104", Grain.DAY, midnight) == (0, 0, 0)  # a neighbouring district
    assert rollup(f"v{hall.pk}", Grain.MONTH, datetime(2026, 11, 1, tzinfo=SH)) == (3, 1, 2)


def test_a_resent_batch_changes_nothing(world: Any) -> None:
    hall = world.wuhou_hall
    batch = [ev(hall, i, at(9, i), person=f"p{i % 3}") for i in range(10)]
    gate_events_record(batch)
    before = recount.stored(LO, HI)
    result = gate_events_record(list(reversed(batch)))
    assert (result.inserted, result.duplicates) == (0, 10)
    assert recount.stored(LO, HI) == before
    assert GateEvent.objects.count() == 10
    assert VisitorDay.objects.count() == 3


def test_visitors_add_up_across_venues_and_days(world: Any) -> None:
    hall, pool = world.wuhou_hall, world.jinjiang_pool
    gate_events_record(
        [
            ev(hall, 1, at(9), person="p1"),
            ev(pool, 2, at(11), person="p1", device=2),  # the same person at another venue
            ev(hall, 3, at(9, day=DAY + timedelta(1)), person="p1"),  # and the next day
        ]
    )
    assert rollup("r510100", Grain.DAY, datetime(2026, 11, 30, tzinfo=SH))[2] == 2
    assert rollup("r510100", Grain.MONTH, datetime(2026, 11, 1, tzinfo=SH))[2] == 2
    assert rollup("r510100", Grain.MONTH, datetime(2026, 12, 1, tzinfo=SH))[2] == 1


def test_a_passage_without_a_person_key_is_its_own_visitor(world: Any) -> None:
    hall = world.wuhou_hall
    gate_events_record([ev(hall, 1, at(9)), ev(hall, 2, at(9, 1)), ev(hall, 1, at(9))])
    assert rollup(f"v{hall.pk}", Grain.DAY, datetime(2026, 11, 30, tzinfo=SH)) == (2, 0, 2)


def test_local_days_split_at_local_midnight(world: Any) -> None:
    hall = world.wuhou_hall
    # 23:30 and 00:30 Beijing time are 15:30 and 16:30 UTC of the same UTC day.
    gate_events_record(
        [
            ev(hall, 1, at(23, 30), person="p"),
            ev(hall, 2, at(0, 30, DAY + timedelta(1)), person="p"),
        ]
    )
    assert rollup(f"v{hall.pk}", Grain.DAY, datetime(2026, 11, 30, tzinfo=SH))[2] == 1
    assert rollup(f"v{hall.pk}", Grain.DAY, datetime(2026, 12, 1, tzinfo=SH))[2] == 1


def test_an_unknown_venue_refuses_the_batch_and_records_nothing(world: Any) -> None:
    hall = world.wuhou_hall
    bad = GateEventIn(999999, 1, "x", at(9), "in", "face", "p")
    with pytest.raises(DomainError) as err:
        gate_events_record([ev(hall, 1, at(9)), bad])
    assert err.value.code == "venue_unknown"
    assert GateEvent.objects.count() == 0
    assert TrafficRollup.objects.count() == 0


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        ({"id": "1", "at": "2026-11-30T09:00:00+08:00", "direction": "up"}, "bad_direction"),
        ({"id": "1", "at": "2026-11-30T09:00:00", "direction": "in"}, "bad_time"),
        ({"id": "", "at": "2026-11-30T09:00:00+08:00", "direction": "in"}, "bad_message_id"),
        (
            {"id": "1", "at": "2026-11-30T09:00:00+08:00", "direction": "in", "method": "x"},
            "bad_method",
        ),
        (
            {
                "id": "1",
                "at": "2026-11-30T09:00:00+08:00",
                "direction": "in",
                "person": "51010719900101123X",
            },
            "person_identifying",
        ),
        (
            {
                "id": "1",
                "at": "2026-11-30T09:00:00+08:00",
                "direction": "in",
                "person": "13800138000",
            },
            "person_identifying",
        ),
        (
            {"id": "1", "at": "2026-11-30T09:00:00+08:00", "direction": "in", "person": 5},
            "bad_person",
        ),
    ],
)
def test_parse_refuses_bad_fields(raw: dict[str, Any], code: str) -> None:
    with pytest.raises(DomainError) as err:
        parse_gate_event(raw, venue_id=1, device_id=1)
    assert err.value.code == code
    assert err.value.status == 400


def test_parse_reads_a_good_message() -> None:
    e = parse_gate_event(
        {
            "id": "g-1",
            "at": "2026-11-30T09:00:00+08:00",
            "direction": "out",
            "method": "qr",
            "person": "h:ab12",
        },
        venue_id=3,
        device_id=4,
    )
    assert (e.venue_id, e.device_id, e.direction, e.method, e.person_key) == (
        3,
        4,
        "out",
        "qr",
        "h:ab12",
    )
    assert e.occurred_at == at(9)


def test_rebuild_restores_rollups_from_raw(world: Any) -> None:
    hall, pool = world.wuhou_hall, world.jinjiang_pool
    gate_events_record(
        [ev(hall, i, at(8 + i % 12), person=f"p{i % 7}") for i in range(40)]
        + [ev(pool, i, at(9), "out", device=9) for i in range(5)]
    )
    want = recount.stored(LO, HI)
    TrafficRollup.objects.all().update(entries=0)  # damage every row
    VisitorDay.objects.all().delete()
    traffic_rebuild(start=DAY, end=DAY)
    assert recount.stored(LO, HI) == want
    assert VisitorDay.objects.count() == 7


VENUES = ["wuhou_hall", "jinjiang_pool", "zigong_park", "shapingba_gym"]
event_spec = st.tuples(
    st.sampled_from(VENUES),
    st.integers(0, 30),  # message number: repeats are resends
    st.integers(0, 3 * 24 * 60 - 1),  # minute over three days around a month end
    st.sampled_from(["in", "in", "out"]),
    st.sampled_from(["", "a", "b", "c", "d"]),
)


@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
@given(specs=st.lists(event_spec, max_size=60), batch=st.integers(1, 15), seed=st.integers(0, 99))
def test_rollups_equal_a_recount_at_every_level(
    world: Any, specs: list[tuple[str, int, int, str, str]], batch: int, seed: int
) -> None:
    """Property: whatever arrives, resent and out of order, rollups == recount from raw."""
    GateEvent.objects.all().delete()
    VisitorDay.objects.all().delete()
    TrafficRollup.objects.all().delete()
    base = datetime(2026, 11, 29, tzinfo=SH)
    first: dict[tuple[str, int], GateEventIn] = {}
    events = []
    for name, n, minute, direction, person in specs:
        venue = getattr(world, name)
        # A resend repeats the original message exactly: id, time and content.
        original = first.setdefault(
            (name, n),
            GateEventIn(
                venue.pk,
                VENUES.index(name) + 1,
                f"m{n}",
                base + timedelta(minutes=(n * 997 + minute) % 4320),
                direction,
                "face",
                person,
            ),
        )
        events.append(original)
    random.Random(seed).shuffle(events)
    for i in range(0, len(events), batch):
        gate_events_record(events[i : i + batch])
    stored = recount.stored(LO, HI)
    assert stored == recount.rollups(LO, HI)
    expected_entries = len({(e.device_id, e.message_id) for e in events if e.direction == "in"})
    nation_days = sum(
        r.entries for (g, s, _p), r in stored.items() if g == "day" and s == "r000000"
    )
    assert nation_days == expected_entries
