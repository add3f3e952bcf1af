"""The slot grid: a price and a state in every cell, in a fixed number of queries."""

from __future__ import annotations

from datetime import time

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tiyu.booking.selectors import CellState, slot_grid
from tiyu.booking.services import SlotChoice, booking_hold, booking_pay
from tiyu.venues.models import Court, PriceRule

pytestmark = pytest.mark.django_db


def cell(grid, day_index, court, hour):
    return grid.days[day_index].at(court.pk, time(hour))


def test_states_from_each_residents_point_of_view(arena):
    resident, other = arena.world.resident, arena.resident2
    arena.fund(resident, 10000)
    mine = booking_hold(
        user=resident,
        venue_id=arena.venue.pk,
        slots=[SlotChoice(arena.part1.pk, arena.slot(arena.part1, 1, 10))],
    )
    booking_pay(user=resident, number=mine.number, method="stored_value")
    booking_hold(
        user=resident,
        venue_id=arena.venue.pk,
        slots=[SlotChoice(arena.court3.pk, arena.slot(arena.court3, 1, 11))],
    )
    seen_by_me = slot_grid(venue=arena.venue, user=resident)
    seen_by_other = slot_grid(venue=arena.venue, user=other)
    assert cell(seen_by_me, 1, arena.part1, 10).state == CellState.MINE
    assert cell(seen_by_me, 1, arena.court3, 11).state == CellState.HELD_BY_ME
    assert cell(seen_by_me, 1, arena.hall, 10).state == CellState.TAKEN  # a part is in use
    assert cell(seen_by_me, 1, arena.part2, 10).state == CellState.FREE
    assert cell(seen_by_other, 1, arena.part1, 10).state == CellState.TAKEN
    assert cell(seen_by_other, 1, arena.court3, 11).state == CellState.TAKEN
    free = cell(seen_by_other, 1, arena.court3, 12)
    assert (free.state, free.price_fen) == (CellState.FREE, 4000)
    assert len(seen_by_other.days) == 7
    # Beyond the 7-day window: shown, priced, but closed.
    far = slot_grid(venue=arena.venue, user=other, days=10)
    late = cell(far, 9, arena.court3, 12)
    assert (late.state, late.price_fen, far.days[9].bookable) == (CellState.CLOSED, 4000, False)


def test_query_count_does_not_grow_with_courts(arena, django_user_model):
    def count() -> int:
        cache.clear()  # a cold read: the cached configuration and calendar are counted too
        with CaptureQueriesContext(connection) as ctx:
            slot_grid(venue=arena.venue, user=arena.world.resident)
        return len(ctx.captured_queries)

    before = count()
    for n in range(6):
        court = Court.objects.create(venue=arena.venue, name=f"加场{n}")
        PriceRule.objects.create(court=court, starts=time(8), ends=time(22), price_fen=3000)
    assert count() == before
    assert before <= 12
