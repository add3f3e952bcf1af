"""parse_reading: what a sensor message must look like; each refusal has its code."""

from __future__ import annotations

import math

import pytest

from tiyu.core.errors import DomainError
from tiyu.environment.readings import PHYSICAL_RANGE, Metric, parse_reading

GOOD = {"id": "m-1", "type": "reading", "at": "2026-12-02T09:30:00+08:00", "metric": "ph"}


def parse(**fields):
    return parse_reading({**GOOD, "value": 7.4, **fields}, venue_id=3, device_id=9)


def test_a_good_message_becomes_a_reading():
    r = parse()
    assert (r.venue_id, r.device_id, r.message_id, r.metric, r.value) == (3, 9, "m-1", "ph", 7.4)
    assert r.measured_at.utcoffset().total_seconds() == 8 * 3600
    assert parse(value=7).value == 7.0 and isinstance(parse(value=7).value, float)


@pytest.mark.parametrize(
    ("fields", "code", "field"),
    [
        ({"id": ""}, "bad_message_id", "id"),
        ({"id": "x" * 65}, "bad_message_id", "id"),
        ({"id": 12}, "bad_message_id", "id"),
        ({"at": "2026-12-02T09:30:00"}, "bad_time", "at"),
        ({"at": "yesterday"}, "bad_time", "at"),
        ({"metric": "noise"}, "bad_metric", "metric"),
        ({"metric": None}, "bad_metric", "metric"),
        ({"value": "7.4"}, "bad_value", "value"),
        ({"value": True}, "bad_value", "value"),
        ({"value": None}, "bad_value", "value"),
        ({"value": math.nan}, "value_not_finite", "value"),
        ({"value": math.inf}, "value_not_finite", "value"),
        ({"value": 14.01}, "value_absurd", "value"),
        ({"value": -0.1}, "value_absurd", "value"),
        ({"metric": "humidity", "value": 101}, "value_absurd", "value"),
        ({"metric": "co2", "value": -5}, "value_absurd", "value"),
    ],
)
def test_refusals_name_the_field_and_code(fields, code, field):
    with pytest.raises(DomainError) as caught:
        parse(**fields)
    assert caught.value.code == code
    assert caught.value.status == 400
    assert field in caught.value.fields


def test_missing_value_is_refused():
    with pytest.raises(DomainError) as caught:
        parse_reading(dict(GOOD), venue_id=1, device_id=1)
    assert caught.value.code == "bad_value"


@pytest.mark.parametrize("metric", Metric.values)
def test_the_physical_range_bounds_are_accepted(metric):
    low, high = PHYSICAL_RANGE[metric]
    assert parse(metric=metric, value=low).value == low
    assert parse(metric=metric, value=high).value == high
