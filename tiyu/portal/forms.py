"""Query-string forms of the resident pages: parse and validate, nothing else."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from tiyu.core.errors import DomainError
from tiyu.venues.selectors import VenueFilter

REGION_CODE = r"^\d{6}$"


def _region_field() -> forms.RegexField:
    return forms.RegexField(
        regex=REGION_CODE,
        required=False,
        error_messages={"invalid": _("行政区划代码应为 6 位数字。")},
    )


def invalid(form: forms.Form) -> DomainError:
    """A 400 ``invalid_request`` naming each bad field, from a form's errors."""
    fields = {name: errs[0] for name, errs in form.errors.items()}
    return DomainError("invalid_request", _("查询参数有误。"), status=400, fields=fields)


class PointForm(forms.Form):
    """A WGS-84 position from the browser (both or neither)."""

    lat = forms.FloatField(required=False, min_value=-90, max_value=90)
    lng = forms.FloatField(required=False, min_value=-180, max_value=180)

    def point(self) -> tuple[float, float] | None:
        """``(lat, lng)`` when both are given."""
        lat, lng = self.cleaned_data.get("lat"), self.cleaned_data.get("lng")
        if lat is None or lng is None:
            return None
        return lat, lng


class SearchForm(PointForm):
    """The venue search: text, region (cascading selects or one code), sport, type, page."""

    q = forms.CharField(required=False, max_length=100, strip=True)
    region = _region_field()
    province = _region_field()
    city = _region_field()
    district = _region_field()
    sport = forms.CharField(required=False, max_length=32)
    kind = forms.CharField(required=False, max_length=24)
    page = forms.IntegerField(required=False, min_value=1, max_value=1000)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if (data.get("lat") is None) != (data.get("lng") is None):
            raise forms.ValidationError(_("纬度和经度需同时提供。"), code="point_incomplete")
        return data

    def region_code(self) -> str | None:
        """The most specific region chosen: district, then city, province, or ``region``."""
        d = self.cleaned_data
        return d.get("district") or d.get("city") or d.get("province") or d.get("region") or None

    def to_filter(self) -> VenueFilter:
        """The selector's filter (unknown region/sport/type are refused by the selector)."""
        d = self.cleaned_data
        return VenueFilter(
            q=d.get("q") or "",
            region_code=self.region_code(),
            sport=d.get("sport") or None,
            kind=d.get("kind") or None,
        )

    def page_number(self) -> int:
        """The 1-based page asked for."""
        return self.cleaned_data.get("page") or 1
