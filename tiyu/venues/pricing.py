"""Slot prices: which price rule covers a court's slot, under the holiday calendar.

``PriceBook.load`` reads the rules of a set of courts and the calendar for a date
range in two queries; every later ``price`` call is arithmetic. The slot grid and
the hold service both price through it, so a price shown is the price charged.

This module also holds the pricing reads of the back office and the API (the
rules of a court, a year of the calendar, the week preview) and the official
holiday calendar the data migration seeds.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, time, timedelta
from typing import Any

from django.db.models import Count, QuerySet
from django.utils.translation import gettext_lazy as _

from tiyu.core.errors import NotFound
from tiyu.venues.models import Court, DayType, Holiday, HolidayKind, PriceRule

MINUTES_PER_DAY = 24 * 60


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


def minutes(t: time) -> int:
    """Minutes since midnight."""
    return t.hour * 60 + t.minute


def slot_end_minutes(start: time, end: time) -> int:
    """The end of a slot in minutes; a slot ending at 00:00 ends at midnight (1440)."""
    value = minutes(end)
    return MINUTES_PER_DAY if value == 0 and minutes(start) > 0 else value


def day_type_of(day: date, calendar: dict[date, str]) -> str:
    """Holiday calendar first, then the weekday: a make-up workday is a workday."""
    kind = calendar.get(day)
    if kind == HolidayKind.HOLIDAY:
        return DayType.HOLIDAY
    if kind == HolidayKind.WORKDAY:
        return DayType.WORKDAY
    return DayType.WEEKEND if day.weekday() >= 5 else DayType.WORKDAY


def rule_applies(rule: PriceRule, day: date, day_type: str, start: time, end: time) -> bool:
    """Whether ``rule`` covers the slot ``start``–``end`` on ``day``.

    A slot ending at midnight (``end`` 00:00) is covered by no rule, since a rule
    ends by 23:59 at the latest: it stays unpriced rather than priced by accident.
    """
    if rule.date_from and day < rule.date_from:
        return False
    if rule.date_to and day > rule.date_to:
        return False
    if rule.weekdays[day.weekday()] != "1":
        return False
    if rule.day_type and rule.day_type != day_type:
        return False
    return minutes(rule.starts) <= minutes(start) and slot_end_minutes(start, end) <= minutes(
        rule.ends
    )


def winner_order(rule: PriceRule) -> tuple[int, int]:
    """Sort key: the highest priority first, then the newest rule (largest id)."""
    return (-rule.priority, -(rule.pk or 0))


class PriceBook:
    """The price rules of some courts and the calendar over a date range, loaded once."""

    def __init__(self, rules: Iterable[PriceRule], calendar: dict[date, str]) -> None:
        self.calendar = calendar
        self.rules: dict[int, list[PriceRule]] = defaultdict(list)
        for rule in sorted(rules, key=winner_order):
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

    @classmethod
    def for_range(
        cls, rules: Iterable[PriceRule], calendar: dict[date, str], first: date, last: date
    ) -> PriceBook:
        """From already-loaded rules and calendar (see ``tiyu.venues.config``): no query."""
        return cls(
            [
                r
                for r in rules
                if not (r.date_to and r.date_to < first)
                and not (r.date_from and r.date_from > last)
            ],
            {d: kind for d, kind in calendar.items() if first <= d <= last},
        )

    def day_type(self, day: date) -> str:
        """The day type of ``day`` under the loaded calendar."""
        return day_type_of(day, self.calendar)

    def winner(self, court_id: int, day: date, start: time, end: time) -> PriceRule | None:
        """The rule that prices the slot: the first applicable one in winner order."""
        day_type = self.day_type(day)
        for rule in self.rules.get(court_id, ()):
            if rule_applies(rule, day, day_type, start, end):
                return rule
        return None

    def price(self, court_id: int, day: date, start: time, end: time) -> SlotPrice | None:
        """The winning rule's prices for the slot, or None when no rule prices it."""
        rule = self.winner(court_id, day, start, end)
        if rule is None:
            return None
        return SlotPrice(
            fen=rule.price_fen,
            member_fen=rule.member_price_fen,
            concession_fen=rule.concession_price_fen,
            band=rule.band,
            rule_id=rule.pk,
        )


# --- Reads for the back office and the API ---------------------------------------------


def court_rules(court: Court) -> list[PriceRule]:
    """A court's rules in winner order (the first that applies to a slot prices it)."""
    return sorted(court.price_rules.all(), key=winner_order)


def rule_counts(venue: Any) -> dict[int, int]:
    """How many rules each court of a venue has (one query)."""
    rows = (
        PriceRule.objects.filter(court__venue=venue)
        .values("court_id")
        .annotate(n=Count("pk"))
        .order_by()
    )
    return {r["court_id"]: r["n"] for r in rows}


def court_public_get(venue_id: int, court_id: int) -> Court:
    """An active court of a published venue, or 404 (the public may read its prices)."""
    court = (
        Court.objects.select_related("venue")
        .filter(pk=court_id, venue_id=venue_id, venue__is_published=True, is_active=True)
        .first()
    )
    if court is None:
        raise NotFound("court_not_found", _("场地不存在。"))
    return court


def holidays_in_year(year: int) -> QuerySet[Holiday]:
    """The calendar dates of one year (holidays and make-up workdays), by date."""
    return Holiday.objects.filter(date__year=year).order_by("date")


def week_of(day: date) -> list[date]:
    """Monday to Sunday of the week holding ``day``."""
    monday = day - timedelta(days=day.weekday())
    return [monday + timedelta(days=i) for i in range(7)]


@dataclass(frozen=True)
class PreviewDay:
    """A column of the preview: the date, its day type and its calendar name if any."""

    day: date
    day_type: str
    holiday_name: str


@dataclass(frozen=True)
class PreviewCell:
    """One slot of the preview: its price (None: no rule) and whether the venue is open."""

    price: SlotPrice | None
    rule: PriceRule | None
    is_open: bool


@dataclass(frozen=True)
class PreviewRow:
    """A row of the preview: one time slot across the seven days."""

    starts: time
    ends: time
    cells: list[PreviewCell]


@dataclass(frozen=True)
class WeekPreview:
    """What each slot of a court costs in the week (Monday to Sunday) of a date."""

    days: list[PreviewDay]
    rows: list[PreviewRow]


def _time(total: int) -> time:
    return time(total // 60 % 24, total % 60)


def week_preview(court: Court, day: date) -> WeekPreview:
    """Price every slot of ``court`` in the week of ``day`` (three queries).

    Rows run over the slot grid from the earliest opening or rule start to the
    latest closing or rule end; a cell outside the opening hours of its weekday is
    marked closed (holidays keep the weekday's hours).
    """
    days = week_of(day)
    book = PriceBook.load([court.pk], days[0], days[-1])
    names = dict(
        Holiday.objects.filter(date__range=(days[0], days[-1])).values_list("date", "name")
    )
    hours = list(court.venue.opening_hours.all())
    rules = book.rules.get(court.pk, [])
    step = court.slot_minutes
    starts = [minutes(h.opens) for h in hours] + [minutes(r.starts) for r in rules]
    ends = [minutes(h.closes) for h in hours] + [minutes(r.ends) for r in rules]
    first = min(starts, default=8 * 60) // step * step
    last = max(ends, default=22 * 60)
    by_day: dict[int, list[tuple[int, int]]] = defaultdict(list)
    for h in hours:
        by_day[h.weekday].append((minutes(h.opens), minutes(h.closes)))
    rows = []
    for begin in range(first, last - step + 1, step):
        start, end = _time(begin), _time(begin + step)
        cells = []
        for d in days:
            rule = book.winner(court.pk, d, start, end)
            price = book.price(court.pk, d, start, end) if rule else None
            is_open = any(a <= begin and begin + step <= b for a, b in by_day[d.weekday()])
            cells.append(PreviewCell(price, rule, is_open))
        rows.append(PreviewRow(start, end, cells))
    return WeekPreview(
        [PreviewDay(d, book.day_type(d), names.get(d, "")) for d in days],
        rows,
    )


# --- The official holiday calendar ------------------------------------------------------

# (first day, last day, name) of each holiday period, and the make-up working days
# (调休上班) with the holiday they pay for.
# 2026: the State Council notice 国办发明电〔2025〕 of 4 November 2025, as published.
# 2027: NOT published when this was written; a rule-based estimate (legal days of the
# 2024 revision of 《全国年节及纪念日放假办法》, weekends, and the usual make-up
# pattern). Platform admins correct it in the back office when the notice appears.
HolidaySpan = tuple[date, date, str]
OFFICIAL_HOLIDAYS: dict[int, tuple[list[HolidaySpan], list[tuple[date, str]]]] = {
    2026: (
        [
            (date(2026, 1, 1), date(2026, 1, 3), "元旦"),
            (date(2026, 2, 15), date(2026, 2, 23), "春节"),
            (date(2026, 4, 4), date(2026, 4, 6), "清明节"),
            (date(2026, 5, 1), date(2026, 5, 5), "劳动节"),
            (date(2026, 6, 19), date(2026, 6, 21), "端午节"),
            (date(2026, 9, 25), date(2026, 9, 27), "中秋节"),
            (date(2026, 10, 1), date(2026, 10, 7), "国庆节"),
        ],
        [
            (date(2026, 1, 4), "元旦调休"),
            (date(2026, 2, 14), "春节调休"),
            (date(2026, 2, 28), "春节调休"),
            (date(2026, 5, 9), "劳动节调休"),
            (date(2026, 9, 20), "国庆节调休"),
            (date(2026, 10, 10), "国庆节调休"),
        ],
    ),
    2027: (
        [
            (date(2027, 1, 1), date(2027, 1, 3), "元旦"),
            (date(2027, 2, 5), date(2027, 2, 13), "春节"),
            (date(2027, 4, 3), date(2027, 4, 5), "清明节"),
            (date(2027, 5, 1), date(2027, 5, 5), "劳动节"),
            (date(2027, 6, 9), date(2027, 6, 9), "端午节"),
            (date(2027, 9, 15), date(2027, 9, 15), "中秋节"),
            (date(2027, 10, 1), date(2027, 10, 7), "国庆节"),
        ],
        [
            (date(2027, 1, 31), "春节调休"),
            (date(2027, 2, 14), "春节调休"),
            (date(2027, 5, 8), "劳动节调休"),
            (date(2027, 9, 26), "国庆节调休"),
            (date(2027, 10, 9), "国庆节调休"),
        ],
    ),
}


def official_calendar() -> list[tuple[date, str, str]]:
    """Every seeded date as ``(date, kind, name)``, in date order."""
    rows = []
    for spans, workdays in OFFICIAL_HOLIDAYS.values():
        for first, last, name in spans:
            day = first
            while day <= last:
                rows.append((day, HolidayKind.HOLIDAY.value, name))
                day += timedelta(days=1)
        rows += [(day, HolidayKind.WORKDAY.value, name) for day, name in workdays]
    return sorted(rows)


def seed_holidays(model: Any) -> int:
    """Write the official calendar into ``model`` (the migration's or the real Holiday).

    Dates already present are left alone, so an admin's correction survives.
    """
    have = set(model.objects.values_list("date", flat=True))
    rows = [model(date=d, kind=k, name=n) for d, k, n in official_calendar() if d not in have]
    model.objects.bulk_create(rows)
    return len(rows)
