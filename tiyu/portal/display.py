"""Presentation helpers of the resident pages: pure shaping of what selectors return."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, time

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from tiyu.core.errors import DomainError
from tiyu.regions.models import Region
from tiyu.regions.selectors import region_children, region_get, region_path
from tiyu.venues.models import WEEKDAYS as VENUE_WEEKDAYS
from tiyu.venues.models import Closure, Court, OpeningHours, Venue
from tiyu.venues.selectors import VenueFilter, venues_nearest, venues_search

PER_PAGE = 10
WEEKDAYS = [label for _day, label in VENUE_WEEKDAYS]
# Where "nearby" is measured from until the browser tells us where the user is.
DEFAULT_CENTRE = (30.5753, 104.0643)
DEFAULT_CENTRE_NAME = _("成都市")


def region_trail(region: Region) -> list[Region]:
    """Province › city › district, without the nation and without repeated names (重庆市)."""
    trail: list[Region] = []
    for r in region_path(region):
        if r.level > 0 and not (trail and trail[-1].name == r.name):
            trail.append(r)
    return trail


@dataclass
class CourtNode:
    """A court and the smaller courts inside it (a hall and its parts)."""

    court: Court
    parts: list[Court] = field(default_factory=list)


def court_tree(courts: Iterable[Court]) -> list[CourtNode]:
    """Top-level courts with their parts nested, in display order."""
    rows = list(courts)
    nodes = {c.pk: CourtNode(c) for c in rows if c.parent_id is None}
    orphans: list[CourtNode] = []
    for c in rows:
        if c.parent_id is None:
            continue
        parent = nodes.get(c.parent_id)
        if parent is None:
            orphans.append(CourtNode(c))
        else:
            parent.parts.append(c)
    return [*nodes.values(), *orphans]


@dataclass
class DayHours:
    """One weekday of the opening-hours table."""

    weekday: int
    label: str | Promise
    periods: list[tuple[time, time]]
    is_today: bool
    closed_today: Closure | None = None


def week_hours(
    hours: Iterable[OpeningHours], closures: list[Closure], today: date
) -> list[DayHours]:
    """Monday to Sunday with their periods; today's row knows about a closure covering it."""
    days = [DayHours(i, WEEKDAYS[i], [], i == today.weekday()) for i in range(7)]
    for h in hours:
        days[h.weekday].periods.append((h.opens, h.closes))
    today_row = days[today.weekday()]
    today_row.closed_today = next((c for c in closures if c.starts_on <= today <= c.ends_on), None)
    return days


@dataclass
class RegionSelect:
    """One of the province → city → district selects, with its options."""

    name: str
    label: str | Promise
    all_label: str | Promise
    options: list[Region]
    selected: str | None


CASCADE = [
    ("province", _("省份"), _("全部省份")),
    ("city", _("城市"), _("全部城市")),
    ("district", _("区县"), _("全部区县")),
]


def region_cascade(code: str | None) -> list[RegionSelect]:
    """The three selects pre-filled down to ``code`` (an unknown code selects nothing)."""
    chosen: dict[int, str] = {}
    if code:
        try:
            region = region_get(code)
        except DomainError:
            region = None
        if region is not None:
            chosen = {r.level: r.code for r in region_path(region) if r.level > 0}
    selects: list[RegionSelect] = []
    parent: str | None = None
    for level, (name, label, all_label) in enumerate(CASCADE, start=1):
        options = list(region_children(parent)) if level == 1 or parent else []
        selects.append(RegionSelect(name, label, all_label, options, chosen.get(level)))
        parent = chosen.get(level)
    return selects


@dataclass
class ResultPage:
    """One page of search results; ``total`` is None when sorted by distance."""

    venues: list[Venue]
    number: int
    total: int | None
    has_next: bool
    point: tuple[float, float] | None

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def pages(self) -> int | None:
        if self.total is None:
            return None
        return max(1, -(-self.total // PER_PAGE))

    @property
    def first_index(self) -> int:
        return (self.number - 1) * PER_PAGE + 1


def result_page(f: VenueFilter, *, number: int, point: tuple[float, float] | None) -> ResultPage:
    """Run the search (nearest first when a point is given) for one page."""
    offset = (number - 1) * PER_PAGE
    if point is not None:
        rows = venues_nearest(f, lat=point[0], lng=point[1], limit=PER_PAGE + 1, offset=offset)
        return ResultPage(rows[:PER_PAGE], number, None, len(rows) > PER_PAGE, point)
    total, rows = venues_search(f, limit=PER_PAGE, offset=offset)
    return ResultPage(rows, number, total, offset + len(rows) < total, None)
