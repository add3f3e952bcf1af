"""Price rule services: validation, the free/low-cost caps, permissions, copying,
market prices that existing rules depend on, and the holiday calendar services."""

from __future__ import annotations

from datetime import date, time

import pytest

from tiyu.core.errors import DomainError
from tiyu.core.models import AuditEntry
from tiyu.venues.models import Holiday, HolidayKind, MarketPrice, PriceBand, PriceRule
from tiyu.venues.services import (
    PriceRuleData,
    court_save,
    holiday_remove,
    holiday_set,
    market_price_set,
    price_rule_remove,
    price_rule_save,
    price_rules_copy,
    price_rules_set,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def hall(world):
    """The programme venue (free/low-cost) with a badminton market price of ¥60/hour."""
    market_price_set(
        actor=world.admin, venue_id=world.wuhou_hall.pk, sport_code="badminton", price_fen=6000
    )
    return world.wuhou_hall


def make_court(world, venue, name="1号场", sports=("badminton",), slot=60):
    return court_save(
        actor=world.admin,
        venue_id=venue.pk,
        name=name,
        sport_codes=list(sports),
        slot_minutes=slot,
    )


def data(**changes) -> PriceRuleData:
    base = {
        "starts": time(8, 0),
        "ends": time(22, 0),
        "price_fen": 4000,
        "concession_price_fen": 2500,
        "band": PriceBand.LOW_COST,
    }
    return PriceRuleData(**{**base, **changes})


def save(world, venue, court, actor=None, **changes) -> PriceRule:
    return price_rule_save(
        actor=actor or world.manager, venue_id=venue.pk, court_id=court.pk, data=data(**changes)
    )


def refusal(call) -> DomainError:
    with pytest.raises(DomainError) as info:
        call()
    return info.value


def test_manager_saves_a_rule_within_the_caps_and_it_is_audited(world, hall):
    court = make_court(world, hall)
    rule = save(world, hall, court, price_fen=4200, member_price_fen=3600)
    assert (rule.price_fen, rule.member_price_fen, rule.concession_price_fen) == (4200, 3600, 2500)
    entry = AuditEntry.objects.get(action="price_rule.saved", object_id=str(rule.pk))
    assert entry.actor_id == world.manager.pk and entry.data["fen"] == 4200


@pytest.mark.parametrize(
    ("field", "changes", "code", "cap_text"),
    [
        ("price_fen", {"price_fen": 4201}, "price_over_cap", "¥42.00/小时"),
        (
            "concession_price_fen",
            {"concession_price_fen": 3001},
            "concession_price_over_cap",
            "¥30.00/小时",
        ),
    ],
)
def test_caps_of_the_programme_are_clear_400s(world, hall, field, changes, code, cap_text):
    court = make_court(world, hall)
    error = refusal(lambda: save(world, hall, court, **changes))
    assert (error.status, error.code) == (400, code)
    assert field in error.fields and cap_text in str(error.message)
    assert "70%" in str(error.message) or "50%" in str(error.message)
    assert not PriceRule.objects.exists()


def test_half_hour_courts_are_capped_per_hour(world, hall):
    court = make_court(world, hall, "乒乓球1号台", ("badminton",), slot=30)
    # ¥21 a half hour is ¥42 an hour: at the cap. One fen more is over it.
    assert save(world, hall, court, price_fen=2100, concession_price_fen=1500).price_fen == 2100
    error = refusal(lambda: save(world, hall, court, price_fen=2101, concession_price_fen=1500))
    assert error.code == "price_over_cap" and "¥21.00" in str(error.message)


def test_programme_venue_needs_a_concession_price(world, hall):
    court = make_court(world, hall)
    error = refusal(lambda: save(world, hall, court, concession_price_fen=None))
    assert error.code == "concession_price_missing" and "concession_price_fen" in error.fields
    # A free hour needs none.
    free = save(world, hall, court, price_fen=0, concession_price_fen=None, band=PriceBand.FREE)
    assert free.band == PriceBand.FREE


def test_market_price_missing_is_refused(world, hall):
    court = make_court(world, hall, "乒乓球台", ("table_tennis",))
    error = refusal(lambda: save(world, hall, court))
    assert error.code == "market_price_missing" and "乒乓球" in str(error.message)
    assert not PriceRule.objects.exists()


def test_the_lowest_market_price_of_the_courts_sports_counts(world, hall):
    market_price_set(actor=world.admin, venue_id=hall.pk, sport_code="table_tennis", price_fen=2000)
    court = make_court(world, hall, "综合场", ("badminton", "table_tennis"))
    error = refusal(lambda: save(world, hall, court, price_fen=1500, concession_price_fen=900))
    assert error.code == "price_over_cap" and "¥14.00" in str(error.message)


def test_a_venue_outside_the_programme_is_not_capped(world):
    gym = world.shapingba_gym
    court = make_court(world, gym)
    rule = save(world, gym, court, actor=world.admin, price_fen=50000, concession_price_fen=None)
    assert rule.price_fen == 50000 and not MarketPrice.objects.filter(venue=gym).exists()


@pytest.mark.parametrize(
    ("changes", "field", "code"),
    [
        ({"weekdays": "0000000"}, "weekdays", "weekdays_invalid"),
        ({"weekdays": "11111"}, "weekdays", "weekdays_invalid"),
        ({"day_type": "sometimes"}, "day_type", "day_type_invalid"),
        ({"starts": time(8, 30)}, "starts", "rule_time_off_grid"),
        ({"ends": time(21, 15)}, "ends", "rule_time_off_grid"),
        ({"starts": time(22, 0), "ends": time(8, 0)}, "ends", "rule_time_order"),
        (
            {"date_from": date(2026, 5, 2), "date_to": date(2026, 5, 1)},
            "date_to",
            "rule_date_order",
        ),
        ({"price_fen": -1}, "price_fen", "price_invalid"),
        ({"member_price_fen": 4100}, "member_price_fen", "member_price_above_price"),
        ({"band": PriceBand.FREE}, "price_fen", "free_band_not_free"),
        ({"price_fen": 0, "concession_price_fen": 0}, "band", "zero_price_not_free"),
        ({"priority": 5000}, "priority", "priority_invalid"),
    ],
)
def test_bad_rules_are_refused_naming_the_field(world, hall, changes, field, code):
    court = make_court(world, hall)
    error = refusal(lambda: save(world, hall, court, **changes))
    assert (error.status, error.code) == (400, code)
    assert field in error.fields
    assert not PriceRule.objects.exists()


def test_half_hour_grid_allows_half_hours(world, hall):
    court = make_court(world, hall, "半小时场", ("badminton",), slot=30)
    rule = save(
        world,
        hall,
        court,
        starts=time(8, 30),
        ends=time(21, 30),
        price_fen=2000,
        concession_price_fen=1000,
    )
    assert rule.starts == time(8, 30)


@pytest.mark.parametrize(
    "persona",
    [
        "resident",
        "staff",
        "wuhou_official",
        "chengdu_official",
        "association",
        "chongqing_official",
    ],
)
def test_only_managers_change_rules_and_refusals_change_nothing(world, hall, persona):
    court = make_court(world, hall)
    rule = save(world, hall, court)
    audits = AuditEntry.objects.count()
    actor = getattr(world, persona)
    for call in (
        lambda: save(world, hall, court, actor=actor, price_fen=100),
        lambda: price_rule_save(
            actor=actor, venue_id=hall.pk, court_id=court.pk, rule_id=rule.pk, data=data()
        ),
        lambda: price_rule_remove(
            actor=actor, venue_id=hall.pk, court_id=court.pk, rule_id=rule.pk
        ),
        lambda: price_rules_copy(
            actor=actor, venue_id=hall.pk, from_court_id=court.pk, to_court_ids=[court.pk]
        ),
    ):
        assert refusal(call).status == 404
    assert list(PriceRule.objects.values_list("pk", "price_fen")) == [(rule.pk, 4000)]
    assert AuditEntry.objects.count() == audits


def test_another_venues_manager_cannot_reach_the_court(world, hall):
    from tiyu.accounts.models import Role
    from tiyu.accounts.services import membership_grant, user_create

    other = user_create(username="gym-manager", password="x-12345678", display_name="g")
    membership_grant(user=other, role=Role.VENUE_MANAGER, venue=world.shapingba_gym)
    court = make_court(world, hall)
    # Through its own venue's id, the court of another venue is not found either.
    for venue_id in (hall.pk, world.shapingba_gym.pk):
        error = refusal(
            lambda v=venue_id: price_rule_save(
                actor=other, venue_id=v, court_id=court.pk, data=data()
            )
        )
        assert error.status == 404
    assert not PriceRule.objects.exists()


def test_update_and_remove(world, hall):
    court = make_court(world, hall)
    rule = save(world, hall, court)
    changed = price_rule_save(
        actor=world.manager,
        venue_id=hall.pk,
        court_id=court.pk,
        rule_id=rule.pk,
        data=data(price_fen=3000, priority=5),
    )
    assert changed.pk == rule.pk and (changed.price_fen, changed.priority) == (3000, 5)
    price_rule_remove(actor=world.manager, venue_id=hall.pk, court_id=court.pk, rule_id=rule.pk)
    assert not PriceRule.objects.exists()
    assert AuditEntry.objects.filter(action="price_rule.removed", object_id=str(rule.pk)).exists()


def test_copy_replaces_the_rules_of_the_chosen_courts(world, hall):
    courts = [make_court(world, hall, f"{n}号场") for n in range(1, 5)]
    save(world, hall, courts[0])
    save(world, hall, courts[0], starts=time(18, 0), price_fen=4200, priority=10)
    save(world, hall, courts[3], price_fen=100, concession_price_fen=50)  # replaced
    copied = price_rules_copy(
        actor=world.manager,
        venue_id=hall.pk,
        from_court_id=courts[0].pk,
        to_court_ids=[c.pk for c in courts[1:]],
    )
    assert copied == 6
    for court in courts:
        got = sorted(court.price_rules.values_list("starts", "price_fen", "priority"))
        assert got == [(time(8, 0), 4000, 0), (time(18, 0), 4200, 10)]


def test_copy_is_checked_against_each_target_and_is_all_or_nothing(world, hall):
    source = make_court(world, hall)
    fine = make_court(world, hall, "2号场")
    half = make_court(world, hall, "乒乓球台", ("table_tennis",))  # no market price
    save(world, hall, source)
    error = refusal(
        lambda: price_rules_copy(
            actor=world.manager,
            venue_id=hall.pk,
            from_court_id=source.pk,
            to_court_ids=[fine.pk, half.pk],
        )
    )
    assert error.code == "market_price_missing" and "乒乓球台" in str(error.message)
    assert "to_court_ids" in error.fields
    assert not fine.price_rules.exists() and not half.price_rules.exists()
    other = make_court(world, world.shapingba_gym, "别馆场地")
    error = refusal(
        lambda: price_rules_copy(
            actor=world.manager, venue_id=hall.pk, from_court_id=source.pk, to_court_ids=[other.pk]
        )
    )
    assert error.code == "copy_target_invalid"


def test_lowering_the_market_price_below_existing_rules_is_refused_with_the_list(world, hall):
    court = make_court(world, hall)
    save(world, hall, court, price_fen=4200)
    error = refusal(
        lambda: market_price_set(
            actor=world.manager, venue_id=hall.pk, sport_code="badminton", price_fen=5000
        )
    )
    assert (error.status, error.code) == (409, "market_price_below_rules")
    assert "1号场 08:00–22:00 ¥42.00" in str(error.message) and "price_fen" in error.fields
    assert MarketPrice.objects.get(venue=hall, sport="badminton").price_fen == 6000
    # Lowering it only as far as the rules allow is fine: 4200 is 70% of 6000.
    market_price_set(actor=world.manager, venue_id=hall.pk, sport_code="badminton", price_fen=6000)
    save(world, hall, court, price_fen=3000, concession_price_fen=2000, priority=1)
    PriceRule.objects.filter(price_fen=4200).delete()
    market_price_set(actor=world.manager, venue_id=hall.pk, sport_code="badminton", price_fen=4300)
    assert MarketPrice.objects.get(venue=hall, sport="badminton").price_fen == 4300


# --- Holiday calendar services -----------------------------------------------------------


def test_admin_sets_and_removes_calendar_dates_audited(world):
    day = date(2028, 1, 1)
    holiday = holiday_set(actor=world.admin, date=day, kind=HolidayKind.HOLIDAY, name="元旦")
    assert Holiday.objects.get(date=day).name == "元旦"
    holiday_set(actor=world.admin, date=day, kind=HolidayKind.WORKDAY, name="调休")
    assert Holiday.objects.get(date=day).kind == HolidayKind.WORKDAY
    holiday_remove(actor=world.admin, date=day)
    assert not Holiday.objects.filter(date=day).exists()
    actions = list(
        AuditEntry.objects.filter(object_type="venues.holiday", object_id=str(holiday.pk))
        .order_by("pk")
        .values_list("action", flat=True)
    )
    assert actions == ["holiday.set", "holiday.set", "holiday.removed"]
    error = refusal(lambda: holiday_remove(actor=world.admin, date=day))
    assert error.status == 404


@pytest.mark.parametrize(
    "persona", ["resident", "manager", "sichuan_official", "national_official"]
)
def test_only_platform_admins_edit_the_calendar(world, persona):
    actor = getattr(world, persona)
    before = list(Holiday.objects.values_list("date", "kind", "name"))
    audits = AuditEntry.objects.count()
    day = date(2026, 10, 1)
    for call in (
        lambda: holiday_set(actor=actor, date=day, kind=HolidayKind.WORKDAY, name="x"),
        lambda: holiday_remove(actor=actor, date=day),
    ):
        error = refusal(call)
        assert (error.status, error.code) == (403, "holiday_forbidden")
    assert list(Holiday.objects.values_list("date", "kind", "name")) == before
    assert AuditEntry.objects.count() == audits


def test_calendar_input_is_validated(world):
    error = refusal(
        lambda: holiday_set(actor=world.admin, date=date(2028, 1, 1), kind="party", name="x")
    )
    assert error.code == "holiday_kind_invalid"
    error = refusal(
        lambda: holiday_set(actor=world.admin, date=date(2028, 1, 1), kind="holiday", name=" ")
    )
    assert error.code == "name_invalid"


def test_a_free_rule_needs_no_market_price(world, hall):
    court = make_court(world, hall, "乒乓球台", ("table_tennis",))
    rule = save(world, hall, court, price_fen=0, concession_price_fen=None, band=PriceBand.FREE)
    assert rule.band == PriceBand.FREE


def test_price_rules_set_replaces_a_whole_list_or_nothing(world, hall):
    court = make_court(world, hall)
    save(world, hall, court, price_fen=100, concession_price_fen=50)
    rules = [data(), data(starts=time(18, 0), price_fen=4200, priority=10)]
    created = price_rules_set(actor=world.manager, venue_id=hall.pk, court_id=court.pk, rules=rules)
    assert sorted(r.price_fen for r in created) == [4000, 4200]
    assert sorted(court.price_rules.values_list("price_fen", flat=True)) == [4000, 4200]
    error = refusal(
        lambda: price_rules_set(
            actor=world.manager,
            venue_id=hall.pk,
            court_id=court.pk,
            rules=[data(price_fen=1000, concession_price_fen=500), data(price_fen=9000)],
        )
    )
    assert error.code == "price_over_cap" and str(error.message).startswith("第 2 条规则")
    assert sorted(court.price_rules.values_list("price_fen", flat=True)) == [4000, 4200]
    error = refusal(
        lambda: price_rules_set(
            actor=world.staff, venue_id=hall.pk, court_id=court.pk, rules=[data()]
        )
    )
    assert error.status == 404
