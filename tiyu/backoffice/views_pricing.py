"""Back-office price editor and holiday calendar: thin views over the pricing services.

Per court: its rules (the first that applies to a slot prices it), a form to add
or change one, a form to copy them to other courts, and a week preview that shows
what every slot costs. Platform admins keep the holiday calendar.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from tiyu.backoffice import forms as bf
from tiyu.backoffice import forms_pricing as pf
from tiyu.backoffice.views import _page, backoffice_view
from tiyu.core.errors import DomainError, NotFound, PermissionDenied
from tiyu.regions.scope import scope_for
from tiyu.venues import services
from tiyu.venues.models import WEEKDAYS, Court, HolidayKind, Venue
from tiyu.venues.pricing import court_rules, holidays_in_year, rule_counts, week_of, week_preview
from tiyu.venues.selectors import venue_dossier

TAB = "pricing"


def _court(venue: Venue, court_id: int) -> Court:
    """A court of the (prefetched) venue, or 404."""
    court = next((c for c in venue.courts.all() if c.pk == court_id), None)
    if court is None:
        raise NotFound("court_not_found", _("场地不存在。"))
    court.venue = venue
    return court


def _caps(court: Court) -> dict[str, int] | None:
    """The court's market price and caps in fen per hour (programme venues only)."""
    if not court.venue.free_low_cost:
        return None
    market = services.court_market_price_fen(court)
    if market is None:
        return {}
    return {
        "market": market,
        "regular": services.cap_fen_per_hour(market, services.CAP_REGULAR_PERCENT),
        "concession": services.cap_fen_per_hour(market, services.CAP_CONCESSION_PERCENT),
    }


def _others(venue: Venue, court: Court) -> list[tuple[int, str]]:
    return [
        (c.pk, f"{c.parent.name} › {c.name}" if c.parent else c.name)
        for c in venue.courts.all()
        if c.pk != court.pk
    ]


def weekdays_text(mask: str) -> str:
    """“每天”, “周一至周五”, “周六、周日” or the days listed."""
    if mask == "1111111":
        return str(_("每天"))
    if mask == "1111100":
        return str(_("周一至周五"))
    return "、".join(str(label) for day, label in WEEKDAYS if mask[day] == "1")


@backoffice_view
def pricing(request: HttpRequest, venue_id: int) -> HttpResponse:
    """The venue's courts with how many price rules each has."""
    venue = venue_dossier(request.user, venue_id, manage=True)
    counts = rule_counts(venue)
    rows = [(c, counts.get(c.pk, 0)) for c in venue.courts.all()]
    return _page(request, "pricing/index.html", venue, TAB, rows=rows)


def _court_page(
    request: HttpRequest,
    venue: Venue,
    court: Court,
    *,
    form: pf.PriceRuleForm,
    copy_form: pf.CopyRulesForm,
    rule_id: int | None = None,
    status: int = 200,
    error: dict[str, Any] | None = None,
) -> HttpResponse:
    return _page(
        request,
        "pricing/court.html",
        venue,
        TAB,
        status,
        court=court,
        rules=[(r, weekdays_text(r.weekdays)) for r in court_rules(court)],
        form=form,
        copy_form=copy_form,
        rule_id=rule_id,
        caps=_caps(court),
        error=error,
    )


@backoffice_view
def pricing_court(
    request: HttpRequest, venue_id: int, court_id: int, rule_id: int | None = None
) -> HttpResponse:
    """A court's rules and the form to add one (or change ``rule_id``)."""
    venue = venue_dossier(request.user, venue_id, manage=True)
    court = _court(venue, court_id)
    rule = None
    if rule_id is not None:
        rule = court.price_rules.filter(pk=rule_id).first()
        if rule is None:
            raise NotFound("price_rule_not_found", _("价格规则不存在。"))
    form = pf.PriceRuleForm(
        request.POST or None, initial=pf.rule_initial(rule), slot_minutes=court.slot_minutes
    )
    copy_form = pf.CopyRulesForm(courts=_others(venue, court))
    if request.method == "POST":
        if form.is_valid():
            try:
                services.price_rule_save(
                    actor=request.user,
                    venue_id=venue.pk,
                    court_id=court.pk,
                    rule_id=rule_id,
                    data=form.to_data(),
                )
            except DomainError as error:
                status = bf.show_refusal(form, error, pf.PriceRuleForm.aliases)
                return _court_page(
                    request,
                    venue,
                    court,
                    form=form,
                    copy_form=copy_form,
                    rule_id=rule_id,
                    status=status,
                    error=error.as_dict(),
                )
            messages.success(request, _("价格规则已保存。"))
            return redirect("backoffice:pricing_court", venue.pk, court.pk)
        return _court_page(
            request, venue, court, form=form, copy_form=copy_form, rule_id=rule_id, status=400
        )
    return _court_page(request, venue, court, form=form, copy_form=copy_form, rule_id=rule_id)


@require_POST
@backoffice_view
def pricing_rule_remove(
    request: HttpRequest, venue_id: int, court_id: int, rule_id: int
) -> HttpResponse:
    """Delete one rule."""
    services.price_rule_remove(
        actor=request.user, venue_id=venue_id, court_id=court_id, rule_id=rule_id
    )
    messages.success(request, _("价格规则已删除。"))
    return redirect("backoffice:pricing_court", venue_id, court_id)


@require_POST
@backoffice_view
def pricing_copy(request: HttpRequest, venue_id: int, court_id: int) -> HttpResponse:
    """Copy the court's rules to the courts ticked (replacing theirs)."""
    venue = venue_dossier(request.user, venue_id, manage=True)
    court = _court(venue, court_id)
    copy_form = pf.CopyRulesForm(request.POST, courts=_others(venue, court))
    form = pf.PriceRuleForm(initial=pf.rule_initial(None), slot_minutes=court.slot_minutes)
    if copy_form.is_valid():
        try:
            copied = services.price_rules_copy(
                actor=request.user,
                venue_id=venue.pk,
                from_court_id=court.pk,
                to_court_ids=copy_form.cleaned_data["to_court_ids"],
            )
        except DomainError as error:
            status = bf.show_refusal(copy_form, error, {"from_court_id": "to_court_ids"})
            return _court_page(request, venue, court, form=form, copy_form=copy_form, status=status)
        messages.success(
            request,
            _("已复制到 %(n)s 个场地（共 %(rules)s 条规则）。")
            % {"n": len(copy_form.cleaned_data["to_court_ids"]), "rules": copied},
        )
        return redirect("backoffice:pricing_court", venue.pk, court.pk)
    return _court_page(request, venue, court, form=form, copy_form=copy_form, status=400)


@backoffice_view
def pricing_preview(request: HttpRequest, venue_id: int, court_id: int) -> HttpResponse:
    """What every slot of the court costs in the week (Monday–Sunday) of a date."""
    venue = venue_dossier(request.user, venue_id, manage=True)
    court = _court(venue, court_id)
    params = pf.PreviewForm(request.GET)
    day = (params.cleaned_data.get("day") if params.is_valid() else None) or timezone.localdate()
    week = week_of(day)
    return _page(
        request,
        "pricing/preview.html",
        venue,
        TAB,
        court=court,
        preview=week_preview(court, day),
        day=day,
        previous=week[0] - timedelta(days=7),
        next=week[0] + timedelta(days=7),
        params=params,
    )


# --- The holiday calendar (platform admins) ------------------------------------------------


def _require_platform_admin(request: HttpRequest) -> None:
    if not scope_for(request.user).everything:
        raise PermissionDenied("holiday_forbidden", _("只有平台管理员可以维护节假日日历。"))


def _year(request: HttpRequest) -> int:
    raw = request.GET.get("year", "")
    if raw.isdigit() and 2000 <= int(raw) <= 2100:
        return int(raw)
    return timezone.localdate().year


def _calendar_page(
    request: HttpRequest, year: int, form: pf.HolidayForm, status: int = 200, **context: Any
) -> HttpResponse:
    rows = list(holidays_in_year(year))
    return render(
        request,
        "backoffice/pricing/holidays.html",
        {
            "year": year,
            "rows": rows,
            "holiday_count": sum(1 for h in rows if h.kind == HolidayKind.HOLIDAY),
            "workday_count": sum(1 for h in rows if h.kind == HolidayKind.WORKDAY),
            "form": form,
            **context,
        },
        status=status,
    )


@backoffice_view
def holidays(request: HttpRequest) -> HttpResponse:
    """A year of the calendar and the form to add or change a date (platform admins)."""
    _require_platform_admin(request)
    year = _year(request)
    form = pf.HolidayForm(request.POST or None, initial={"date": date(year, 1, 1)})
    if request.method == "POST":
        if not form.is_valid():
            return _calendar_page(request, year, form, 400)
        try:
            holiday = services.holiday_set(actor=request.user, **form.cleaned_data)
        except DomainError as error:
            status = bf.show_refusal(form, error)
            return _calendar_page(request, year, form, status, error=error.as_dict())
        messages.success(request, _("节假日日历已更新。"))
        return redirect(f"{request.path}?year={holiday.date.year}")
    return _calendar_page(request, year, form)


@require_POST
@backoffice_view
def holiday_remove(request: HttpRequest) -> HttpResponse:
    """Take one date off the calendar."""
    _require_platform_admin(request)
    form = pf.HolidayRemoveForm(request.POST)
    if not form.is_valid():
        raise DomainError("date_invalid", _("日期无效。"), fields={"date": _("日期无效。")})
    day = form.cleaned_data["date"]
    services.holiday_remove(actor=request.user, date=day)
    messages.success(request, _("已从节假日日历中移除。"))
    return redirect(f"{request.path.rsplit('remove/', 1)[0]}?year={day.year}")
