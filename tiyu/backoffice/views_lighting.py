"""Lighting pages: a venue's zones (state, manual on/off, planned commands), the booked-vs-lit
chart of the last 7 days, and the zone form.

Everyone whose scope reaches the venue reads the page; its staff and managers switch
lights by hand; its managers edit zones. Each write is one service call; a refusal
is shown with its status and changes nothing.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from tiyu.backoffice import forms as bf
from tiyu.backoffice.views import backoffice_view
from tiyu.core.errors import DomainError, NotFound
from tiyu.devices.models import DeviceKind
from tiyu.devices.selectors import devices_visible
from tiyu.lighting import selectors, services
from tiyu.lighting.models import MAX_GRACE_MINUTES, MAX_LEAD_MINUTES
from tiyu.regions.scope import scope_for
from tiyu.venues.models import Venue
from tiyu.venues.selectors import venue_can_manage, venue_scoped_get

REPORT_DAYS = 7
HOLD_CHOICES = [
    ("", _("直到下一条计划指令")),
    ("30", _("30 分钟")),
    ("60", _("1 小时")),
    ("120", _("2 小时")),
    ("240", _("4 小时")),
]


def _can_switch(user: Any, venue_id: int) -> bool:
    scope = scope_for(user)
    return scope.everything or venue_id in scope.venue_ids


def _chart(report: selectors.LightingReport) -> dict[str, Any]:
    return {
        "days": [d.day.strftime("%m-%d") for d in report.days],
        "booked": [d.booked for d in report.days],
        "lit": [d.lit for d in report.days],
        "waste": [d.lit_unbooked for d in report.days],
        "labels": {
            "booked": str(_("预订小时")),
            "lit": str(_("亮灯小时")),
            "waste": str(_("无预订亮灯")),
            "unit": str(_("小时")),
        },
    }


@backoffice_view
def lighting(request: HttpRequest, venue_id: int) -> HttpResponse:
    """Zones with their last confirmed state, switches, what the plan sends next, the report."""
    venue = venue_scoped_get(request.user, venue_id)
    start, end = selectors.last_days(REPORT_DAYS)
    report = selectors.lighting_report(request.user, venue.pk, start=start, end=end)
    states = selectors.zone_states(request.user, venue.pk)
    figures = {z.zone.pk: z for z in report.zones}
    for s in states:
        s.week = figures.get(s.zone.pk)  # type: ignore[attr-defined]
    return render(
        request,
        "backoffice/lighting/venue.html",
        {
            "venue": venue,
            "tab": "lighting",
            "can_manage": venue_can_manage(request.user, venue.pk),
            "can_switch": _can_switch(request.user, venue.pk),
            "states": states,
            "report": report,
            "chart": _chart(report),
            "hold_choices": HOLD_CHOICES,
            "now": timezone.now(),
        },
    )


class ZoneForm(bf.BootstrapMixin, forms.Form):
    """A light zone: which controller channel lights which courts, how early and how late."""

    name = forms.CharField(label=_("名称"), max_length=64)
    controller_id = forms.TypedChoiceField(label=_("灯光控制器"), coerce=int)
    channel = forms.CharField(
        label=_("回路"),
        max_length=32,
        required=False,
        help_text=_("随指令发给控制器，例如回路编号。"),
    )
    court_ids = forms.TypedMultipleChoiceField(
        label=_("场地"), coerce=int, widget=forms.CheckboxSelectMultiple
    )
    lead_minutes = forms.IntegerField(
        label=_("提前开灯（分钟）"),
        min_value=0,
        max_value=MAX_LEAD_MINUTES,
        initial=5,
        help_text=_("预订开始前多少分钟开灯。"),
    )
    grace_minutes = forms.IntegerField(
        label=_("延后关灯（分钟）"),
        min_value=0,
        max_value=MAX_GRACE_MINUTES,
        initial=0,
        help_text=_("预订结束后多少分钟关灯；紧接着的下一场已预订时不关灯。"),
    )

    def __init__(
        self,
        *args: Any,
        controllers: list[tuple[int, str]],
        courts: list[tuple[int, str]],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        bf._choice_field(self, "controller_id").choices = controllers
        bf._choice_field(self, "court_ids").choices = courts


def _court_choices(venue: Venue) -> list[tuple[int, str]]:
    courts = list(venue.courts.all())
    names = {c.pk: c.name for c in courts}
    return [
        (c.pk, f"{names[c.parent_id]} · {c.name}" if c.parent_id in names else c.name)
        for c in courts
    ]


@backoffice_view
def zone_form(request: HttpRequest, venue_id: int, zone_id: int | None = None) -> HttpResponse:
    """Add a zone, or change ``zone_id`` (the venue's managers)."""
    venue = venue_scoped_get(request.user, venue_id, manage=True)
    zone = None
    initial: dict[str, Any] = {}
    if zone_id is not None:
        zone = selectors.zone_get(request.user, zone_id, manage=True)
        if zone.venue_id != venue.pk:
            raise NotFound()
        initial = {
            "name": zone.name,
            "controller_id": zone.controller_id,
            "channel": zone.channel,
            "court_ids": [c.pk for c in zone.courts.all()],
            "lead_minutes": zone.lead_minutes,
            "grace_minutes": zone.grace_minutes,
        }
    controllers = [
        (d.pk, d.name)
        for d in devices_visible(request.user, venue_id=venue.pk).filter(
            kind=DeviceKind.LIGHT_CONTROLLER, revoked_at__isnull=True
        )
    ]
    form = ZoneForm(
        request.POST or None,
        initial=initial,
        controllers=controllers,
        courts=_court_choices(venue),
    )
    status = 400 if form.is_bound else 200
    error = None
    if request.method == "POST" and form.is_valid():
        try:
            services.zone_save(
                actor=request.user, venue_id=venue.pk, zone_id=zone_id, **form.cleaned_data
            )
        except DomainError as refusal:
            status = bf.show_refusal(form, refusal)
            error = refusal.as_dict()
        else:
            messages.success(request, _("灯光分区已保存。"))
            return redirect("backoffice:lighting", venue.pk)
    return render(
        request,
        "backoffice/lighting/zone_form.html",
        {
            "venue": venue,
            "tab": "lighting",
            "can_manage": True,
            "zone": zone,
            "form": form,
            "error": error,
            "no_controllers": not controllers,
        },
        status=status,
    )


@require_POST
@backoffice_view
def zone_switch(request: HttpRequest, venue_id: int, zone_id: int) -> HttpResponse:
    """Switch a zone on or off by hand, optionally for a while."""
    zone = selectors.zone_get(request.user, zone_id)
    if zone.venue_id != venue_id:
        raise NotFound()
    on = request.POST.get("on") == "1"
    hold = request.POST.get("hold", "")
    if hold not in dict(HOLD_CHOICES):
        raise DomainError("hold_invalid", _("请选择保持时长。"))
    until = timezone.now() + timedelta(minutes=int(hold)) if hold else None
    services.light_override(actor=request.user, zone_id=zone.pk, on=on, until=until)
    if on:
        messages.success(request, _("已发送开灯指令：%(zone)s。") % {"zone": zone.name})
    else:
        messages.success(request, _("已发送关灯指令：%(zone)s。") % {"zone": zone.name})
    return redirect("backoffice:lighting", venue_id)
