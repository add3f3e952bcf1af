"""Environment pages: a venue's sensors (tiles, 24-hour charts, alerts, thresholds) and
the alerts list of the signed-in user.

Who sees what is the environment selectors' rule: a venue's staff and managers see
all its alerts; officials see the venue's readings and only escalated alerts in their
region. Every write is one service call; a refusal is shown with its 4xx status and
changes nothing.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from tiyu.backoffice import forms as bf
from tiyu.backoffice.views import PAGE_SIZE, backoffice_view
from tiyu.core.errors import DomainError, PermissionDenied
from tiyu.environment import services
from tiyu.environment.models import Alert
from tiyu.environment.readings import DECIMALS, Metric, label_of, range_text, unit_of
from tiyu.environment.selectors import (
    ThresholdRow,
    alerts_visible,
    environment_venue,
    latest_readings,
    reading_series,
    thresholds_for,
)
from tiyu.regions.scope import scope_for
from tiyu.venues.models import Venue
from tiyu.venues.selectors import venue_can_manage

CHART_HOURS = 24
RECENT_CLOSED = 10
STATUS_TABS = [
    ("active", _("未关闭")),
    ("open", _("待确认")),
    ("acknowledged", _("已确认")),
    ("closed", _("已关闭")),
    ("all", _("全部")),
]


def _can_close(user: Any) -> Any:
    """A test: may ``user`` close an alert of this venue (its people, platform admins)?"""
    scope = scope_for(user)
    return lambda venue_id: scope.everything or venue_id in scope.venue_ids


def _decorate(alerts: list[Alert], user: Any) -> list[Alert]:
    """Attach what the templates show: label, unit, format, whether the user may close."""
    can_close = _can_close(user)
    for a in alerts:
        a.label = label_of(a.metric)  # type: ignore[attr-defined]
        a.unit = unit_of(a.metric)  # type: ignore[attr-defined]
        a.decimals = DECIMALS.get(a.metric, 2)  # type: ignore[attr-defined]
        a.range_text = range_text(a.low, a.high, a.metric)  # type: ignore[attr-defined]
        a.can_close = can_close(a.venue_id)  # type: ignore[attr-defined]
    return alerts


def _charts(venue: Venue, metrics: list[tuple[str, list[int], Any]]) -> list[dict[str, Any]]:
    """The last 24 hours of each metric, one line per sensor, for ECharts."""
    end = timezone.now()
    start = end - timedelta(hours=CHART_HOURS)
    charts = []
    for metric, devices, limit in metrics:
        lines = []
        for device_id in devices:
            points = reading_series(venue.pk, metric, start=start, end=end, device_id=device_id)
            lines.append(
                {
                    "device": device_id,
                    "points": [[t.isoformat(), round(v, 3)] for t, v in points],
                }
            )
        charts.append(
            {
                "metric": metric,
                "label": label_of(metric),
                "unit": unit_of(metric),
                "low": limit[0],
                "high": limit[1],
                "lines": lines,
            }
        )
    return charts


class ThresholdsForm(forms.Form):
    """One row per metric: lower and upper bound; rows with an override can go back to
    the kind's default."""

    def __init__(self, *args: Any, rows: list[ThresholdRow], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.rows = rows
        for row in rows:
            m = row.metric
            self.fields[f"{m}_low"] = forms.FloatField(
                label=_("下限"), required=False, initial=row.low
            )
            self.fields[f"{m}_high"] = forms.FloatField(
                label=_("上限"), required=False, initial=row.high
            )
            self.fields[f"{m}_reset"] = forms.BooleanField(label=_("恢复默认"), required=False)

    def lines(self) -> list[tuple[ThresholdRow, Any, Any, Any]]:
        return [
            (r, self[f"{r.metric}_low"], self[f"{r.metric}_high"], self[f"{r.metric}_reset"])
            for r in self.rows
        ]

    def changes(self) -> list[services.ThresholdChange]:
        """Only what differs from now: an override set or changed, or one dropped."""
        out = []
        for row in self.rows:
            m = row.metric
            low, high = self.cleaned_data[f"{m}_low"], self.cleaned_data[f"{m}_high"]
            if self.cleaned_data[f"{m}_reset"] and row.source == "venue":
                out.append(services.ThresholdChange(metric=m, reset=True))
            elif (low, high) != (row.low, row.high):
                out.append(services.ThresholdChange(metric=m, low=low, high=high))
        return out

    @property
    def aliases(self) -> dict[str, str]:
        """Service field names (``ph.high``) to this form's (``ph_high``)."""
        return {
            f"{r.metric}.{side}": f"{r.metric}_{side}"
            for r in self.rows
            for side in ("low", "high", "metric")
        }


@backoffice_view
def venue_environment(request: HttpRequest, venue_id: int) -> HttpResponse:
    """A venue's newest readings as tiles, 24-hour charts, its alerts and (managers) thresholds."""
    venue = environment_venue(request.user, venue_id)
    can_manage = venue_can_manage(request.user, venue.pk)
    rows = thresholds_for(venue)
    form = ThresholdsForm(request.POST or None, rows=rows) if can_manage else None
    status = 200
    error = None
    if request.method == "POST":
        if form is None:
            raise PermissionDenied("not_manager", _("只有场馆管理员可以修改阈值。"))
        if form.is_valid():
            changes = form.changes()
            try:
                services.thresholds_update(actor=request.user, venue_id=venue.pk, changes=changes)
            except DomainError as refusal:
                status = bf.show_refusal(form, refusal, form.aliases)
                error = refusal.as_dict()
            else:
                messages.success(request, _("阈值已保存。"))
                return redirect("backoffice:environment", venue.pk)
        else:
            status = 400
    tiles = latest_readings(venue.pk)
    by_metric: dict[str, list[int]] = {}
    limits: dict[str, tuple[float | None, float | None]] = {}
    for t in tiles:
        by_metric.setdefault(t.metric, []).append(t.device_id)
        limits[t.metric] = (t.low, t.high)
    metrics = [(m, by_metric[m], limits[m]) for m in Metric.values if m in by_metric]
    active = _decorate(
        list(alerts_visible(request.user, status="active", venue_id=venue.pk)), request.user
    )
    closed = _decorate(
        list(alerts_visible(request.user, status="closed", venue_id=venue.pk)[:RECENT_CLOSED]),
        request.user,
    )
    return render(
        request,
        "backoffice/environment/venue.html",
        {
            "venue": venue,
            "tab": "environment",
            "can_manage": can_manage,
            "tiles": tiles,
            "charts": _charts(venue, metrics),
            "active": active,
            "closed": closed,
            "form": form,
            "error": error,
            "rows": rows,
            "hours": CHART_HOURS,
        },
        status=status,
    )


@backoffice_view
def alerts(request: HttpRequest) -> HttpResponse:
    """The alerts the user sees: a venue's people theirs, officials escalated ones."""
    tab = request.GET.get("status", "active")
    if tab not in dict(STATUS_TABS):
        tab = "active"
    qs = alerts_visible(request.user, status=None if tab == "all" else tab)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    _decorate(list(page.object_list), request.user)
    return render(
        request,
        "backoffice/environment/alerts.html",
        {
            "page": page,
            "tab": tab,
            "tabs": STATUS_TABS,
            "is_official": _sees_by_region(request.user),
        },
    )


def _sees_by_region(user: Any) -> bool:
    scope = scope_for(user)
    return bool(scope.region_prefixes) and not scope.everything


def _back(request: HttpRequest, alert: Alert) -> HttpResponse:
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(target)
    return redirect("backoffice:alerts")


@require_POST
@backoffice_view
def alert_acknowledge(request: HttpRequest, alert_id: int) -> HttpResponse:
    """Acknowledge an open alert."""
    alert = services.alert_acknowledge(actor=request.user, alert_id=alert_id)
    messages.success(request, _("告警已确认。"))
    return _back(request, alert)


@require_POST
@backoffice_view
def alert_close(request: HttpRequest, alert_id: int) -> HttpResponse:
    """Close an alert with a note of what was done."""
    alert = services.alert_close(
        actor=request.user, alert_id=alert_id, note=request.POST.get("note", "")
    )
    messages.success(request, _("告警已关闭。"))
    return _back(request, alert)
