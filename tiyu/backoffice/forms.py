"""Back-office forms: they parse and type-check input; the venue services decide.

Field names follow the keyword arguments of the services (and the ``fields`` of
their ``DomainError``), so a refusal lands next to the field it is about.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy as _

from tiyu.core.errors import DomainError, NotFound, PermissionDenied
from tiyu.regions.models import Region
from tiyu.venues.models import WEEKDAYS, DocumentKind, EquipmentStatus, Venue, VenueKind
from tiyu.venues.services import VenueData

PRICE_UNITS = [("hour", _("每小时")), ("entry", _("每人次"))]
CRS_CHOICES = [("wgs84", _("WGS-84（GPS、天地图）")), ("gcj02", _("GCJ-02（高德、腾讯地图）"))]
phone_format = RegexValidator(r"^[0-9+\-() ]{3,32}$", _("电话号码只能包含数字、空格和 + - ( )。"))


class BootstrapMixin:
    """Gives widgets Bootstrap classes and marks fields with errors as invalid."""

    fields: dict[str, forms.Field]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[call-arg]
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.CheckboxInput | forms.CheckboxSelectMultiple):
                css = "form-check-input"
            elif isinstance(widget, forms.Select):
                css = "form-select"
            else:
                css = "form-control"
            widget.attrs["class"] = f"{widget.attrs.get('class', '')} {css}".strip()

    def add_error(self, field: str | None, error: Any) -> None:
        super().add_error(field, error)  # type: ignore[misc]
        names = [field] if field else []
        if isinstance(error, dict):
            names = list(error)
        for name in names:
            if name in self.fields:
                widget = self.fields[name].widget
                widget.attrs["class"] = f"{widget.attrs.get('class', '')} is-invalid".strip()


def show_refusal(
    form: forms.BaseForm,
    error: DomainError,
    aliases: dict[str, str] | None = None,
) -> int:
    """Put a service's refusal on ``form`` (next to its fields) and return its status.

    Not-found and forbidden are not form errors: they propagate to the error page.
    """
    if isinstance(error, NotFound | PermissionDenied):
        raise error
    aliases = aliases or {}
    for name, message in error.fields.items():
        name = aliases.get(name, name)
        form.add_error(name if name in form.fields else None, str(message))
    return error.status


def _choice_field(form: forms.BaseForm, name: str) -> forms.ChoiceField:
    """A form's choice field, typed as such (to set its choices at run time)."""
    field = form.fields[name]
    assert isinstance(field, forms.ChoiceField)
    return field


class DashboardFilterForm(BootstrapMixin, forms.Form):
    """Search box and filters of the dashboard's venue list."""

    q = forms.CharField(label=_("名称或拼音首字母"), max_length=100, required=False)
    region = forms.RegexField(label=_("区域"), regex=r"^\d{6}$", required=False)
    kind = forms.ChoiceField(
        label=_("类型"), choices=[("", _("全部类型")), *VenueKind.choices], required=False
    )

    def __init__(self, *args: Any, regions: list[Region] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["region"].widget = forms.Select(
            choices=[("", _("全部区域")), *((r.code, r.name) for r in regions or [])],
            attrs={"class": "form-select"},
        )


class VenueForm(BootstrapMixin, forms.Form):
    """The registry data of a venue (every field of ``VenueData``)."""

    name = forms.CharField(label=_("名称"), max_length=100)
    kind = forms.ChoiceField(label=_("类型"), choices=VenueKind.choices)
    region_code = forms.ChoiceField(label=_("所在区县"))
    address = forms.CharField(label=_("地址"), max_length=200)
    lat = forms.FloatField(label=_("纬度"), widget=forms.NumberInput(attrs={"step": "any"}))
    lng = forms.FloatField(label=_("经度"), widget=forms.NumberInput(attrs={"step": "any"}))
    crs = forms.ChoiceField(label=_("坐标系"), choices=CRS_CHOICES, initial="wgs84")
    owner = forms.CharField(label=_("产权单位"), max_length=100, required=False)
    operator = forms.CharField(label=_("运营单位"), max_length=100, required=False)
    phone = forms.CharField(
        label=_("联系电话"), max_length=32, required=False, validators=[phone_format]
    )
    area_m2 = forms.IntegerField(
        label=_("面积（平方米）"), min_value=0, max_value=10_000_000, required=False
    )
    year_built = forms.IntegerField(label=_("建成年份"), required=False)
    capacity = forms.IntegerField(
        label=_("最大容纳人数"), min_value=0, max_value=1_000_000, required=False
    )
    star_rating = forms.TypedChoiceField(
        label=_("星级"), coerce=int, choices=[(n, str(n)) for n in range(6)], initial=0
    )
    description = forms.CharField(
        label=_("简介"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    sport_codes = forms.MultipleChoiceField(
        label=_("运动项目"), required=False, widget=forms.CheckboxSelectMultiple
    )
    is_public = forms.BooleanField(label=_("公共场馆"), required=False)
    free_low_cost = forms.BooleanField(label=_("参与免费低收费开放"), required=False)
    is_published = forms.BooleanField(label=_("对公众发布"), required=False)

    def __init__(
        self,
        *args: Any,
        venue: Venue,
        regions: list[Region],
        sports: list[tuple[str, str]],
        can_rate: bool,
        **kwargs: Any,
    ) -> None:
        kwargs.setdefault("initial", venue_initial(venue))
        super().__init__(*args, **kwargs)
        self.venue = venue
        choices = [(r.code, r.name) for r in regions]
        if venue.region_id not in {code for code, _n in choices}:
            choices.insert(0, (venue.region_id, venue.region.name))
        _choice_field(self, "region_code").choices = choices
        _choice_field(self, "sport_codes").choices = sports
        if not can_rate:
            # Star ratings are awarded by the bureau, not chosen by the venue.
            del self.fields["star_rating"]

    def to_data(self) -> VenueData:
        """The cleaned form as the service's input."""
        d = dict(self.cleaned_data)
        d.setdefault("star_rating", self.venue.star_rating)
        return VenueData(**d)


def venue_initial(venue: Venue) -> dict[str, Any]:
    """A venue's current data as form values (coordinates in WGS-84)."""
    keys = [
        "name",
        "kind",
        "address",
        "lat",
        "lng",
        "owner",
        "operator",
        "phone",
        "area_m2",
        "year_built",
        "capacity",
        "star_rating",
        "description",
        "is_public",
        "free_low_cost",
        "is_published",
    ]
    initial = {k: getattr(venue, k) for k in keys}
    initial.update(
        region_code=venue.region_id,
        crs="wgs84",
        sport_codes=[s.code for s in venue.sports.all()],
    )
    return initial


class CourtForm(BootstrapMixin, forms.Form):
    """A court, possibly part of a hall of the same venue."""

    name = forms.CharField(label=_("场地名称"), max_length=64)
    sport_codes = forms.MultipleChoiceField(
        label=_("运动项目"), required=False, widget=forms.CheckboxSelectMultiple
    )
    parent_id = forms.TypedChoiceField(
        label=_("所属场地"),
        coerce=int,
        empty_value=None,
        required=False,
        help_text=_("例如一片羽毛球场属于整个馆：预订整馆会占用其中各片场地，反之亦然。"),
    )
    is_indoor = forms.BooleanField(label=_("室内"), required=False, initial=True)
    slot_minutes = forms.TypedChoiceField(
        label=_("时段长度"),
        coerce=int,
        choices=[(60, _("60 分钟")), (30, _("30 分钟"))],
        initial=60,
    )
    capacity = forms.IntegerField(label=_("容纳人数"), min_value=1, max_value=10_000, initial=4)

    def __init__(
        self,
        *args: Any,
        sports: list[tuple[str, str]],
        halls: list[tuple[int, str]],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        _choice_field(self, "sport_codes").choices = sports
        _choice_field(self, "parent_id").choices = [("", _("（独立场地）")), *halls]


class HoursRowForm(BootstrapMixin, forms.Form):
    """One opening period: a weekday and two times."""

    weekday = forms.TypedChoiceField(label=_("星期"), coerce=int, choices=[("", "—"), *WEEKDAYS])
    opens = forms.TimeField(
        label=_("开门"), widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
    )
    closes = forms.TimeField(
        label=_("关门"), widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
    )


class BaseHoursFormSet(forms.BaseFormSet):
    """Rows of opening periods; the delete box gets Bootstrap's class too."""

    def add_fields(self, form: forms.Form, index: int | None) -> None:
        super().add_fields(form, index)
        form.fields["DELETE"].label = _("删除")
        form.fields["DELETE"].widget.attrs["class"] = "form-check-input"


HoursFormSet = forms.formset_factory(
    HoursRowForm,
    formset=BaseHoursFormSet,
    extra=1,
    can_delete=True,
    max_num=70,
    validate_max=True,
)


def hours_periods(formset: forms.BaseFormSet) -> list[tuple[int, Any, Any]]:
    """The kept rows of a valid hours formset as ``(weekday, opens, closes)``."""
    return [
        (f.cleaned_data["weekday"], f.cleaned_data["opens"], f.cleaned_data["closes"])
        for f in formset.forms
        if f.cleaned_data and not f.cleaned_data.get("DELETE")
    ]


class ClosureForm(BootstrapMixin, forms.Form):
    """A dated closure announcement."""

    starts_on = forms.DateField(label=_("开始日期"), widget=forms.DateInput(attrs={"type": "date"}))
    ends_on = forms.DateField(label=_("结束日期"), widget=forms.DateInput(attrs={"type": "date"}))
    reason = forms.CharField(label=_("原因"), max_length=200)


class MarketPriceForm(BootstrapMixin, forms.Form):
    """A declared market price, entered in yuan and handed over in fen."""

    sport_code = forms.ChoiceField(label=_("运动项目"))
    unit = forms.ChoiceField(label=_("计价单位"), choices=PRICE_UNITS)
    price = forms.DecimalField(
        label=_("市场价（元）"), min_value=Decimal("0"), max_digits=9, decimal_places=2
    )
    aliases = {"price_fen": "price"}

    def __init__(self, *args: Any, sports: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _choice_field(self, "sport_code").choices = sports

    @property
    def price_fen(self) -> int:
        """The price in integer fen."""
        return int(self.cleaned_data["price"] * 100)


class PhotoForm(BootstrapMixin, forms.Form):
    """A photo upload; the service checks its real type and size."""

    image = forms.FileField(
        label=_("照片"),
        help_text=_("JPEG、PNG 或 WebP。"),
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}),
    )
    caption = forms.CharField(label=_("说明"), max_length=100, required=False)


class DocumentForm(BootstrapMixin, forms.Form):
    """A registry document upload by kind (PDF or image)."""

    kind = forms.ChoiceField(label=_("类别"), choices=DocumentKind.choices)
    title = forms.CharField(label=_("标题"), max_length=100)
    file = forms.FileField(
        label=_("文件"),
        help_text=_("PDF 或图片（JPEG、PNG、WebP）。"),
        widget=forms.ClearableFileInput(attrs={"accept": "application/pdf,image/*"}),
    )


class EquipmentForm(BootstrapMixin, forms.Form):
    """A new equipment item at an outdoor facility."""

    name = forms.CharField(label=_("器材名称"), max_length=64)
    model_no = forms.CharField(label=_("型号"), max_length=64, required=False)
    maker = forms.CharField(label=_("生产厂家"), max_length=100, required=False)
    installed_on = forms.DateField(
        label=_("安装日期"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )


class EquipmentStatusForm(BootstrapMixin, forms.Form):
    """A new status for one equipment item."""

    status = forms.ChoiceField(label=_("状态"), choices=EquipmentStatus.choices)
