"""Front-desk pages: the day sheet, check-in, walk-ins, blocks, series, members, policy.

Only the venue's own staff and managers (and platform admins) work a desk: every
page starts with :func:`tiyu.booking.desk.desk_venue`, so officials, residents and
other venues' staff get the same 404 as for a venue that does not exist. Each
write is one service call; a refusal is shown next to the form with its status
and nothing is saved.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from tiyu.backoffice import forms as bf
from tiyu.backoffice import forms_desk as fd
from tiyu.backoffice.templatetags.backoffice import yuan
from tiyu.backoffice.views import View, _bound_status, _page
from tiyu.booking import desk, series
from tiyu.booking.api_desk import customer_label, series_views
from tiyu.booking.models import Block, Booking, BookingSlot, SeriesStatus, SlotStatus, VenueMember
from tiyu.booking.rules import policy_for
from tiyu.booking.selectors import SheetRow, booking_detail, day_sheet
from tiyu.booking.services import booking_cancel
from tiyu.core.errors import DomainError, NotFound
from tiyu.venues.models import Court, Venue
from tiyu.venues.selectors import venue_can_manage

if TYPE_CHECKING:
    from django.utils.functional import _StrOrPromise as StrOrPromise

TAB = "desk"


def desk_view(view: View) -> View:
    """Sign-in required; whether the user works this venue's desk is the view's first
    question (:func:`_venue`), so everyone else, residents included, gets a 404."""
    return login_required(view)


def _venue(request: HttpRequest, venue_id: int, *, manage: bool = False) -> Venue:
    """The venue if the user works its desk (or manages it), with what the header shows."""
    venue = desk.desk_venue(request.user, venue_id, manage=manage)
    return Venue.objects.select_related("region", "region__parent").get(pk=venue.pk)


def _courts(venue: Venue) -> list[Court]:
    """The venue's bookable courts in sheet order."""
    return list(
        Court.objects.filter(venue=venue, is_active=True)
        .select_related("parent")
        .order_by("sort_order", "id")
    )


def _render(
    request: HttpRequest,
    template: str,
    venue: Venue,
    section: str,
    status: int = 200,
    **context: Any,
) -> HttpResponse:
    """A desk page under the venue header, with the desk's own navigation."""
    return _page(
        request,
        f"desk/{template}",
        venue,
        TAB,
        status,
        section=section,
        can_manage=venue_can_manage(request.user, venue.pk),
        **context,
    )


def _form_action(
    request: HttpRequest,
    venue: Venue,
    *,
    template: str,
    section: str,
    form: forms.BaseForm,
    action: Callable[[], object],
    done: Callable[[Any], StrOrPromise],
    then: Callable[[Any], str],
    aliases: dict[str, str] | None = None,
    **context: Any,
) -> HttpResponse:
    """Like the back office's ``_form_page``: on a valid POST run ``action`` (one service),
    say ``done(result)`` and go to ``then(result)``; a refusal stays on the form."""
    if request.method == "POST" and form.is_valid():
        try:
            result = action()
        except DomainError as error:
            status = bf.show_refusal(form, error, aliases)
            context["error"] = error.as_dict()
            return _render(request, template, venue, section, status, form=form, **context)
        messages.success(request, done(result))
        return redirect(then(result))
    return _render(request, template, venue, section, _bound_status(form), form=form, **context)


def _sheet_url(venue: Venue, day: Any) -> str:
    return f"{reverse('backoffice:desk', args=[venue.pk])}?day={day:%Y-%m-%d}"


# --- Day sheet ---------------------------------------------------------------------


@dataclass
class DeskCell:
    """A sheet cell as the page draws it."""

    row: SheetRow
    past: bool
    customer: str = ""

    @property
    def booking(self) -> Booking | None:
        return self.row.slot.booking if self.row.slot is not None else None


@desk_view
def sheet(request: HttpRequest, venue_id: int) -> HttpResponse:
    """Courts x the day's slots: who has each one, its status and payment, or the block."""
    venue = _venue(request, venue_id)
    today = timezone.localdate()
    day = fd.parse_day(request.GET.get("day"), today)
    data = day_sheet(venue=venue, day=day)
    now = timezone.now()
    rows = []
    for start in data.times:
        cells: list[DeskCell | None] = []
        for court in data.courts:
            row = data.at(court.pk, start)
            if row is None:
                cells.append(None)
                continue
            ends_at = row.starts_at + timedelta(minutes=court.slot_minutes)
            cell = DeskCell(row, past=ends_at <= now)
            if row.slot is not None:
                cell.customer = customer_label(row.slot.booking)
            cells.append(cell)
        rows.append((start, cells))
    # A hall's slot shows in its parts' columns too; count each slot once.
    names = {c.pk: c.name for c in data.courts}
    columns = [(c, names.get(c.parent_id) if c.parent_id else None) for c in data.courts]
    booked = len({c.row.slot.pk for _t, cells in rows for c in cells if c and c.row.slot})
    return _render(
        request,
        "sheet.html",
        venue,
        "sheet",
        sheet=data,
        columns=columns,
        rows=rows,
        day=day,
        today=today,
        previous=day - timedelta(days=1),
        next=day + timedelta(days=1),
        booked=booked,
        confirmed=SlotStatus.CONFIRMED,
        live=(SlotStatus.HELD, SlotStatus.CONFIRMED),
    )


def _back_to_sheet(request: HttpRequest, venue: Venue) -> HttpResponse:
    day = fd.parse_day(request.POST.get("day"), timezone.localdate())
    return redirect(_sheet_url(venue, day))


@require_POST
@desk_view
def sheet_check_in(request: HttpRequest, venue_id: int, number: str) -> HttpResponse:
    """Check in a booking from its cell on the sheet."""
    venue = _venue(request, venue_id)
    booking = Booking.objects.filter(venue=venue, number=number).first()
    if booking is None:
        raise NotFound("booking_not_found", _("未找到该预订。"))
    try:
        desk.booking_check_in(actor=request.user, code=booking.entry_code, venue_id=venue.pk)
    except DomainError as error:
        messages.error(request, str(error.message))
    else:
        messages.success(
            request, _("已核销：%(who)s（%(n)s）") % {"who": customer_label(booking), "n": number}
        )
    return _back_to_sheet(request, venue)


@require_POST
@desk_view
def sheet_cancel(request: HttpRequest, venue_id: int, slot_id: int) -> HttpResponse:
    """The venue cancels one slot of a booking: no fee, the slot's price goes back."""
    venue = _venue(request, venue_id)
    slot = (
        BookingSlot.objects.select_related("booking")
        .filter(pk=slot_id, booking__venue=venue)
        .first()
    )
    if slot is None:
        raise NotFound("booking_not_found", _("未找到该预订。"))
    try:
        booking = booking_cancel(
            actor=request.user,
            booking=slot.booking,
            slot_ids=[slot.pk],
            by_venue=True,
            reason="venue_cancelled",
        )
    except DomainError as error:
        messages.error(request, str(error.message))
    else:
        refund = BookingSlot.objects.get(pk=slot.pk).refund_fen
        messages.success(
            request,
            _("已取消 %(n)s 的该时段，退款 ¥%(r)s。") % {"n": booking.number, "r": yuan(refund)},
        )
    return _back_to_sheet(request, venue)


# --- Check-in ----------------------------------------------------------------------


@desk_view
def check_in(request: HttpRequest, venue_id: int) -> HttpResponse:
    """Type or scan an entry code; a big green result or a clear red refusal."""
    venue = _venue(request, venue_id)
    form = fd.CheckInForm(request.POST or None)
    context: dict[str, Any] = {}
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                booking = desk.booking_check_in(
                    actor=request.user, code=form.cleaned_data["code"], venue_id=venue.pk
                )
            except DomainError as error:
                context["error"] = error.as_dict()
                status = error.status
            else:
                booking = booking_detail(booking)
                context["booking"] = booking
                context["customer"] = customer_label(booking)
                context["slots"] = list(booking.slots.all())
        else:
            status = 400
            context["error"] = {"code": "entry_code_invalid", "message": _("请输入入场码。")}
    if request.headers.get("HX-Request"):
        return render(request, "backoffice/desk/_checkin_result.html", context, status=status)
    return _render(
        request,
        "checkin.html",
        venue,
        "checkin",
        status,
        **context,
    )


# --- Walk-in -----------------------------------------------------------------------


@desk_view
def walk_in(request: HttpRequest, venue_id: int) -> HttpResponse:
    """Book for a walk-in and take cash or their card; back to the sheet of that day."""
    venue = _venue(request, venue_id)
    courts = _courts(venue)
    initial: dict[str, Any] = {"day": timezone.localdate(), "method": "cash", "count": 1}
    if court := request.GET.get("court", ""):
        initial["court_id"] = court
    initial["day"] = fd.parse_day(request.GET.get("day"), initial["day"])
    if start := fd.parse_time(request.GET.get("start")):
        initial["start"] = start
    form = fd.WalkInForm(request.POST or None, initial=initial, courts=courts)

    def action() -> Booking:
        return desk.walk_in_book(
            actor=request.user,
            venue_id=venue.pk,
            slots=form.choices(),
            method=form.cleaned_data["method"],
            customer_phone=form.cleaned_data["customer_phone"],
            customer_name=form.cleaned_data["customer_name"],
        )

    return _form_action(
        request,
        venue,
        template="walkin.html",
        section="walkin",
        form=form,
        aliases=fd.WalkInForm.aliases,
        action=action,
        done=lambda b: (
            _("已预订，订单号 %(n)s，收款 ¥%(t)s。") % {"n": b.number, "t": yuan(b.total_fen)}
        ),
        then=lambda b: _sheet_url(venue, form.cleaned_data["day"]),
    )


# --- Blocks ------------------------------------------------------------------------


@desk_view
def blocks(request: HttpRequest, venue_id: int) -> HttpResponse:
    """Upcoming blocks of the venue's courts and a form to add one."""
    venue = _venue(request, venue_id)
    form = fd.BlockForm(request.POST or None, courts=_courts(venue))
    upcoming = (
        Block.objects.filter(venue=venue, ends_at__gt=timezone.now())
        .select_related("court__parent", "created_by")
        .order_by("starts_at")
    )
    return _form_action(
        request,
        venue,
        template="blocks.html",
        section="blocks",
        form=form,
        action=lambda: desk.block_add(actor=request.user, venue_id=venue.pk, data=form.to_data()),
        done=lambda b: _("已占用场地：%(r)s") % {"r": b.reason or b.get_kind_display()},
        then=lambda b: reverse("backoffice:desk_blocks", args=[venue.pk]),
        blocks=upcoming,
    )


@require_POST
@desk_view
def block_remove(request: HttpRequest, venue_id: int, block_id: int) -> HttpResponse:
    """Put blocked time back on sale."""
    desk.block_remove(actor=request.user, venue_id=venue_id, block_id=block_id)
    messages.success(request, _("占用已撤销，时段重新开放预订。"))
    return redirect("backoffice:desk_blocks", venue_id)


# --- Series ------------------------------------------------------------------------


@desk_view
def series_page(request: HttpRequest, venue_id: int) -> HttpResponse:
    """The venue's recurring bookings and a form to create one."""
    venue = _venue(request, venue_id)
    form = fd.SeriesForm(request.POST or None, courts=_courts(venue))
    items = series_views(venue)
    created = None
    if created_id := request.GET.get("created", ""):
        created = next((v for v in items if str(v.series.pk) == created_id), None)
    return _form_action(
        request,
        venue,
        template="series.html",
        section="series",
        form=form,
        aliases={"slots": "starts", "phone": "customer_phone"},
        action=lambda: series.series_create(
            actor=request.user, venue_id=venue.pk, data=form.to_data()
        ),
        done=lambda r: (
            _("长期预订已创建：预订 %(n)s 次，跳过 %(s)s 次，共 ¥%(t)s。")
            % {"n": len(r.bookings), "s": len(r.skipped), "t": yuan(r.total_fen)}
        ),
        then=lambda r: (
            f"{reverse('backoffice:desk_series', args=[venue.pk])}?created={r.series.pk}"
        ),
        items=items,
        created=created,
        active=SeriesStatus.ACTIVE,
    )


@require_POST
@desk_view
def series_cancel(request: HttpRequest, venue_id: int, series_id: int) -> HttpResponse:
    """Cancel one date (``on``) or every future date of a series; refunds without fee."""
    venue = _venue(request, venue_id)
    form = fd.SeriesCancelForm(request.POST)
    on = form.cleaned_data["on"] if form.is_valid() else None
    before = {v.series.pk: v.refunded_fen for v in series_views(venue, series_id)}
    try:
        series.series_cancel(actor=request.user, venue_id=venue.pk, series_id=series_id, on=on)
    except DomainError as error:
        if isinstance(error, NotFound):
            raise
        messages.error(request, str(error.message))
    else:
        after = series_views(venue, series_id)[0].refunded_fen
        refund = yuan(after - before.get(series_id, 0))
        if on is None:
            messages.success(request, _("长期预订已整体取消，退款 ¥%(r)s。") % {"r": refund})
        else:
            messages.success(
                request,
                _("已取消 %(d)s 这一次，退款 ¥%(r)s。") % {"d": on.isoformat(), "r": refund},
            )
    return redirect("backoffice:desk_series", venue.pk)


# --- Policy ------------------------------------------------------------------------


def _policy_values(policy: Any) -> dict[str, Any]:
    return {name: getattr(policy, name) for name in desk.POLICY_FIELDS}


@desk_view
def policy(request: HttpRequest, venue_id: int) -> HttpResponse:
    """Managers edit the venue's booking rules; staff read them."""
    can_manage = venue_can_manage(request.user, venue_id)
    # A write by anyone but a manager is refused before any parsing (404, like the API).
    venue = _venue(request, venue_id, manage=request.method == "POST")
    current = policy_for(venue.pk)
    tier_rows = [{"hours": h, "percent": p} for h, p in current.cancel_tiers]
    if request.method == "POST":
        form = fd.PolicyForm(request.POST)
        tiers = fd.TierFormSet(request.POST, prefix="tiers")
    else:
        form = fd.PolicyForm(initial=_policy_values(current))
        tiers = fd.TierFormSet(initial=tier_rows, prefix="tiers")
    context: dict[str, Any] = {
        "policy": current,
        "tiers": tiers,
        "tier_rows": tier_rows,
        "editable": can_manage,
        "policy_rows": [(fd.PolicyForm.LABELS[n], getattr(current, n)) for n in desk.POLICY_FIELDS],
    }
    status = _bound_status(form)
    if request.method == "POST" and form.is_valid() and tiers.is_valid():
        values = {**form.cleaned_data, "cancel_tiers": fd.tiers_from(tiers)}
        try:
            desk.policy_update(actor=request.user, venue_id=venue.pk, values=values)
        except DomainError as error:
            status = bf.show_refusal(form, error)
            context["error"] = error.as_dict()
        else:
            messages.success(request, _("预订规则已保存。"))
            return redirect("backoffice:desk_policy", venue.pk)
    return _render(request, "policy.html", venue, "policy", status, form=form, **context)


# --- Members and concessions -------------------------------------------------------


@desk_view
def members(request: HttpRequest, venue_id: int) -> HttpResponse:
    """Current members of the venue; enrol a member or verify a concession."""
    venue = _venue(request, venue_id)
    today = timezone.localdate()
    which = request.POST.get("form", "") if request.method == "POST" else ""
    member_form = fd.MemberForm(request.POST if which == "member" else None, prefix="member")
    concession_form = fd.ConcessionForm(
        request.POST if which == "concession" else None, prefix="concession"
    )
    topup_form = fd.TopupForm(request.POST if which == "topup" else None, prefix="topup")
    current = (
        VenueMember.objects.filter(venue=venue, valid_until__gte=today)
        .select_related("user")
        .order_by("valid_until", "id")
    )
    context: dict[str, Any] = {
        "members": current,
        "member_form": member_form,
        "concession_form": concession_form,
        "topup_form": topup_form,
    }
    form: forms.Form | None = {
        "member": member_form,
        "concession": concession_form,
        "topup": topup_form,
    }.get(which)
    status = 200
    if form is not None:
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            try:
                if which == "member":
                    m = desk.member_add(actor=request.user, venue_id=venue.pk, **data)
                    done = _("已登记会员 %(u)s，有效期至 %(d)s。") % {
                        "u": f"{m.user} {m.user.masked_phone}",
                        "d": m.valid_until.isoformat(),
                    }
                elif which == "topup":
                    p = desk.card_topup_cash(actor=request.user, venue_id=venue.pk, **data)
                    done = _("已为 %(u)s 的一卡通充值 ¥%(y)s（现金）。") % {
                        "u": f"{p.user} {p.user.masked_phone}",
                        "y": f"{p.amount_fen / 100:.2f}",
                    }
                else:
                    c = desk.concession_verify(actor=request.user, venue_id=venue.pk, **data)
                    done = _("已核验 %(u)s 的优待资格（%(g)s），有效期至 %(d)s。") % {
                        "u": f"{c.user} {c.user.masked_phone}",
                        "g": c.get_group_display(),
                        "d": c.valid_until.isoformat(),
                    }
            except DomainError as error:
                status = bf.show_refusal(form, error)
                context[f"{which}_error"] = error.as_dict()
            else:
                messages.success(request, done)
                return redirect("backoffice:desk_members", venue.pk)
    return _render(request, "members.html", venue, "members", status, **context)
