"""Resident pages: thin views that parse, call selectors and render."""

from __future__ import annotations

import io
from typing import Any

import segno
from django.contrib.auth import views as auth_views
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from tiyu.core.errors import DomainError
from tiyu.portal.display import (
    DEFAULT_CENTRE,
    DEFAULT_CENTRE_NAME,
    court_tree,
    region_cascade,
    region_trail,
    result_page,
    week_hours,
)
from tiyu.portal.forms import PointForm, SearchForm, invalid
from tiyu.venues.links import navigation_url
from tiyu.venues.models import VenueKind
from tiyu.venues.selectors import (
    VenueFilter,
    equipment_public_get,
    sports_all,
    venue_closures_ahead,
    venue_kind_counts,
    venue_public_get,
    venues_nearest,
)

NEARBY_COUNT = 5


class LoginView(auth_views.LoginView):
    """Username or phone + password; django-axes locks after repeated failures."""

    template_name = "portal/login.html"
    redirect_authenticated_user = True


def _partial(request: HttpRequest) -> bool:
    """Whether htmx asked for the fragment only (not a history restore)."""
    htmx = getattr(request, "htmx", None)
    if not htmx:
        return False
    return not htmx.history_restore_request and not htmx.boosted


def _centre(point: tuple[float, float] | None) -> dict[str, Any]:
    """Where distances are measured from, and whether it is the user's own position."""
    if point is None:
        lat, lng = DEFAULT_CENTRE
        return {"lat": lat, "lng": lng, "mine": False, "name": DEFAULT_CENTRE_NAME}
    return {"lat": point[0], "lng": point[1], "mine": True, "name": ""}


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    """Search box, sport quick-picks, venues near the default centre, counts by type."""
    lat, lng = DEFAULT_CENTRE
    return render(
        request,
        "portal/home.html",
        {
            "sports": sports_all(),
            "kind_counts": venue_kind_counts(),
            "nearby": venues_nearest(VenueFilter(), lat=lat, lng=lng, limit=NEARBY_COUNT),
            "centre": _centre(None),
        },
    )


@require_GET
def nearby(request: HttpRequest) -> HttpResponse:
    """The home page's "nearby" list for a position from the browser (htmx fragment)."""
    form = PointForm(request.GET)
    ctx: dict[str, Any] = {}
    status = 200
    try:
        if not form.is_valid():
            raise invalid(form)
        point = form.point()
        centre = _centre(point)
        ctx["centre"] = centre
        ctx["nearby"] = venues_nearest(
            VenueFilter(), lat=centre["lat"], lng=centre["lng"], limit=NEARBY_COUNT
        )
    except DomainError as exc:
        ctx["error"], status = exc.as_dict(), exc.status
    return render(request, "portal/_nearby.html", ctx, status=status)


@require_GET
def search(request: HttpRequest) -> HttpResponse:
    """Venue search; htmx swaps in the results fragment. Bad input: a 400 with its message."""
    form = SearchForm(request.GET)
    ctx: dict[str, Any] = {"form": form, "sports": sports_all(), "kinds": VenueKind.choices}
    status = 200
    try:
        if not form.is_valid():
            raise invalid(form)
        ctx["page"] = result_page(form.to_filter(), number=form.page_number(), point=form.point())
    except DomainError as exc:
        ctx["error"], status = exc.as_dict(), exc.status
    if _partial(request):
        response = render(request, "portal/_results.html", ctx, status=status)
    else:
        code = form.region_code() if form.is_valid() else None
        ctx["cascade"] = region_cascade(code)
        response = render(request, "portal/search.html", ctx, status=status)
    patch_vary_headers(response, ["HX-Request"])
    return response


@require_GET
def map_page(request: HttpRequest) -> HttpResponse:
    """Leaflet map and list; the browser loads the venues from the public API."""
    form = SearchForm(request.GET)
    form.is_valid()  # only to pre-fill the filters; the API judges them
    strings = {
        "km": _("%(km)s 公里"),
        "details": _("查看详情"),
        "empty": _("没有符合条件的场馆。"),
        "you": _("您的位置"),
        "centre": _("默认中心：%(name)s") % {"name": DEFAULT_CENTRE_NAME},
        "free": _("免费低收费"),
        "error": _("加载场馆失败，请稍后重试。"),
    }
    return render(
        request,
        "portal/map.html",
        {
            "form": form,
            "sports": sports_all(),
            "kinds": VenueKind.choices,
            "centre": _centre(None),
            "strings": strings,
        },
    )


@require_GET
def venue(request: HttpRequest, venue_id: int) -> HttpResponse:
    """A published venue's page; unknown or unpublished ids give the 404 page."""
    v = venue_public_get(venue_id)
    today = timezone.localdate()
    closures = venue_closures_ahead(v, today=today)
    return render(
        request,
        "portal/venue.html",
        {
            "venue": v,
            "trail": region_trail(v.region),
            "courts": court_tree(v.courts.all()),
            "week": week_hours(v.opening_hours.all(), closures, today),
            "closures": closures,
            "today": today,
            "nav_url": navigation_url(v),
        },
    )


@require_GET
def equipment(request: HttpRequest, code: str) -> HttpResponse:
    """What a resident sees after scanning an equipment item's QR code."""
    item = equipment_public_get(code)
    return render(
        request,
        "portal/equipment.html",
        {
            "item": item,
            "venue": item.venue,
            "trail": region_trail(item.venue.region),
        },
    )


@require_GET
def equipment_qr(request: HttpRequest, code: str) -> HttpResponse:
    """The item's QR code (SVG) encoding the absolute URL of its public page."""
    item = equipment_public_get(code)
    url = request.build_absolute_uri(reverse("portal:equipment", args=[item.code]))
    buffer = io.BytesIO()
    segno.make(url, error="m").save(buffer, kind="svg", scale=8, border=2, title=item.name)
    response = HttpResponse(buffer.getvalue(), content_type="image/svg+xml")
    response["Cache-Control"] = "public, max-age=86400"
    return response


def not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """The site's 404 page."""
    error = {"code": "not_found", "message": _("页面不存在。")}
    return render(request, "error.html", {"error": error}, status=404)
