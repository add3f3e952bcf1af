"""Write path of lighting: save a zone, switch a zone by hand.

The planner (``tiyu.lighting.jobs.lights_plan``) is the other writer; all of them
hand commands to ``tiyu.devices.services.command_issue``, which the devices app
delivers and retries until the controller acknowledges.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tiyu.core import audit
from tiyu.core.errors import Conflict, NotFound, PermissionDenied, validation_error
from tiyu.devices.models import Device, DeviceCommand, DeviceKind
from tiyu.devices.services import command_issue
from tiyu.lighting.models import MAX_GRACE_MINUTES, MAX_LEAD_MINUTES, LightZone
from tiyu.lighting.plan import planned_on_at
from tiyu.regions.scope import get_scoped, scope_for
from tiyu.venues.models import Court
from tiyu.venues.selectors import venue_scoped_get

NAME_MAX = 64
CHANNEL_MAX = 32
OVERRIDE_MAX = timedelta(hours=24)
ON, OFF = "light_on", "light_off"


def command_payload(zone: LightZone) -> dict[str, Any]:
    """What the controller receives with every command of the zone."""
    return {"zone": zone.pk, "channel": zone.channel}


def _minutes(field: str, value: int, limit: int) -> int:
    if not isinstance(value, int) or value < 0 or value > limit:
        raise validation_error(
            field, _("请输入 0 到 %(n)s 之间的分钟数。") % {"n": limit}, "minutes_invalid"
        )
    return value


@transaction.atomic
def zone_save(
    *,
    actor: Any,
    venue_id: int,
    name: str,
    controller_id: int,
    court_ids: Sequence[int],
    lead_minutes: int = 5,
    grace_minutes: int = 0,
    channel: str = "",
    zone_id: int | None = None,
) -> LightZone:
    """Create a zone (or change ``zone_id``) of a venue the actor manages.

    Its courts must be the venue's; its controller a working light controller of
    the venue. The next planner run follows the new settings.
    """
    venue = venue_scoped_get(actor, venue_id, manage=True)
    zone = None
    if zone_id is not None:
        zone = LightZone.objects.select_for_update().filter(pk=zone_id, venue=venue).first()
        if zone is None:
            raise NotFound("zone_not_found", _("未找到该灯光分区。"))
    name = (name or "").strip()
    if not name:
        raise validation_error("name", _("此项必填。"), "required")
    if len(name) > NAME_MAX:
        raise validation_error("name", _("不能超过 %(n)s 个字符。") % {"n": NAME_MAX}, "too_long")
    taken = LightZone.objects.filter(venue=venue, name=name)
    if zone is not None:
        taken = taken.exclude(pk=zone.pk)
    if taken.exists():
        raise validation_error("name", _("本馆已有同名的灯光分区。"), "name_taken")
    channel = (channel or "").strip()
    if len(channel) > CHANNEL_MAX:
        raise validation_error(
            "channel", _("不能超过 %(n)s 个字符。") % {"n": CHANNEL_MAX}, "too_long"
        )
    lead = _minutes("lead_minutes", lead_minutes, MAX_LEAD_MINUTES)
    grace = _minutes("grace_minutes", grace_minutes, MAX_GRACE_MINUTES)
    controller = Device.objects.filter(
        pk=controller_id, venue=venue, kind=DeviceKind.LIGHT_CONTROLLER, revoked_at__isnull=True
    ).first()
    if controller is None:
        raise validation_error(
            "controller_id", _("请选择本馆在用的灯光控制器。"), "controller_invalid"
        )
    ids = sorted(set(court_ids))
    if not ids:
        raise validation_error("court_ids", _("请至少选择一块场地。"), "courts_required")
    courts = list(Court.objects.filter(pk__in=ids, venue=venue))
    if len(courts) != len(ids):
        raise validation_error("court_ids", _("只能选择本馆的场地。"), "court_invalid")
    created = zone is None
    if zone is None:
        zone = LightZone(venue=venue)
    zone.name = name
    zone.controller = controller
    zone.lead_minutes = lead
    zone.grace_minutes = grace
    zone.channel = channel
    zone.save()
    zone.courts.set(courts)
    audit.log(
        "lighting.zone_created" if created else "lighting.zone_updated",
        actor,
        zone,
        {
            "name": name,
            "controller": controller.pk,
            "courts": ids,
            "lead_minutes": lead,
            "grace_minutes": grace,
            "channel": channel,
        },
    )
    return zone


def zone_for_switching(actor: Any, zone_id: int) -> LightZone:
    """A zone the actor may switch by hand: the venue's staff and managers, platform admins.

    Someone who may only read the zone (an official of the region) is refused with
    a 403; a zone the actor cannot see at all is a 404.
    """
    zone = get_scoped(LightZone.objects.select_related("controller", "venue"), actor, pk=zone_id)
    scope = scope_for(actor)
    if not (scope.everything or zone.venue_id in scope.venue_ids):
        raise PermissionDenied("not_venue_staff", _("只有本馆工作人员可以手动开关灯。"))
    return zone


@transaction.atomic
def light_override(
    *,
    actor: Any,
    zone_id: int,
    on: bool,
    until: datetime | None = None,
    now: datetime | None = None,
) -> DeviceCommand:
    """Switch a zone on or off now, by hand; returns the command issued.

    Without ``until`` the lights stay so until the plan's next command. With it,
    at ``until`` the zone goes back to what the plan wants then (lit if a booking
    covers that moment, dark otherwise), decided now.
    """
    now = now or timezone.now()
    zone = zone_for_switching(actor, zone_id)
    if until is not None:
        if timezone.is_naive(until):
            raise validation_error("until", _("请填写带时区的时间。"), "until_invalid")
        if until <= now or until > now + OVERRIDE_MAX:
            raise validation_error(
                "until", _("结束时间须在现在之后的 24 小时内。"), "until_invalid"
            )
    if zone.controller.is_revoked:
        raise Conflict("controller_revoked", _("该分区的灯光控制器已停用。"))
    key = f"light:{zone.pk}:manual:{uuid.uuid4().hex}"
    action = ON if on else OFF
    command = command_issue(
        device_id=zone.controller_id,
        action=action,
        key=key,
        payload=command_payload(zone),
        due_at=now,
    )
    back = None
    if until is not None:
        back = ON if planned_on_at(zone, until) else OFF
        if back != action:
            command_issue(
                device_id=zone.controller_id,
                action=back,
                key=f"{key}:end",
                payload=command_payload(zone),
                due_at=until,
            )
        else:
            back = None
    audit.log(
        "lighting.override",
        actor,
        zone,
        {"on": on, "key": key, "until": until.isoformat() if until else None, "then": back},
    )
    return command
