"""Front-desk forms: they parse the counter's input; the desk services decide.

Field names follow the services' keyword arguments and the ``fields`` of their
refusals, so an error lands next to the field it is about (aliases map the rest).
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from tiyu.backoffice.forms import BootstrapMixin, _choice_field
from tiyu.booking.desk import POLICY_FIELDS, POLICY_LIMITS, BlockData
from tiyu.booking.models import BlockKind, BookingPolicy, ConcessionGroup
from tiyu.booking.series import SeriesData
from tiyu.booking.services import MAX_SLOTS_PER_BOOKING, SlotChoice
from tiyu.booking.timegrid import local_dt
from tiyu.payments.models import Method
from tiyu.venues.models import WEEKDAYS, Court

DESK_METHODS = [(Method.CASH.value, Method.CASH.label), (Method.STORED_VALUE.value, _("一卡通"))]


def _date_input() -> forms.DateInput:
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _time_input() -> forms.TimeInput:
    return forms.TimeInput(attrs={"type": "time", "step": 1800}, format="%H:%M")


def court_label(court: Court) -> str:
    """“主馆 › 1号场” for a part, the name for anything else."""
    return f"{court.parent.name} › {court.name}" if court.parent else court.name


def court_choices(courts: list[Court]) -> list[tuple[int, str]]:
    """The courts as choices (parents loaded by the caller)."""
    return [(c.pk, court_label(c)) for c in courts]


class CourtChoiceMixin:
    """Forms whose ``court_id`` lists the venue's active courts."""

    def set_courts(self, courts: list[Court]) -> None:
        _choice_field(self, "court_id").choices = court_choices(courts)  # type: ignore[arg-type]


class CheckInForm(BootstrapMixin, forms.Form):
    """The entry code, typed or scanned (a signed QR token or the 12-character code)."""

    code = forms.CharField(label=_("入场码"), max_length=200)


class WalkInForm(CourtChoiceMixin, BootstrapMixin, forms.Form):
    """A walk-in: consecutive slots of one court from a start time, paid on the spot."""

    court_id = forms.TypedChoiceField(label=_("场地"), coerce=int)
    day = forms.DateField(label=_("日期"), widget=_date_input())
    start = forms.TimeField(label=_("开始时间"), widget=_time_input())
    count = forms.TypedChoiceField(
        label=_("连续时段数"),
        coerce=int,
        choices=[(n, str(n)) for n in range(1, MAX_SLOTS_PER_BOOKING + 1)],
        initial=1,
    )
    customer_name = forms.CharField(label=_("客户姓名"), max_length=50, required=False)
    customer_phone = forms.CharField(
        label=_("手机号"),
        max_length=20,
        required=False,
        help_text=_("已注册用户填写手机号，预订记在其名下；一卡通支付必填。"),
    )
    method = forms.ChoiceField(
        label=_("支付方式"), choices=DESK_METHODS, widget=forms.RadioSelect, initial="cash"
    )
    aliases = {"slots": "start", "phone": "customer_phone"}

    def __init__(self, *args: Any, courts: list[Court], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.courts = {c.pk: c for c in courts}
        self.set_courts(courts)
        self.fields["method"].widget.attrs["class"] = "form-check-input"

    def choices(self) -> list[SlotChoice]:
        """The consecutive slots asked for, by the court's slot length."""
        data = self.cleaned_data
        court = self.courts[data["court_id"]]
        first = local_dt(data["day"], data["start"])
        step = timedelta(minutes=court.slot_minutes)
        return [SlotChoice(court.pk, first + step * i) for i in range(data["count"])]


class BlockForm(CourtChoiceMixin, BootstrapMixin, forms.Form):
    """Court time taken off sale for maintenance or an event."""

    court_id = forms.TypedChoiceField(label=_("场地"), coerce=int)
    starts_at = forms.DateTimeField(
        label=_("开始"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local", "step": 1800}),
    )
    ends_at = forms.DateTimeField(
        label=_("结束"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local", "step": 1800}),
    )
    kind = forms.ChoiceField(label=_("类别"), choices=BlockKind.choices)
    reason = forms.CharField(label=_("说明"), max_length=200, required=False)

    def __init__(self, *args: Any, courts: list[Court], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.set_courts(courts)

    def to_data(self) -> BlockData:
        """The service's input."""
        return BlockData(**self.cleaned_data)


class SeriesForm(CourtChoiceMixin, BootstrapMixin, forms.Form):
    """A club's weekly booking of one court for a term."""

    title = forms.CharField(label=_("名称"), max_length=100)
    customer_phone = forms.CharField(
        label=_("俱乐部账号手机号"), max_length=20, help_text=_("预订记在该账号名下。")
    )
    court_id = forms.TypedChoiceField(label=_("场地"), coerce=int)
    weekday = forms.TypedChoiceField(label=_("星期"), coerce=int, choices=WEEKDAYS)
    starts = forms.TimeField(label=_("开始时间"), widget=_time_input())
    ends = forms.TimeField(label=_("结束时间"), widget=_time_input())
    first_date = forms.DateField(label=_("首次日期"), widget=_date_input())
    last_date = forms.DateField(label=_("末次日期"), widget=_date_input())
    method = forms.ChoiceField(label=_("支付方式"), choices=DESK_METHODS, initial="cash")

    def __init__(self, *args: Any, courts: list[Court], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.set_courts(courts)

    def to_data(self) -> SeriesData:
        """The service's input."""
        return SeriesData(**self.cleaned_data)


class SeriesCancelForm(forms.Form):
    """Cancel one date of a series, or (no date) all its future dates."""

    on = forms.DateField(required=False)


class PolicyForm(BootstrapMixin, forms.Form):
    """The venue's booking rules; limits come from the service's own table."""

    LABELS = {
        name: BookingPolicy._meta.get_field(name).verbose_name  # type: ignore[union-attr]
        for name in POLICY_FIELDS
    }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in POLICY_FIELDS:
            low, high = POLICY_LIMITS[name]
            # Added after BootstrapMixin ran, so they get its class here.
            self.fields[name] = forms.IntegerField(
                label=self.LABELS[name],
                min_value=low,
                max_value=high,
                widget=forms.NumberInput(attrs={"class": "form-control"}),
            )


class TierForm(BootstrapMixin, forms.Form):
    """One cancellation tier: from ``hours`` before the start, a fee of ``percent``."""

    hours = forms.IntegerField(label=_("开场前（小时）"), min_value=0, max_value=720)
    percent = forms.IntegerField(label=_("手续费（%）"), min_value=0, max_value=100)


TierFormSet = forms.formset_factory(TierForm, extra=0, can_delete=True, min_num=1, max_num=10)


def tiers_from(formset: Any) -> list[list[int]]:
    """The kept tier rows as ``[hours, percent]`` pairs."""
    return [
        [f.cleaned_data["hours"], f.cleaned_data["percent"]]
        for f in formset.forms
        if f.cleaned_data and not f.cleaned_data.get("DELETE")
    ]


class MemberForm(BootstrapMixin, forms.Form):
    """Enrol a resident as a member until a date."""

    phone = forms.CharField(label=_("手机号"), max_length=20)
    valid_until = forms.DateField(label=_("有效期至"), widget=_date_input())


class TopupForm(BootstrapMixin, forms.Form):
    """Cash onto a resident's stored-value card at the counter (yuan in, fen stored)."""

    phone = forms.CharField(label=_("手机号"), max_length=20)
    amount = forms.DecimalField(
        label=_("充值金额（元）"), min_value=1, max_value=5000, decimal_places=2
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("amount") is not None:
            data["amount_fen"] = int(data.pop("amount") * 100)
        return data


class ConcessionForm(BootstrapMixin, forms.Form):
    """Record a concession group seen on papers."""

    phone = forms.CharField(label=_("手机号"), max_length=20)
    group = forms.ChoiceField(label=_("优待类别"), choices=ConcessionGroup.choices)
    valid_until = forms.DateField(label=_("有效期至"), widget=_date_input())


def parse_day(text: str | None, default: date) -> date:
    """A ``YYYY-MM-DD`` query value, or ``default`` when absent or malformed."""
    try:
        return date.fromisoformat(text) if text else default
    except ValueError:
        return default


def parse_time(text: str | None) -> time | None:
    """An ``HH:MM`` query value, or None."""
    try:
        return datetime.strptime(text or "", "%H:%M").time()
    except ValueError:
        return None
