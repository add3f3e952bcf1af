"""The venue screen: a full-screen lobby page of one venue's foot traffic and environment,
and the JSON it polls (the venue's back-office panel reads the same JSON).

Both read through the data scope (``venue_traffic`` raises ``NotFound`` for a venue the
user may not see, so absent and not-yours are the same 404). The page and its data
speak the request's language; ``?lang=en`` pins one for a kiosk that has no switch.
"""

from __future__ import annotations

from dataclasses import asdict
from datetime import date, datetime
from typing import Any

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from tiyu.core.errors import DomainError
from tiyu.environment.readings import DECIMALS, unit_of
from tiyu.environment.selectors import LatestReading, alerts_visible, latest_readings
from tiyu.traffic.selectors import venue_traffic
from tiyu.venues.models import Closure, OpeningHours

POLL_SECONDS = 15
POLL_RANGE = (1, 300)
MAX_ALERTS = 20  # the newest; a lobby screen has no room for more


def _number(value: float, metric: str) -> str:
    return f"{value:.{DECIMALS.get(metric, 2)}f}"


def _range(metric: str, low: float | None, high: float | None) -> str:
    """ "6.80–8.20", "≤ 0.50", "≥ 0.30" or "" (no limit)."""
    if low is not None and high is not None:
        return f"{_number(low, metric)}–{_number(high, metric)}"
    if high is not None:
        return f"≤ {_number(high, metric)}"
    if low is not None:
        return f"≥ {_number(low, metric)}"
    return ""


def _clock(at: datetime, today: date) -> str:
    """Local "14:05" for today, "12-01 14:05" for an earlier day."""
    local = timezone.localtime(at)
    return local.strftime("%H:%M" if local.date() == today else "%m-%d %H:%M")


def _readings(venue_id: int, today: date) -> list[dict[str, Any]]:
    """The newest value of each sensor, out-of-range ones first (a full screen may cut the
    last row of tiles, never a red one), otherwise in the environment app's order."""
    rows: list[LatestReading] = sorted(latest_readings(venue_id), key=lambda r: r.in_range)
    several = {m for m in {r.metric for r in rows} if sum(r.metric == m for r in rows) > 1}
    return [
        {
            "metric": r.metric,
            "label": f"{r.label} · #{r.device_id}" if r.metric in several else r.label,
            "value": _number(r.value, r.metric),
            "unit": r.unit,
            "range": _range(r.metric, r.low, r.high),
            "in_range": r.in_range,
            "at": _clock(r.measured_at, today),
        }
        for r in rows
    ]


def _alerts(user: Any, venue_id: int, today: date) -> list[dict[str, Any]]:
    # The user's own view of the alerts: a venue's staff see all of them, officials
    # only the escalated ones (see tiyu.environment.selectors).
    alerts = alerts_visible(user, status="active", venue_id=venue_id)
    return [
        {
            "id": a.pk,
            "label": a.get_metric_display(),
            "value": _number(a.last_value, a.metric),
            "unit": unit_of(a.metric),
            "range": _range(a.metric, a.low, a.high),
            "since": _clock(a.opened_at, today),
            "status": a.status,
            "status_label": a.get_status_display(),
            "back_in_range": a.back_in_range_at is not None,
        }
        for a in alerts[:MAX_ALERTS]
    ]


def _opening(venue_id: int, today: date, open_now: bool | None) -> dict[str, Any]:
    """Today's opening periods and a status: open now, closed now, or closed all day."""
    closure = Closure.objects.filter(
        venue_id=venue_id, starts_on__lte=today, ends_on__gte=today
    ).first()
    periods = [
        f"{p.opens:%H:%M}–{p.closes:%H:%M}"
        for p in OpeningHours.objects.filter(venue_id=venue_id, weekday=today.weekday()).order_by(
            "opens"
        )
    ]
    if closure is not None or not periods:
        status, label = "closed_today", _("今日闭馆")
    elif open_now:
        status, label = "open", _("开放中")
    else:
        status, label = "closed_now", _("未到开放时间")
    return {
        "status": status,
        "status_label": label,
        "periods": [] if closure else periods,
        "reason": closure.reason if closure else "",
    }


def screen_payload(user: Any, venue_id: int, *, now: datetime | None = None) -> dict[str, Any]:
    """Everything the screen shows, as JSON-ready values (404 outside the user's scope)."""
    now = now or timezone.now()
    traffic = venue_traffic(user, venue_id, now=now)
    today = timezone.localtime(now).date()
    return {
        "venue": {"id": venue_id, "name": traffic.name},
        "at": now.isoformat(),
        "updated": timezone.localtime(now).strftime("%H:%M:%S"),
        "today": asdict(traffic.today),
        "month": asdict(traffic.month),
        "year": asdict(traffic.year),
        "total": asdict(traffic.total),
        "occupancy": traffic.occupancy or 0,
        "capacity": traffic.capacity,
        "open_now": bool(traffic.open_now),
        "hours": [
            {"hour": f"{timezone.localtime(p.hour):%H}:00", "entries": p.entries, "exits": p.exits}
            for p in traffic.hours
        ],
        "opening": _opening(venue_id, today, traffic.open_now),
        "environment": _readings(venue_id, today),
        "alerts": _alerts(user, venue_id, today),
    }


def _language(request: HttpRequest) -> str:
    """``?lang=`` if it names a site language, else the one the middleware chose."""
    wanted = request.GET.get("lang", "")
    codes = {code for code, _name in settings.LANGUAGES}
    return wanted if wanted in codes else translation.get_language()


def _poll_seconds(request: HttpRequest) -> int:
    """``?poll=`` seconds between refreshes (1–300), else 15."""
    try:
        seconds = int(request.GET.get("poll", POLL_SECONDS))
    except ValueError:
        return POLL_SECONDS
    return min(max(seconds, POLL_RANGE[0]), POLL_RANGE[1])


@never_cache
@login_required
def screen(request: HttpRequest, venue_id: int) -> HttpResponse:
    """The full-screen page; it embeds the first data and then polls ``screen_data``."""
    lang = _language(request)
    with translation.override(lang):
        data = screen_payload(request.user, venue_id)
        data_url = reverse("backoffice:screen_data", args=[venue_id])
        if request.GET.get("lang") == lang:
            data_url += f"?lang={lang}"
        return render(
            request,
            "backoffice/screen/screen.html",
            {
                "data": data,
                "lang": lang,
                "data_url": data_url,
                "poll_seconds": _poll_seconds(request),
                "time_zone": settings.TIME_ZONE,
            },
        )


@never_cache
def screen_data(request: HttpRequest, venue_id: int) -> JsonResponse:
    """The screen's figures as JSON: 401 when signed out (a poll must not follow a redirect
    to the login page), 404 outside the user's scope."""
    if not request.user.is_authenticated:
        return JsonResponse({"code": "not_authenticated", "message": _("请先登录。")}, status=401)
    with translation.override(_language(request)):
        try:
            return JsonResponse(screen_payload(request.user, venue_id))
        except DomainError as error:
            return JsonResponse(error.as_dict(), status=error.status)
