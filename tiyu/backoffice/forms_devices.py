"""Device registry forms: they parse the input; tiyu.devices.services decides.

Field names are the services' keyword arguments, so a refusal (``fields={"name": …}``)
lands next to its field.
"""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from tiyu.backoffice.forms import BootstrapMixin
from tiyu.devices.models import DeviceKind
from tiyu.devices.services import NAME_MAX


class DeviceEditForm(BootstrapMixin, forms.Form):
    """What a person may change about a device: its name, location and firmware text."""

    name = forms.CharField(label=_("名称"), max_length=NAME_MAX)
    location = forms.CharField(
        label=_("安装位置"),
        max_length=120,
        required=False,
        help_text=_("例如：东门入口、游泳馆南墙。"),
    )
    firmware = forms.CharField(
        label=_("固件版本"),
        max_length=40,
        required=False,
        help_text=_("设备上报心跳时会自动更新。"),
    )


class DeviceRegisterForm(DeviceEditForm):
    """Register a device: its kind, then the editable fields."""

    kind = forms.ChoiceField(label=_("类型"), choices=DeviceKind.choices)

    field_order = ["kind", "name", "location", "firmware"]


class ConfirmForm(BootstrapMixin, forms.Form):
    """An explicit tick before an action that cannot be undone (rotate, revoke)."""

    confirm = forms.BooleanField(
        label=_("我已了解后果，确认操作"),
        error_messages={"required": _("请先勾选确认。")},
    )
