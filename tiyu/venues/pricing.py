"""Slot prices: which price rule covers a court's slot, under the holiday calendar.

``PriceBook.load`` reads the rules of a set of courts and the calendar for a date
range in two queries; every later ``price`` call is arithmetic. The slot grid and
the hold service both price through it, so a price shown is the price charged.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, time

from tiyu.venues.models import DayType, Holiday, HolidayKind, PriceRule


class Tier:
    """Who pays: everyone, a member of the venue, a verified concession group."""

    REGULAR = "regular"
    MEMBER = "member"
    CONCESSION = "concession"


@dataclass(frozen=True)
class SlotPrice:
    """The prices of one slot; ``band`` says whether it is a free/low-cost hour."""

    fen: int
    member_fen: int | None
    concession_fen: int | None
    band: str
    rule_id: int

    def for_tiers(self, tiers: Iterable[str]) -> int:
        """The lowest price among the tiers a resident qualifies for."""
        best = self.fen
        for tier in tiers:
            if tier == Tier.MEMBER and self.member_fen is not None:
                best = min(best, self.member_fen)
            elif tier == Tier.CONCESSION and self.concession_fen is not None:
                best = min(best, self.concession_fen)
        return best


def day_type_of(day: date, calendar: dict[date, str]) -> str:
    """Holiday calendar first, then the weekday: a make-up workday is a workday."""
    kind = calendar.get(day)
    if kind == HolidayKind.HOLIDAY:
        return DayType.HOLIDAY
    if kind == HolidayKind.WORKDAY:
        return DayType.WORKDAY
    return DayType.WEEKEND if day.weekday() >= 5 else DayType.WORKDAY


def rule_applies(rule: PriceRule, day: date, day_type: str, start: time, end: time) -> bool:
    """Whether ``rule`` covers the slot ``start``–``end`` on ``day``."""
    if rule.date_from and day < rule.date_from:
        return False
    if rule.date_to and day > rule.date_to:
        return False
    if rule.weekdays[day.weekday()] != "1":
        return False
    if rule.day_type and rule.day_type != day_type:
        return False
    return rule.starts <= start and end <= rule.ends


class PriceBook:
    """The price rules of some courts and the calendar over a date range, loaded once."""

    def __init__(self, rules: Iterable[PriceRule], calendar: dict[date, str]) -> None:
        self.calendar = calendar
        self.rules: dict[int, list[PriceRule]] = defaultdict(list)
        for rule in sorted(rules, key=lambda r: (-r.priority, -r.pk)):
            self.rules[rule.court_id].append(rule)

    @classmethod
    def load(cls, court_ids: Iterable[int], first: date, last: date) -> PriceBook:
        """Two queries: the courts' rules overlapping the range, and its calendar dates."""
        rules = (
            PriceRule.objects.filter(court_id__in=list(court_ids))
            .exclude(date_to__lt=first)
            .exclude(date_from__gt=last)
        )
        calendar = dict(
            Holiday.objects.filter(date__range=(first, last)).values_list("date", "kind")
        )
        return cls(rules, calendar)

    def day_type(self, day: date) -> str:
        """The day type of ``day`` under the loaded calendar."""
        return day_type_of(day, self.calendar)

    def price(self, court_id: int, day: date, start: time, end: time) -> SlotPrice | None:
        """The winning rule's prices for the slot, or None when no rule prices it."""
        day_type = self.day_type(day)
        for rule in self.rules.get(court_id, ()):
            if rule_applies(rule, day, day_type, start, end):
                return SlotPrice(
                    fen=rule.price_fen,
                    member_fen=rule.member_price_fen,
                    concession_fen=rule.concession_price_fen,
                    band=rule.band,
                    rule_id=rule.pk,
                )
        return None
