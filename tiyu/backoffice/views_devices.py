"""Device registry pages of a venue: the list with online state and refusals, register,
the detail page with edit, rotate and revoke, and the page that shows a secret once.

Whoever's scope reaches the venue (its staff, officials of its region) sees the
pages; writes are for its managers and platform admins (others get 403, and
nothing changes). A new secret is rendered straight into the POST response that
issued it, with ``Cache-Control: no-store``: it is never put in a URL, the
session or a flash message, and no later page can show it again.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.timesince import timesince
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from tiyu.backoffice import forms as bf
from tiyu.backoffice.forms_devices import ConfirmForm, DeviceEditForm, DeviceRegisterForm
from tiyu.backoffice.views import backoffice_view
from tiyu.core.errors import DomainError, NotFound, PermissionDenied
from tiyu.devices import services
from tiyu.devices.client import DOWN_TOPIC, UP_TOPIC
from tiyu.devices.models import Device
from tiyu.devices.selectors import (
    DeviceStatus,
    commands_visible,
    device_statuses,
    devices_visible,
    is_online,
    rejections_visible,
)
from tiyu.venues.models import Venue
from tiyu.venues.selectors import venue_can_manage, venue_scoped_get

MESSAGES_PATH = "/api/v1/devices/messages"
DOCS_PATH = "docs/devices.md"
REFUSAL_DAYS = 7
RECENT_COMMANDS = 20

FIELD_ERROR = _("字段错误")
REASONS: dict[str, Any] = {
    "device_unknown": _("未知设备"),
    "unsigned": _("未签名"),
    "timestamp_out_of_window": _("时间戳超出窗口"),
    "bad_signature": _("签名错误"),
    "device_revoked": _("设备已停用"),
    "malformed": _("格式错误"),
    "batch_too_large": _("批量过大"),
    "too_far_ahead": _("时间超前"),
    "too_late": _("补传过期"),
    "type_not_for_device": _("消息类型不符"),
    "bad_code": _("入场码消息不完整"),
    "bad_ack": _("回执不完整"),
    "bad_value": _("读数错误"),
    "value_not_finite": _("读数错误"),
    "value_absurd": _("读数超出物理范围"),
    "bad_metric": _("未知监测指标"),
}
"""What each refusal code means to a person; other field codes read as 字段错误."""


def reason_label(code: str) -> Any:
    return REASONS.get(code, FIELD_ERROR)


@dataclass(frozen=True)
class RefusalRow:
    """The refusals of one reason over the last days, added up."""

    reason: str
    label: Any
    count: int
    last_at: datetime
    device_ids: list[int]


def _refusals(user: Any, venue_id: int) -> list[RefusalRow]:
    rows: dict[str, dict[str, Any]] = {}
    for r in rejections_visible(user, venue_id=venue_id, days=REFUSAL_DAYS):
        row = rows.setdefault(r.reason, {"count": 0, "last_at": r.last_at, "devices": set()})
        row["count"] += r.count
        row["last_at"] = max(row["last_at"], r.last_at)
        row["devices"].add(r.device_id)
    out = [
        RefusalRow(code, reason_label(code), v["count"], v["last_at"], sorted(v["devices"]))
        for code, v in rows.items()
    ]
    return sorted(out, key=lambda r: (-r.count, r.reason))


def _ago(last: datetime | None, now: datetime) -> str:
    """When a device was last heard from, for people: 刚刚, or '3 分钟前' (largest unit)."""
    if last is None:
        return ""
    if now - last < timedelta(minutes=1):
        return str(_("刚刚"))
    return str(_("%(ago)s前") % {"ago": timesince(last, now, depth=1)})


def _venue(request: HttpRequest, venue_id: int) -> tuple[Venue, bool]:
    venue = venue_scoped_get(request.user, venue_id)
    return venue, venue_can_manage(request.user, venue.pk)


def _must_manage(can_manage: bool) -> None:
    if not can_manage:
        raise PermissionDenied("not_manager", _("只有场馆管理员可以管理设备。"))


def _status_of(request: HttpRequest, venue: Venue, device_id: int) -> DeviceStatus:
    """One device of this venue as the user may see it (another venue's is a 404)."""
    device = devices_visible(request.user, venue_id=venue.pk).filter(pk=device_id).first()
    if device is None:
        raise NotFound("device_unknown", _("设备不存在。"))
    seen = getattr(device, "seen", None)
    last = seen.last_seen_at if seen else None
    return DeviceStatus(
        device,
        last,
        seen.transport if seen else "",
        seen.messages if seen else 0,
        is_online(last, timezone.now()) and not device.is_revoked,
    )


def _secret_page(
    request: HttpRequest, venue: Venue, device: Device, secret: str, *, rotated: bool
) -> HttpResponse:
    """The one response that carries a secret: not cached, not stored anywhere."""
    response = render(
        request,
        "backoffice/devices/secret.html",
        {
            "venue": venue,
            "tab": "devices",
            "can_manage": True,
            "device": device,
            "secret": secret,
            "rotated": rotated,
            "endpoint": request.build_absolute_uri(MESSAGES_PATH),
            "up_topic": UP_TOPIC.format(device_id=device.pk),
            "down_topic": DOWN_TOPIC.format(device_id=device.pk),
            "docs_path": DOCS_PATH,
        },
    )
    response["Cache-Control"] = "no-store"
    response["Pragma"] = "no-cache"
    return response


@backoffice_view
def device_list(request: HttpRequest, venue_id: int) -> HttpResponse:
    """The venue's devices with online state, the last week's refusals, and (managers)
    the form to register one; a registration answers with the secret page."""
    venue, can_manage = _venue(request, venue_id)
    form = DeviceRegisterForm(request.POST or None) if can_manage else None
    status, error = 200, None
    if request.method == "POST":
        _must_manage(can_manage)
        assert form is not None
        if form.is_valid():
            try:
                device, secret = services.device_register(
                    actor=request.user, venue_id=venue.pk, **form.cleaned_data
                )
            except DomainError as refusal:
                status = bf.show_refusal(form, refusal)
                error = refusal.as_dict()
            else:
                return _secret_page(request, venue, device, secret, rotated=False)
        else:
            status = 400
    now = timezone.now()
    rows = device_statuses(request.user, venue_id=venue.pk, now=now)
    return render(
        request,
        "backoffice/devices/list.html",
        {
            "venue": venue,
            "tab": "devices",
            "can_manage": can_manage,
            "rows": [(s, _ago(s.last_seen_at, now)) for s in rows],
            "online": sum(1 for s in rows if s.online),
            "active": sum(1 for s in rows if not s.device.is_revoked),
            "total": len(rows),
            "refusals": _refusals(request.user, venue.pk),
            "days": REFUSAL_DAYS,
            "form": form,
            "error": error,
        },
        status=status,
    )


def _detail(
    request: HttpRequest,
    venue: Venue,
    can_manage: bool,
    status: DeviceStatus,
    *,
    form: forms.Form | None = None,
    confirm_rotate: forms.Form | None = None,
    confirm_revoke: forms.Form | None = None,
    error: dict[str, Any] | None = None,
    code: int = 200,
) -> HttpResponse:
    device = status.device
    if can_manage and form is None:
        form = DeviceEditForm(
            initial={"name": device.name, "location": device.location, "firmware": device.firmware}
        )
    commands = list(commands_visible(request.user, device_id=device.pk)[:RECENT_COMMANDS])
    return render(
        request,
        "backoffice/devices/detail.html",
        {
            "venue": venue,
            "tab": "devices",
            "can_manage": can_manage,
            "s": status,
            "device": device,
            "ago": _ago(status.last_seen_at, timezone.now()),
            "form": form,
            "confirm_rotate": confirm_rotate or ConfirmForm(prefix="rotate"),
            "confirm_revoke": confirm_revoke or ConfirmForm(prefix="revoke"),
            "commands": commands,
            "recent": RECENT_COMMANDS,
            "error": error,
            "up_topic": UP_TOPIC.format(device_id=device.pk),
            "endpoint": request.build_absolute_uri(MESSAGES_PATH),
        },
        status=code,
    )


@backoffice_view
def device_detail(request: HttpRequest, venue_id: int, device_id: int) -> HttpResponse:
    """One device: its state, recent commands, and (managers) edit, rotate and revoke."""
    venue, can_manage = _venue(request, venue_id)
    status = _status_of(request, venue, device_id)
    if request.method != "POST":
        return _detail(request, venue, can_manage, status)
    _must_manage(can_manage)
    form = DeviceEditForm(request.POST)
    if not form.is_valid():
        return _detail(request, venue, can_manage, status, form=form, code=400)
    try:
        services.device_update(actor=request.user, device_id=status.device.pk, **form.cleaned_data)
    except DomainError as refusal:
        code = bf.show_refusal(form, refusal)
        return _detail(
            request, venue, can_manage, status, form=form, error=refusal.as_dict(), code=code
        )
    messages.success(request, _("设备信息已保存。"))
    return redirect("backoffice:device", venue.pk, status.device.pk)


@require_POST
@backoffice_view
def device_rotate(request: HttpRequest, venue_id: int, device_id: int) -> HttpResponse:
    """Issue a new secret (after a tick to confirm) and show it once; the old one stops."""
    venue, can_manage = _venue(request, venue_id)
    status = _status_of(request, venue, device_id)
    _must_manage(can_manage)
    confirm = ConfirmForm(request.POST, prefix="rotate")
    if not confirm.is_valid():
        return _detail(request, venue, can_manage, status, confirm_rotate=confirm, code=400)
    try:
        device, secret = services.device_secret_rotate(
            actor=request.user, device_id=status.device.pk
        )
    except DomainError as refusal:
        if isinstance(refusal, NotFound | PermissionDenied):
            raise
        return _detail(
            request, venue, can_manage, status, error=refusal.as_dict(), code=refusal.status
        )
    return _secret_page(request, venue, device, secret, rotated=True)


@require_POST
@backoffice_view
def device_revoke(request: HttpRequest, venue_id: int, device_id: int) -> HttpResponse:
    """Stop the device for good (after a tick to confirm)."""
    venue, can_manage = _venue(request, venue_id)
    status = _status_of(request, venue, device_id)
    _must_manage(can_manage)
    confirm = ConfirmForm(request.POST, prefix="revoke")
    if not confirm.is_valid():
        return _detail(request, venue, can_manage, status, confirm_revoke=confirm, code=400)
    try:
        services.device_revoke(actor=request.user, device_id=status.device.pk)
    except DomainError as refusal:
        if isinstance(refusal, NotFound | PermissionDenied):
            raise
        return _detail(
            request, venue, can_manage, status, error=refusal.as_dict(), code=refusal.status
        )
    messages.success(request, _("设备已停用，它的消息将被拒收。"))
    return redirect("backoffice:device", venue.pk, status.device.pk)
