"""``/api/v1/lighting``: zones, manual switching, commands of a zone, lit vs booked hours.

Reads are scoped (the venue's people, officials of its region); saving a zone is for
the venue's managers; switching by hand for its staff and managers. Creating a
zone and switching honour ``Idempotency-Key``.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from ninja import Query, Router, Schema
from pydantic import Field

from tiyu.accounts.api_auth import require_user
from tiyu.core.errors import validation_error
from tiyu.core.idempotency import run_idempotent
from tiyu.devices.models import DeviceCommand
from tiyu.lighting import selectors, services
from tiyu.lighting.models import MAX_GRACE_MINUTES, MAX_LEAD_MINUTES, LightZone

router = Router(tags=["lighting"])
ERRORS = {400: dict, 401: dict, 403: dict, 404: dict, 409: dict, 422: dict}


class ZoneOut(Schema):
    id: int
    venue_id: int
    name: str
    controller_id: int
    channel: str
    court_ids: list[int]
    lead_minutes: int
    grace_minutes: int
    lit: bool | None = Field(description="last acknowledged command: on, off, or none yet")
    lit_since: datetime | None


class ZoneIn(Schema):
    venue_id: int
    name: str = Field(max_length=64)
    controller_id: int
    court_ids: list[int] = Field(max_length=200)
    lead_minutes: int = Field(5, ge=0, le=MAX_LEAD_MINUTES)
    grace_minutes: int = Field(0, ge=0, le=MAX_GRACE_MINUTES)
    channel: str = Field("", max_length=32)


class ZoneEdit(Schema):
    name: str = Field(max_length=64)
    controller_id: int
    court_ids: list[int] = Field(max_length=200)
    lead_minutes: int = Field(5, ge=0, le=MAX_LEAD_MINUTES)
    grace_minutes: int = Field(0, ge=0, le=MAX_GRACE_MINUTES)
    channel: str = Field("", max_length=32)


class OverrideIn(Schema):
    on: bool
    until: datetime | None = Field(
        None, description="optional: back to the plan at this time (within 24 hours)"
    )


class CommandOut(Schema):
    id: int
    key: str
    origin: str = Field(description="plan or manual")
    action: str
    status: str
    attempts: int
    due_at: datetime
    sent_at: datetime | None
    acked_at: datetime | None


class ZonesQuery(Schema):
    venue_id: int | None = None


class ReportQuery(Schema):
    venue_id: int
    start: date | None = Field(None, alias="from")
    end: date | None = Field(None, alias="to")


class DayOut(Schema):
    day: date
    booked_hours: float
    lit_hours: float
    lit_unbooked_hours: float


class ZoneReportOut(Schema):
    zone_id: int
    name: str
    booked_hours: float
    lit_hours: float
    lit_unbooked_hours: float
    days: list[DayOut]


class ReportOut(Schema):
    venue_id: int
    start: date = Field(serialization_alias="from")
    end: date = Field(serialization_alias="to")
    booked_hours: float
    lit_hours: float
    lit_unbooked_hours: float
    days: list[DayOut]
    zones: list[ZoneReportOut]


def zone_out(zone: LightZone, state: selectors.ZoneState | None = None) -> dict[str, Any]:
    return {
        "id": zone.pk,
        "venue_id": zone.venue_id,
        "name": zone.name,
        "controller_id": zone.controller_id,
        "channel": zone.channel,
        "court_ids": sorted(c.pk for c in zone.courts.all()),
        "lead_minutes": zone.lead_minutes,
        "grace_minutes": zone.grace_minutes,
        "lit": state.lit if state else None,
        "lit_since": state.since if state else None,
    }


def command_out(c: DeviceCommand) -> dict[str, Any]:
    return {
        "id": c.pk,
        "key": c.key,
        "origin": selectors.command_origin(c),
        "action": c.action,
        "status": c.status,
        "attempts": c.attempts,
        "due_at": c.due_at,
        "sent_at": c.sent_at,
        "acked_at": c.acked_at,
    }


def _day_out(d: selectors.DayFigures) -> dict[str, Any]:
    return {
        "day": d.day,
        "booked_hours": d.booked,
        "lit_hours": d.lit,
        "lit_unbooked_hours": d.lit_unbooked,
    }


@router.get("/zones", response={200: list[ZoneOut], **ERRORS}, summary="Light zones I can see")
def zones(request: HttpRequest, q: Query[ZonesQuery]) -> list[dict]:
    user = require_user(request)
    if q.venue_id is not None:
        return [zone_out(s.zone, s) for s in selectors.zone_states(user, q.venue_id)]
    return [zone_out(z) for z in selectors.zones_visible(user)[:500]]


@router.post("/zones", response={201: ZoneOut, **ERRORS}, summary="Create a light zone")
def zone_create(request: HttpRequest, payload: ZoneIn) -> tuple[int, dict]:
    user = require_user(request)

    def action() -> tuple[int, dict]:
        zone = services.zone_save(actor=user, **payload.dict())
        return 201, ZoneOut(**zone_out(zone)).model_dump(mode="json")

    return run_idempotent(
        key=request.headers.get("Idempotency-Key"),
        scope="lighting.zone_create",
        user=user,
        payload=payload.dict(),
        action=action,
    )


@router.put("/zones/{zone_id}", response={200: ZoneOut, **ERRORS}, summary="Change a light zone")
def zone_edit(request: HttpRequest, zone_id: int, payload: ZoneEdit) -> dict:
    user = require_user(request)
    zone = selectors.zone_get(user, zone_id, manage=True)
    zone = services.zone_save(actor=user, venue_id=zone.venue_id, zone_id=zone.pk, **payload.dict())
    return zone_out(zone)


@router.post(
    "/zones/{zone_id}/override",
    response={201: CommandOut, **ERRORS},
    summary="Switch a zone on or off now (venue staff and managers)",
)
def override(request: HttpRequest, zone_id: int, payload: OverrideIn) -> tuple[int, dict]:
    user = require_user(request)

    def action() -> tuple[int, dict]:
        command = services.light_override(
            actor=user, zone_id=zone_id, on=payload.on, until=payload.until
        )
        return 201, CommandOut(**command_out(command)).model_dump(mode="json")

    return run_idempotent(
        key=request.headers.get("Idempotency-Key"),
        scope=f"lighting.override:{zone_id}",
        user=user,
        payload=payload.dict(),
        action=action,
    )


@router.get(
    "/zones/{zone_id}/commands",
    response={200: list[CommandOut], **ERRORS},
    summary="A zone's commands (planned and manual), newest first",
)
def commands(request: HttpRequest, zone_id: int) -> list[dict]:
    zone = selectors.zone_get(require_user(request), zone_id)
    return [command_out(c) for c in selectors.zone_commands(zone)[:100]]


@router.get(
    "/report",
    response={200: ReportOut, **ERRORS},
    summary="Booked vs lit hours per zone and day (default: the last 7 days)",
    by_alias=True,
)
def report(request: HttpRequest, q: Query[ReportQuery]) -> dict:
    user = require_user(request)
    first, last = selectors.last_days(7)
    try:
        start = q.start or (q.end - (last - first) if q.end else first)
        end = q.end or (q.start + (last - first) if q.start else last)
    except OverflowError:
        raise validation_error("from", _("日期超出范围。"), "date_invalid") from None
    r = selectors.lighting_report(user, q.venue_id, start=start, end=end)
    return {
        "venue_id": r.venue.pk,
        "start": r.start,
        "end": r.end,
        "booked_hours": round(r.booked, 2),
        "lit_hours": round(r.lit, 2),
        "lit_unbooked_hours": round(r.lit_unbooked, 2),
        "days": [_day_out(d) for d in r.days],
        "zones": [
            {
                "zone_id": z.zone.pk,
                "name": z.zone.name,
                "booked_hours": round(z.booked, 2),
                "lit_hours": round(z.lit, 2),
                "lit_unbooked_hours": round(z.lit_unbooked, 2),
                "days": [_day_out(d) for d in z.days],
            }
            for z in r.zones
        ],
    }
