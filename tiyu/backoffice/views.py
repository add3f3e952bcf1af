"""Back-office pages: thin views over the venue services and scoped selectors.

Every page needs a signed-in user with some data scope; a user without one gets
a friendly 403 page. Venue pages read through the scope (another region's venue
is a 404, like an absent one) and the editing pages ask for ``manage=True``, so
only the venue's managers and platform admins reach them.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import TYPE_CHECKING, Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from tiyu.backoffice import forms as bf
from tiyu.core.errors import DomainError, NotFound
from tiyu.regions.scope import scope_for
from tiyu.regions.selectors import region_children
from tiyu.venues import services
from tiyu.venues.models import EquipmentStatus, Venue
from tiyu.venues.selectors import (
    sports_all,
    venue_can_manage,
    venue_dossier,
    venue_overview,
)

PAGE_SIZE = 20

if TYPE_CHECKING:
    from django.utils.functional import _StrOrPromise as StrOrPromise
View = Callable[..., HttpResponse]


def backoffice_view(view: View) -> View:
    """Sign-in required; users with no data scope get the no-access page (403)."""

    @login_required
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if scope_for(request.user).is_empty:
            return render(request, "backoffice/no_access.html", status=403)
        return view(request, *args, **kwargs)

    return wrapper


def _sport_choices() -> list[tuple[str, str]]:
    return [(s.code, s.name) for s in sports_all()]


def _page(
    request: HttpRequest, template: str, venue: Venue, tab: str, status: int = 200, **context: Any
) -> HttpResponse:
    """Render a venue page with its header and tabs."""
    context.update(venue=venue, tab=tab, can_manage=context.get("can_manage", True))
    return render(request, f"backoffice/{template}", context, status=status)


def _bound_status(form: forms.BaseForm | forms.BaseFormSet) -> int:
    """200 for a blank form, 400 for one sent back with errors."""
    return 400 if form.is_bound else 200


def _form_page(
    request: HttpRequest,
    venue: Venue,
    *,
    template: str,
    tab: str,
    form: forms.BaseForm,
    action: Callable[[], object],
    done: StrOrPromise,
    then: str | None = None,
    aliases: dict[str, str] | None = None,
    **context: Any,
) -> HttpResponse:
    """A venue form page: on a valid POST run ``action`` (one service call), say ``done``
    and go to the page ``then`` (default: this tab); a refusal is shown on the form with
    its 4xx status and nothing is saved."""
    if request.method == "POST" and form.is_valid():
        try:
            action()
        except DomainError as error:
            status = bf.show_refusal(form, error, aliases)
            context["error"] = error.as_dict()
            return _page(request, template, venue, tab, status, form=form, **context)
        messages.success(request, done)
        return redirect(f"backoffice:{then or tab}", venue.pk)
    return _page(request, template, venue, tab, _bound_status(form), form=form, **context)


@backoffice_view
def dashboard(request: HttpRequest) -> HttpResponse:
    """What the user can reach: their venues, or their region's figures and venue list."""
    params = bf.DashboardFilterForm(request.GET)
    if not params.is_valid():
        fields = {name: errors[0] for name, errors in params.errors.items()}
        raise DomainError("filter_invalid", _("筛选条件无效。"), fields=fields)
    clean = {k: v for k, v in params.cleaned_data.items() if v}
    overview = venue_overview(
        request.user,
        q=clean.get("q", ""),
        region_code=clean.get("region"),
        kind=clean.get("kind"),
    )
    regions = list(overview.trail) + [rc.region for rc in overview.by_subregion]
    form = bf.DashboardFilterForm(
        initial={**clean, "region": overview.region.code if overview.region else ""},
        regions=regions,
    )
    venues = Paginator(overview.venues, PAGE_SIZE).get_page(request.GET.get("page"))
    peak = max((rc.count for rc in overview.by_subregion), default=0)
    return render(
        request,
        "backoffice/dashboard.html",
        {
            "overview": overview,
            "form": form,
            "venues": venues,
            "peak": peak,
            "filtered": bool(clean.get("q") or clean.get("kind")),
        },
    )


def _week(venue: Venue) -> list[tuple[Any, list[Any]]]:
    """The weekly opening periods per weekday, Monday first (empty list = closed)."""
    periods = list(venue.opening_hours.all())
    return [(label, [p for p in periods if p.weekday == day]) for day, label in bf.WEEKDAYS]


@backoffice_view
def venue_detail(request: HttpRequest, venue_id: int) -> HttpResponse:
    """Everything the registry holds about one venue in scope (read-only)."""
    venue = venue_dossier(request.user, venue_id)
    can_manage = venue_can_manage(request.user, venue.pk)
    return _page(
        request,
        "venue_detail.html",
        venue,
        "detail",
        can_manage=can_manage,
        week=_week(venue),
        today=timezone.localdate(),
    )


@backoffice_view
def venue_edit(request: HttpRequest, venue_id: int) -> HttpResponse:
    """The registry data form; the service checks the point against the district."""
    venue = venue_dossier(request.user, venue_id, manage=True)
    form = bf.VenueForm(
        request.POST or None,
        venue=venue,
        sports=_sport_choices(),
        regions=list(region_children(venue.region.parent_id)),
        can_rate=scope_for(request.user).everything,
    )
    return _form_page(
        request,
        venue,
        template="venue_edit.html",
        tab="edit",
        form=form,
        action=lambda: services.venue_update(
            actor=request.user, venue_id=venue.pk, data=form.to_data()
        ),
        done=_("场馆信息已保存。"),
        then="venue",
    )


def _halls(venue: Venue, exclude: int | None = None) -> list[tuple[int, str]]:
    return [(c.pk, c.name) for c in venue.courts.all() if c.parent_id is None and c.pk != exclude]


@backoffice_view
def courts(request: HttpRequest, venue_id: int, court_id: int | None = None) -> HttpResponse:
    """The venue's courts, and a form to add one (or change ``court_id``)."""
    venue = venue_dossier(request.user, venue_id, manage=True)
    court = None
    if court_id is not None:
        court = next((c for c in venue.courts.all() if c.pk == court_id), None)
        if court is None:
            raise NotFound()
    initial = {}
    if court is not None:
        initial = {
            "name": court.name,
            "parent_id": court.parent_id,
            "is_indoor": court.is_indoor,
            "slot_minutes": court.slot_minutes,
            "capacity": court.capacity,
            "sport_codes": [s.code for s in court.sports.all()],
        }
    form = bf.CourtForm(
        request.POST or None,
        initial=initial,
        sports=_sport_choices(),
        halls=_halls(venue, exclude=court_id),
    )
    return _form_page(
        request,
        venue,
        template="courts.html",
        tab="courts",
        form=form,
        court=court,
        action=lambda: services.court_save(
            actor=request.user, venue_id=venue.pk, court_id=court_id, **form.cleaned_data
        ),
        done=_("场地已保存。"),
    )


@backoffice_view
def hours(request: HttpRequest, venue_id: int) -> HttpResponse:
    """The weekly opening hours editor (several periods a day)."""
    venue = venue_dossier(request.user, venue_id, manage=True)
    initial = [
        {"weekday": h.weekday, "opens": h.opens, "closes": h.closes}
        for h in venue.opening_hours.all()
    ]
    # Rows sent back are compared with nothing, so a kept row always counts.
    formset = (
        bf.HoursFormSet(request.POST, prefix="hours")
        if request.method == "POST"
        else bf.HoursFormSet(initial=initial, prefix="hours")
    )
    if request.method == "POST" and formset.is_valid():
        try:
            services.opening_hours_set(
                actor=request.user, venue_id=venue.pk, periods=bf.hours_periods(formset)
            )
        except DomainError as error:
            if isinstance(error, NotFound):
                raise
            return _page(
                request,
                "hours.html",
                venue,
                "hours",
                error.status,
                formset=formset,
                week=_week(venue),
                error=error.as_dict(),
            )
        messages.success(request, _("开放时间已保存。"))
        return redirect("backoffice:hours", venue.pk)
    return _page(
        request,
        "hours.html",
        venue,
        "hours",
        _bound_status(formset),
        formset=formset,
        week=_week(venue),
    )


@backoffice_view
def closures(request: HttpRequest, venue_id: int) -> HttpResponse:
    """The venue's closures and the form to announce one."""
    venue = venue_dossier(request.user, venue_id, manage=True)
    form = bf.ClosureForm(request.POST or None)
    return _form_page(
        request,
        venue,
        template="closures.html",
        tab="closures",
        form=form,
        today=timezone.localdate(),
        action=lambda: services.closure_add(
            actor=request.user, venue_id=venue.pk, **form.cleaned_data
        ),
        done=_("闭馆安排已发布。"),
    )


@require_POST
@backoffice_view
def closure_remove(request: HttpRequest, venue_id: int, closure_id: int) -> HttpResponse:
    """Withdraw a closure that has not started."""
    services.closure_remove(
        actor=request.user, venue_id=venue_id, closure_id=closure_id, today=timezone.localdate()
    )
    messages.success(request, _("闭馆安排已撤销。"))
    return redirect("backoffice:closures", venue_id)


@backoffice_view
def prices(request: HttpRequest, venue_id: int) -> HttpResponse:
    """Declared market prices (the basis of the free/low-cost price caps)."""
    venue = venue_dossier(request.user, venue_id, manage=True)
    form = bf.MarketPriceForm(request.POST or None, sports=_sport_choices())
    return _form_page(
        request,
        venue,
        template="prices.html",
        tab="prices",
        form=form,
        aliases=bf.MarketPriceForm.aliases,
        action=lambda: services.market_price_set(
            actor=request.user,
            venue_id=venue.pk,
            sport_code=form.cleaned_data["sport_code"],
            unit=form.cleaned_data["unit"],
            price_fen=form.price_fen,
        ),
        done=_("市场价已申报。"),
    )


@backoffice_view
def photos(request: HttpRequest, venue_id: int) -> HttpResponse:
    """The venue's photos and an upload form."""
    venue = venue_dossier(request.user, venue_id, manage=True)
    form = bf.PhotoForm(request.POST or None, request.FILES or None)
    return _form_page(
        request,
        venue,
        template="photos.html",
        tab="photos",
        form=form,
        action=lambda: services.photo_add(
            actor=request.user,
            venue_id=venue.pk,
            upload=form.cleaned_data["image"],
            size=form.cleaned_data["image"].size,
            caption=form.cleaned_data["caption"],
        ),
        done=_("照片已上传。"),
    )


@require_POST
@backoffice_view
def photo_remove(request: HttpRequest, venue_id: int, photo_id: int) -> HttpResponse:
    """Delete one photo."""
    services.photo_remove(actor=request.user, venue_id=venue_id, photo_id=photo_id)
    messages.success(request, _("照片已删除。"))
    return redirect("backoffice:photos", venue_id)


@backoffice_view
def documents(request: HttpRequest, venue_id: int) -> HttpResponse:
    """Registry documents by kind and an upload form."""
    venue = venue_dossier(request.user, venue_id, manage=True)
    form = bf.DocumentForm(request.POST or None, request.FILES or None)
    return _form_page(
        request,
        venue,
        template="documents.html",
        tab="documents",
        form=form,
        action=lambda: services.document_add(
            actor=request.user,
            venue_id=venue.pk,
            kind=form.cleaned_data["kind"],
            title=form.cleaned_data["title"],
            upload=form.cleaned_data["file"],
            size=form.cleaned_data["file"].size,
        ),
        done=_("文件已上传。"),
    )


@require_POST
@backoffice_view
def document_remove(request: HttpRequest, venue_id: int, document_id: int) -> HttpResponse:
    """Delete one document."""
    services.document_remove(actor=request.user, venue_id=venue_id, document_id=document_id)
    messages.success(request, _("文件已删除。"))
    return redirect("backoffice:documents", venue_id)


def _facility(request: HttpRequest, venue_id: int) -> Venue:
    """A managed outdoor facility (other venues have no equipment pages)."""
    venue = venue_dossier(request.user, venue_id, manage=True)
    if not venue.is_facility:
        raise NotFound()
    return venue


@backoffice_view
def equipment(request: HttpRequest, venue_id: int) -> HttpResponse:
    """The facility's equipment items, their status, and a form to add one."""
    venue = _facility(request, venue_id)
    form = bf.EquipmentForm(request.POST or None)
    return _form_page(
        request,
        venue,
        template="equipment.html",
        tab="equipment",
        form=form,
        status_form=bf.EquipmentStatusForm(),
        action=lambda: services.equipment_add(
            actor=request.user, venue_id=venue.pk, **form.cleaned_data
        ),
        done=_("器材已登记。"),
    )


@require_POST
@backoffice_view
def equipment_status(request: HttpRequest, venue_id: int, item_id: int) -> HttpResponse:
    """Change one item's status."""
    form = bf.EquipmentStatusForm(request.POST)
    if not form.is_valid():
        raise DomainError(
            "equipment_status_invalid",
            _("未知的器材状态。"),
            fields={"status": _("未知的器材状态。")},
        )
    services.equipment_status_set(
        actor=request.user, venue_id=venue_id, item_id=item_id, status=form.cleaned_data["status"]
    )
    messages.success(request, _("器材状态已更新。"))
    return redirect("backoffice:equipment", venue_id)


@backoffice_view
def equipment_qr(request: HttpRequest, venue_id: int) -> HttpResponse:
    """A printable sheet of every item's QR code (it opens the item's public repair page)."""
    venue = _facility(request, venue_id)
    items = [
        (item, request.build_absolute_uri(f"/e/{item.code}/"))
        for item in venue.equipment.all()
        if item.status != EquipmentStatus.RETIRED
    ]
    return render(
        request,
        "backoffice/equipment_qr.html",
        {
            "venue": venue,
            "items": items,
            "printed_on": timezone.localdate(),
        },
    )
