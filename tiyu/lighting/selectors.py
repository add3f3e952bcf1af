"""Reading lighting through the data scope: zones and their state, commands, lit vs booked."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tiyu.booking.timegrid import CourtTree
from tiyu.core.errors import validation_error
from tiyu.devices.models import CommandStatus, DeviceCommand
from tiyu.lighting.intervals import (
    Interval,
    clip,
    days_between,
    local_day_bounds,
    merge,
    subtract,
    total_hours,
)
from tiyu.lighting.models import LightZone
from tiyu.lighting.plan import BOOKED_STATUSES, booked_intervals, lighting_courts
from tiyu.lighting.services import ON
from tiyu.regions.scope import get_scoped, restrict
from tiyu.venues.models import Court, Venue
from tiyu.venues.selectors import venue_scoped_get

REPORT_MAX_DAYS = 93
REPORT_YEARS = (2000, 2100)
LIGHT_ACTIONS = ("light_on", "light_off")


def zones_visible(user: Any, *, venue_id: int | None = None) -> QuerySet[LightZone]:
    """The zones the user may see (a venue's people, officials of its region, admins)."""
    qs = restrict(
        LightZone.objects.select_related("controller", "venue").prefetch_related("courts"), user
    )
    return qs.filter(venue_id=venue_id) if venue_id is not None else qs


def zone_get(user: Any, zone_id: int, *, manage: bool = False) -> LightZone:
    """One zone in scope, else 404."""
    return get_scoped(
        LightZone.objects.select_related("controller", "venue").prefetch_related("courts"),
        user,
        manage=manage,
        pk=zone_id,
    )


def zone_commands(zone: LightZone) -> QuerySet[DeviceCommand]:
    """Every command issued for the zone (planned and by hand), newest due first."""
    return DeviceCommand.objects.filter(key__startswith=zone.key_prefix).order_by("-due_at", "-id")


def command_origin(command: DeviceCommand) -> str:
    """``plan`` or ``manual``, read from the key."""
    return "manual" if ":manual:" in command.key else "plan"


@dataclass
class ZoneState:
    """A zone with what its controller last confirmed and what comes next."""

    zone: LightZone
    lit: bool | None  # None: no command acknowledged yet
    since: datetime | None
    last: DeviceCommand | None
    upcoming: list[DeviceCommand] = field(default_factory=list)
    waiting: list[DeviceCommand] = field(default_factory=list)  # sent, not yet acknowledged


def zone_states(
    user: Any, venue_id: int, *, now: datetime | None = None, upcoming: int = 6
) -> list[ZoneState]:
    """The venue's zones in scope, each with its last acknowledged command and the next ones."""
    now = now or timezone.now()
    out = []
    for zone in zones_visible(user, venue_id=venue_id):
        commands = zone_commands(zone)
        last = commands.filter(status=CommandStatus.ACKED).order_by("-acked_at", "-id").first()
        out.append(
            ZoneState(
                zone=zone,
                lit=None if last is None else last.action == ON,
                since=last.acked_at if last else None,
                last=last,
                upcoming=list(
                    commands.filter(status=CommandStatus.PENDING).order_by("due_at", "id")[
                        :upcoming
                    ]
                ),
                waiting=list(commands.filter(status=CommandStatus.SENT).order_by("due_at")),
            )
        )
    return out


def lit_intervals(zone: LightZone, start: datetime, end: datetime, now: datetime) -> list[Interval]:
    """When the zone was lit in [start, end): from each acknowledged "on" to the next
    acknowledged "off" (acknowledgement times); still lit counts up to ``now``."""
    acked = DeviceCommand.objects.filter(
        key__startswith=zone.key_prefix, status=CommandStatus.ACKED, action__in=LIGHT_ACTIONS
    )
    before = acked.filter(acked_at__lt=start).order_by("-acked_at", "-id").first()
    during = acked.filter(acked_at__gte=start, acked_at__lt=end).order_by("acked_at", "id")
    out: list[Interval] = []
    lit_since: datetime | None = start if before is not None and before.action == ON else None
    for command in during:
        moment = command.acked_at
        assert moment is not None
        if command.action == ON:
            if lit_since is None:
                lit_since = moment
        elif lit_since is not None:
            out.append((lit_since, moment))
            lit_since = None
    if lit_since is not None:
        stop = min(end, now)
        if lit_since < stop:
            out.append((lit_since, stop))
    return out


@dataclass(frozen=True)
class DayFigures:
    """Hours of one zone (or all zones) on one local day."""

    day: date
    booked: float
    lit: float
    lit_unbooked: float


@dataclass
class ZoneReport:
    zone: LightZone
    days: list[DayFigures]

    @property
    def booked(self) -> float:
        return sum(d.booked for d in self.days)

    @property
    def lit(self) -> float:
        return sum(d.lit for d in self.days)

    @property
    def lit_unbooked(self) -> float:
        return sum(d.lit_unbooked for d in self.days)


@dataclass
class LightingReport:
    venue: Venue
    start: date
    end: date
    zones: list[ZoneReport]
    days: list[DayFigures]  # all zones added up

    @property
    def booked(self) -> float:
        return sum(d.booked for d in self.days)

    @property
    def lit(self) -> float:
        return sum(d.lit for d in self.days)

    @property
    def lit_unbooked(self) -> float:
        return sum(d.lit_unbooked for d in self.days)


def _round(hours: float) -> float:
    return round(hours, 2)


def lighting_report(
    user: Any, venue_id: int, *, start: date, end: date, now: datetime | None = None
) -> LightingReport:
    """Booked hours against lit hours per zone and local day, from ``start`` to ``end``.

    Booked: time when any court lighting the zone has a paid slot (also no-shows:
    the lights were due on for them). Lit: from acknowledged commands. Lit without
    booking: lit time outside booked time (lead minutes, overrides, lights left on).
    """
    now = now or timezone.now()
    for name, day in (("from", start), ("to", end)):
        if not REPORT_YEARS[0] <= day.year <= REPORT_YEARS[1]:
            raise validation_error(name, _("日期超出范围。"), "date_invalid")
    if end < start:
        raise validation_error("to", _("结束日期不能早于开始日期。"), "range_invalid")
    if (end - start).days + 1 > REPORT_MAX_DAYS:
        raise validation_error(
            "to", _("一次最多查询 %(n)s 天。") % {"n": REPORT_MAX_DAYS}, "range_too_long"
        )
    venue = venue_scoped_get(user, venue_id)
    days = days_between(start, end)
    range_start, _x = local_day_bounds(start)
    _y, range_end = local_day_bounds(end)
    tree = CourtTree(Court.objects.filter(venue_id=venue.pk))
    zones = []
    for zone in zones_visible(user, venue_id=venue.pk):
        booked = booked_intervals(
            zone,
            range_start,
            range_end,
            statuses=BOOKED_STATUSES,
            court_ids=lighting_courts(zone, tree),
        )
        lit = merge(lit_intervals(zone, range_start, range_end, now))
        figures = []
        for day in days:
            lo, hi = local_day_bounds(day)
            b, lt = clip(booked, lo, hi), clip(lit, lo, hi)
            figures.append(
                DayFigures(
                    day,
                    _round(total_hours(b)),
                    _round(total_hours(lt)),
                    _round(total_hours(subtract(lt, b))),
                )
            )
        zones.append(ZoneReport(zone, figures))
    totals = [
        DayFigures(
            day,
            _round(sum(z.days[i].booked for z in zones)),
            _round(sum(z.days[i].lit for z in zones)),
            _round(sum(z.days[i].lit_unbooked for z in zones)),
        )
        for i, day in enumerate(days)
    ]
    return LightingReport(venue, start, end, zones, totals)


def last_days(days: int = 7) -> tuple[date, date]:
    """The last ``days`` local days, today included."""
    today = timezone.localdate()
    return today - timedelta(days=days - 1), today
