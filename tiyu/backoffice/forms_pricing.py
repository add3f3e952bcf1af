"""Back-office forms of the price editor and the holiday calendar.

Prices are typed in yuan and handed to the services in fen; times are chosen on
the court's slot grid. The services decide (caps, grid, order); their refusals land
next to the field they name (see ``aliases``).
"""

from __future__ import annotations

from datetime import time
from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from tiyu.backoffice.forms import BootstrapMixin, _choice_field
from tiyu.venues.models import WEEKDAYS, DayType, HolidayKind, PriceBand, PriceRule
from tiyu.venues.services import PriceRuleData

DAY_TYPE_CHOICES = [("", _("任意日期类型")), *DayType.choices]


def grid_choices(slot_minutes: int, *, ends: bool) -> list[tuple[str, str]]:
    """``HH:MM`` choices on a court's slot grid (a rule ends by 23:30 at the latest)."""
    first = slot_minutes if ends else 0
    values = range(first, 24 * 60, slot_minutes)
    return [(f"{m // 60:02d}:{m % 60:02d}",) * 2 for m in values]


def _yuan_field(label: Any, required: bool = True) -> forms.DecimalField:
    return forms.DecimalField(
        label=label,
        required=required,
        min_value=Decimal("0"),
        max_value=Decimal("10000"),
        max_digits=7,
        decimal_places=2,
        widget=forms.NumberInput(attrs={"step": "0.01", "inputmode": "decimal"}),
    )


def _fen(value: Decimal | None) -> int | None:
    return None if value is None else int(value * 100)


def _yuan(fen: int | None) -> Decimal | None:
    return None if fen is None else (Decimal(fen) / 100).quantize(Decimal("0.01"))


class PriceRuleForm(BootstrapMixin, forms.Form):
    """One price rule of a court."""

    band = forms.ChoiceField(label=_("时段类别"), choices=PriceBand.choices)
    weekdays = forms.TypedMultipleChoiceField(
        label=_("适用星期"),
        coerce=int,
        choices=WEEKDAYS,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("请至少选择一天。")},
    )
    day_type = forms.ChoiceField(
        label=_("日期类型"),
        choices=DAY_TYPE_CHOICES,
        required=False,
        help_text=_("调休上班日算工作日，法定节假日算节假日，与星期几无关。"),
    )
    starts = forms.ChoiceField(label=_("开始时间"))
    ends = forms.ChoiceField(label=_("结束时间"))
    price = _yuan_field(_("价格（元/时段）"))
    member_price = _yuan_field(_("会员价（元）"), required=False)
    concession_price = _yuan_field(_("优待价（元）"), required=False)
    priority = forms.IntegerField(
        label=_("优先级"),
        initial=0,
        min_value=-1000,
        max_value=1000,
        help_text=_("同一时段有多条规则时，优先级高的生效；相同时以最新的为准。"),
    )
    date_from = forms.DateField(
        label=_("起始日期"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label=_("截止日期"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    aliases = {
        "price_fen": "price",
        "member_price_fen": "member_price",
        "concession_price_fen": "concession_price",
    }

    def __init__(self, *args: Any, slot_minutes: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _choice_field(self, "starts").choices = grid_choices(slot_minutes, ends=False)
        _choice_field(self, "ends").choices = grid_choices(slot_minutes, ends=True)
        self.fields["price"].help_text = _("每个 %(m)s 分钟时段的价格。") % {"m": slot_minutes}

    def to_data(self) -> PriceRuleData:
        """The cleaned form as the service's input (yuan to fen, mask of weekdays)."""
        d = self.cleaned_data
        days = set(d["weekdays"])
        return PriceRuleData(
            starts=time.fromisoformat(d["starts"]),
            ends=time.fromisoformat(d["ends"]),
            price_fen=_fen(d["price"]) or 0,
            member_price_fen=_fen(d["member_price"]),
            concession_price_fen=_fen(d["concession_price"]),
            weekdays="".join("1" if i in days else "0" for i in range(7)),
            day_type=d["day_type"],
            band=d["band"],
            priority=d["priority"],
            date_from=d["date_from"],
            date_to=d["date_to"],
        )


def rule_initial(rule: PriceRule | None) -> dict[str, Any]:
    """Form values of an existing rule, or of a new one (every day, 08:00–22:00)."""
    if rule is None:
        return {"weekdays": list(range(7)), "starts": "08:00", "ends": "22:00", "priority": 0}
    return {
        "band": rule.band,
        "weekdays": [i for i, c in enumerate(rule.weekdays) if c == "1"],
        "day_type": rule.day_type,
        "starts": f"{rule.starts:%H:%M}",
        "ends": f"{rule.ends:%H:%M}",
        "price": _yuan(rule.price_fen),
        "member_price": _yuan(rule.member_price_fen),
        "concession_price": _yuan(rule.concession_price_fen),
        "priority": rule.priority,
        "date_from": rule.date_from,
        "date_to": rule.date_to,
    }


class CopyRulesForm(BootstrapMixin, forms.Form):
    """The other courts of the venue to give this court's rules (theirs are replaced)."""

    to_court_ids = forms.TypedMultipleChoiceField(
        label=_("复制到"),
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("请选择要复制到的其他场地。")},
        help_text=_("所选场地原有的价格规则会被替换。"),
    )

    def __init__(self, *args: Any, courts: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _choice_field(self, "to_court_ids").choices = courts


class PreviewForm(forms.Form):
    """The date whose week (Monday to Sunday) the preview shows."""

    day = forms.DateField(
        label=_("日期"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )


class HolidayForm(BootstrapMixin, forms.Form):
    """A date of the holiday calendar."""

    date = forms.DateField(label=_("日期"), widget=forms.DateInput(attrs={"type": "date"}))
    kind = forms.ChoiceField(label=_("类别"), choices=HolidayKind.choices)
    name = forms.CharField(label=_("名称"), max_length=32)


class HolidayRemoveForm(forms.Form):
    """The date to take off the calendar."""

    date = forms.DateField()
