"""Demo price rules: every bookable court of the demo venues gets a realistic price list.

Outside the free/low-cost programme, prices follow a table per sport (off-peak,
evening and weekend peak, holidays), with member prices, and concession prices at
public venues. Programme venues price from their declared market price: off-peak
50%, peak and holidays 70% (the cap), concession 40%, free mornings on Monday,
Wednesday and Friday; community courts are free all day. Rules are written with
``price_rules_set`` (a court's whole list at once, each rule checked exactly as
``price_rule_save`` checks it) for the first court of each kind in a venue and
copied to its siblings with ``price_rules_copy``, so every rule passes the same
checks as a manager's, at a few queries per venue. Deterministic: no randomness.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import time
from typing import Any

from tiyu.venues.models import Court, DayType, PriceBand, Venue, VenueKind
from tiyu.venues.services import (
    PriceRuleData,
    court_market_price_fen,
    market_price_set,
    price_rules_copy,
    price_rules_set,
)

# Yuan per hour for one court: (off-peak, peak, holiday), outside the programme.
HOURLY_YUAN: dict[str, tuple[int, int, int]] = {
    "badminton": (40, 60, 80),
    "table_tennis": (15, 20, 25),
    "basketball": (120, 180, 220),
    "volleyball": (100, 150, 180),
    "tennis": (60, 100, 120),
    "football": (300, 500, 600),
    "swimming": (30, 40, 50),
    "running": (50, 80, 100),
    "billiards": (30, 45, 55),
    "yoga": (80, 120, 150),
    "fitness": (30, 40, 50),
    "climbing": (60, 80, 100),
    "squash": (60, 90, 110),
    "martial_arts": (80, 120, 150),
    "dance": (80, 120, 150),
    "taichi": (60, 80, 100),
    "skating": (300, 400, 500),
}
DEFAULT_YUAN = (40, 60, 80)
DAY = (time(6, 0), time(23, 0))
EVENING = (time(17, 0), time(23, 0))
MORNING = (time(8, 0), time(10, 0))
MON_WED_FRI = "1010100"


def _hourly(court: Court, parts: list[Court]) -> tuple[int, int, int]:
    """The court's table prices in yuan an hour; a hall or pool booked whole costs at
    least what its parts cost together."""
    own = max(
        (HOURLY_YUAN.get(s.code, DEFAULT_YUAN) for s in court.sports.all()),
        default=DEFAULT_YUAN,
    )
    if not parts:
        return own
    together = [sum(p) for p in zip(*(_hourly(part, []) for part in parts), strict=True)]
    return (max(own[0], together[0]), max(own[1], together[1]), max(own[2], together[2]))


def _slot_fen(yuan_per_hour: float, slot_minutes: int) -> int:
    """A price per slot in fen, rounded down to the yuan (never above the hourly rate)."""
    return int(yuan_per_hour * slot_minutes / 60) * 100


def _rule(
    span: tuple[time, time],
    fen: int,
    *,
    member: int | None,
    concession: int | None,
    band: str,
    weekdays: str = "1111111",
    day_type: str = "",
    priority: int = 0,
) -> PriceRuleData:
    return PriceRuleData(
        starts=span[0],
        ends=span[1],
        price_fen=fen,
        member_price_fen=member,
        concession_price_fen=concession,
        band=band,
        weekdays=weekdays,
        day_type=day_type,
        priority=priority,
    )


def table_rules(court: Court, parts: list[Court], venue: Venue) -> list[PriceRuleData]:
    """Prices from the table: off-peak all day, workday evenings and weekends at peak,
    holidays higher; members pay 80%, concession groups half at public venues."""
    slot = court.slot_minutes
    rules = []
    for (span, day_type, priority), hourly in zip(
        [(DAY, "", 0), (EVENING, DayType.WORKDAY, 10), (DAY, DayType.WEEKEND, 10)],
        [_hourly(court, parts)[0], *[_hourly(court, parts)[1]] * 2],
        strict=True,
    ):
        fen = _slot_fen(hourly, slot)
        rules.append(
            _rule(
                span,
                fen,
                member=fen * 8 // 1000 * 100,
                concession=fen // 200 * 100 if venue.is_public else None,
                band=PriceBand.REGULAR,
                day_type=day_type,
                priority=priority,
            )
        )
    fen = _slot_fen(_hourly(court, parts)[2], slot)
    rules.append(
        _rule(
            DAY,
            fen,
            member=fen * 8 // 1000 * 100,
            concession=fen // 200 * 100 if venue.is_public else None,
            band=PriceBand.REGULAR,
            day_type=DayType.HOLIDAY,
            priority=20,
        )
    )
    return rules


def programme_rules(court: Court, market_fen: int) -> list[PriceRuleData]:
    """Prices of a programme venue from the market price: off-peak 50%, peak and
    holidays 70% (members 90% of that), concession 40%, free Mon/Wed/Fri mornings."""
    slot = court.slot_minutes
    market = market_fen / 100
    concession = max(_slot_fen(market * 0.4, slot), 0)

    def priced(
        share: float, span: tuple[time, time], day_type: str, priority: int
    ) -> PriceRuleData:
        fen = _slot_fen(market * share, slot)
        if fen == 0:  # a very low market price: these hours are simply free
            return _rule(
                span,
                0,
                member=None,
                concession=None,
                band=PriceBand.FREE,
                day_type=day_type,
                priority=priority,
            )
        return _rule(
            span,
            fen,
            member=fen * 9 // 1000 * 100,
            concession=min(concession, fen),
            band=PriceBand.LOW_COST,
            day_type=day_type,
            priority=priority,
        )

    return [
        priced(0.5, DAY, "", 0),
        priced(0.7, EVENING, DayType.WORKDAY, 10),
        priced(0.7, DAY, DayType.WEEKEND, 10),
        priced(0.7, DAY, DayType.HOLIDAY, 20),
        _rule(
            MORNING,
            0,
            member=None,
            concession=None,
            band=PriceBand.FREE,
            weekdays=MON_WED_FRI,
            day_type=DayType.WORKDAY,
            priority=30,
        ),
    ]


FREE_ALL_DAY = [
    _rule(DAY, 0, member=None, concession=None, band=PriceBand.FREE),
]


def _groups(courts: list[Court]) -> list[list[Court]]:
    """Courts priced alike: same sports, slot length, and hall-or-not; in court order."""
    groups: dict[tuple[Any, ...], list[Court]] = {}
    has_parts = {c.parent_id for c in courts if c.parent_id}
    for court in courts:
        key = (
            tuple(sorted(s.code for s in court.sports.all())),
            court.slot_minutes,
            court.pk in has_parts,
            len([c for c in courts if c.parent_id == court.pk]),
        )
        groups.setdefault(key, []).append(court)
    return list(groups.values())


def _declare_missing_market_price(actor: Any, venue: Venue, court: Court) -> int:
    """A programme venue must declare a market price before it prices a court: declare
    one from the table for the court's first sport, and return the court's price."""
    sport = court.sports.all()[0]
    fen = HOURLY_YUAN.get(sport.code, DEFAULT_YUAN)[1] * 100
    market_price_set(actor=actor, venue_id=venue.pk, sport_code=sport.code, price_fen=fen)
    return court_market_price_fen(court) or fen


def seed_venue_prices(actor: Any, venue: Venue) -> int:
    """Price every active court of one venue; returns the number of rules written."""
    courts = [c for c in venue.courts.all() if c.is_active and c.sports.all()]
    written = 0
    for group in _groups(courts):
        first = group[0]
        first.venue = venue
        parts = [c for c in courts if c.parent_id == first.pk]
        if venue.kind == VenueKind.COMMUNITY_COURT:
            rules = FREE_ALL_DAY
        elif venue.free_low_cost:
            market = court_market_price_fen(first)
            if market is None:
                market = _declare_missing_market_price(actor, venue, first)
            rules = programme_rules(first, market)
        else:
            rules = table_rules(first, parts, venue)
        price_rules_set(actor=actor, venue_id=venue.pk, court_id=first.pk, rules=rules)
        written += len(rules)
        if len(group) > 1:
            written += price_rules_copy(
                actor=actor,
                venue_id=venue.pk,
                from_court_id=first.pk,
                to_court_ids=[c.pk for c in group[1:]],
            )
    return written


def seed_prices(
    actor: Any, venues: Iterable[Venue], write: Callable[[str], None] | None = None
) -> int:
    """Give every bookable court of ``venues`` its price rules; returns how many rules."""
    ids = [v.pk for v in venues]
    rows = (
        Venue.objects.filter(pk__in=ids, courts__isnull=False)
        .distinct()
        .order_by("pk")
        .prefetch_related("courts__sports")
    )
    total = 0
    for venue in rows:
        total += seed_venue_prices(actor, venue)
    if write is not None:
        write(f"  {total} price rules")
    return total
