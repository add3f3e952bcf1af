"""PriceBook: which rule prices a slot, under day types, make-up workdays and date ranges."""

from __future__ import annotations

from datetime import date, time

import pytest

from tiyu.venues.models import DayType, Holiday, HolidayKind, PriceBand, PriceRule
from tiyu.venues.pricing import (
    OFFICIAL_HOLIDAYS,
    PriceBook,
    SlotPrice,
    Tier,
    day_type_of,
    official_calendar,
    seed_holidays,
    week_preview,
)
from tiyu.venues.services import court_save, opening_hours_set

pytestmark = pytest.mark.django_db

# 2026-02-14 (Saturday) is a make-up workday, 2026-02-17 (Tuesday) is Spring Festival,
# 2026-02-21 (Saturday) is inside the holiday, 2026-03-07 is a plain Saturday.
MAKEUP_SATURDAY = date(2026, 2, 14)
FESTIVAL_TUESDAY = date(2026, 2, 17)
PLAIN_MONDAY = date(2026, 3, 2)
PLAIN_SATURDAY = date(2026, 3, 7)


@pytest.fixture
def court(world):
    return court_save(
        actor=world.admin,
        venue_id=world.shapingba_gym.pk,
        name="1号场",
        sport_codes=["badminton"],
    )


def rule(court, starts, ends, fen, **extra) -> PriceRule:
    return PriceRule.objects.create(
        court=court, starts=time(*starts), ends=time(*ends), price_fen=fen, **extra
    )


def price(court, day, start=(19, 0), end=(20, 0)) -> SlotPrice | None:
    book = PriceBook.load([court.pk], day, day)
    return book.price(court.pk, day, time(*start), time(*end))


def test_the_seeded_calendar_drives_day_types(world):
    # The data migration ran for this test database: 2026 as published.
    cal = dict(Holiday.objects.values_list("date", "kind"))
    assert cal[date(2026, 1, 1)] == HolidayKind.HOLIDAY
    assert cal[date(2026, 1, 4)] == HolidayKind.WORKDAY
    assert cal[date(2026, 10, 7)] == HolidayKind.HOLIDAY
    assert cal[date(2026, 9, 20)] == HolidayKind.WORKDAY
    assert day_type_of(MAKEUP_SATURDAY, cal) == DayType.WORKDAY
    assert day_type_of(FESTIVAL_TUESDAY, cal) == DayType.HOLIDAY
    assert day_type_of(PLAIN_SATURDAY, cal) == DayType.WEEKEND
    assert day_type_of(PLAIN_MONDAY, cal) == DayType.WORKDAY


def test_official_calendar_has_the_2026_notice_and_an_estimate_for_2027():
    rows = official_calendar()
    days_2026 = [d for d, k, _n in rows if d.year == 2026 and k == HolidayKind.HOLIDAY]
    workdays_2026 = [d for d, k, _n in rows if d.year == 2026 and k == HolidayKind.WORKDAY]
    # 3 + 9 + 3 + 5 + 3 + 3 + 7 days off, six make-up workdays (State Council, 2025-11-04).
    assert len(days_2026) == 33
    assert len(workdays_2026) == 6
    assert all(d.weekday() >= 5 for d in workdays_2026)
    assert len({d for d, _k, _n in rows}) == len(rows)  # no date twice
    assert set(OFFICIAL_HOLIDAYS) == {2026, 2027}


def test_seed_holidays_keeps_an_admins_correction(world):
    Holiday.objects.filter(date=date(2027, 6, 9)).update(name="端午节（已核对）")
    Holiday.objects.filter(date=date(2027, 1, 1)).delete()
    assert seed_holidays(Holiday) == 1
    assert Holiday.objects.get(date=date(2027, 6, 9)).name == "端午节（已核对）"
    assert Holiday.objects.filter(date=date(2027, 1, 1)).exists()


def test_highest_priority_wins_and_newest_on_a_tie(court):
    rule(court, (8, 0), (22, 0), 4000)
    peak = rule(court, (18, 0), (22, 0), 6000, priority=10)
    assert price(court, PLAIN_MONDAY).fen == 6000
    assert price(court, PLAIN_MONDAY, (9, 0), (10, 0)).fen == 4000
    newer = rule(court, (18, 0), (22, 0), 5500, priority=10)
    got = price(court, PLAIN_MONDAY)
    assert (got.fen, got.rule_id) == (5500, newer.pk)
    assert peak.pk < newer.pk


def test_a_rule_must_cover_the_whole_slot(court):
    rule(court, (8, 0), (12, 0), 4000)
    assert price(court, PLAIN_MONDAY, (11, 0), (12, 0)).fen == 4000
    assert price(court, PLAIN_MONDAY, (11, 30), (12, 30)) is None
    assert price(court, PLAIN_MONDAY, (23, 0), (0, 0)) is None  # ends at midnight


def test_day_types_make_up_workday_and_holiday(court):
    rule(court, (8, 0), (22, 0), 4000)
    rule(court, (8, 0), (22, 0), 6000, day_type=DayType.WEEKEND, priority=10)
    rule(court, (8, 0), (22, 0), 8000, day_type=DayType.HOLIDAY, priority=20)
    rule(court, (18, 0), (22, 0), 5000, day_type=DayType.WORKDAY, priority=10)
    assert price(court, PLAIN_SATURDAY).fen == 6000
    assert price(court, FESTIVAL_TUESDAY).fen == 8000
    # A make-up Saturday is a workday: the workday evening rule, not the weekend one.
    assert price(court, MAKEUP_SATURDAY).fen == 5000
    assert price(court, MAKEUP_SATURDAY, (9, 0), (10, 0)).fen == 4000
    assert price(court, PLAIN_MONDAY).fen == 5000


def test_weekday_mask_and_date_range(court):
    rule(court, (8, 0), (22, 0), 4000, weekdays="1111100")
    rule(
        court,
        (8, 0),
        (22, 0),
        2000,
        priority=5,
        date_from=date(2026, 3, 1),
        date_to=date(2026, 3, 3),
    )
    assert price(court, PLAIN_MONDAY).fen == 2000  # 2 March: inside the range
    assert price(court, date(2026, 3, 4)).fen == 4000  # after it
    assert price(court, PLAIN_SATURDAY) is None  # Saturday is not in the mask
    book = PriceBook.load([court.pk], date(2026, 3, 10), date(2026, 3, 12))
    assert len(book.rules[court.pk]) == 1  # the ended range is not even loaded


def test_member_and_concession_tiers(court):
    rule(
        court,
        (8, 0),
        (22, 0),
        6000,
        member_price_fen=4800,
        concession_price_fen=3000,
        band=PriceBand.LOW_COST,
    )
    p = price(court, PLAIN_MONDAY)
    assert p.band == PriceBand.LOW_COST
    assert p.for_tiers([]) == 6000
    assert p.for_tiers([Tier.MEMBER]) == 4800
    assert p.for_tiers([Tier.CONCESSION]) == 3000
    assert p.for_tiers([Tier.MEMBER, Tier.CONCESSION]) == 3000
    bare = SlotPrice(fen=5000, member_fen=None, concession_fen=None, band="regular", rule_id=1)
    assert bare.for_tiers([Tier.MEMBER, Tier.CONCESSION]) == 5000


def test_week_preview_marks_holidays_closed_hours_and_unpriced_slots(world, court):
    opening_hours_set(
        actor=world.admin,
        venue_id=court.venue_id,
        periods=[(d, time(9, 0), time(21, 0)) for d in range(7)],
    )
    rule(court, (9, 0), (18, 0), 4000)
    rule(court, (9, 0), (21, 0), 8000, day_type=DayType.HOLIDAY, priority=20)
    court.refresh_from_db()
    preview = week_preview(court, FESTIVAL_TUESDAY)
    assert preview.days[0].day == date(2026, 2, 16)
    assert preview.days[1].day_type == DayType.HOLIDAY and preview.days[1].holiday_name == "春节"
    assert (preview.rows[0].starts, preview.rows[-1].ends) == (time(9, 0), time(21, 0))
    evening = next(r for r in preview.rows if r.starts == time(19, 0))
    assert evening.cells[1].price.fen == 8000  # the festival
    assert all(c.is_open for c in evening.cells)
    march = week_preview(court, PLAIN_MONDAY)
    evening = next(r for r in march.rows if r.starts == time(19, 0))
    assert evening.cells[0].price is None  # open but unpriced
