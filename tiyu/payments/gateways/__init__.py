"""The enabled payment gateways, built once from settings.

The local sandbox is on by default (the demo pays with it). WeChat Pay and
Alipay are enabled only when their keys are configured (``WECHATPAY_*``,
``ALIPAY_*``; see docs/payments.md). Building an adapter reads key files and
never touches the network.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from django.conf import settings
from django.utils.translation import gettext_lazy as _

from tiyu.core.errors import DomainError, NotFound
from tiyu.payments.gateways.base import Gateway

ORDER = ("sandbox", "wechat", "alipay")
_built: dict[str, Gateway] | None = None
_overrides: dict[str, Gateway | None] = {}


def notify_url(name: str) -> str:
    """The absolute URL a gateway calls back (relative when no public URL is set)."""
    base = str(getattr(settings, "PAYMENTS_PUBLIC_URL", "") or "").rstrip("/")
    return f"{base}/api/v1/payments/{name}/notify"


def _read(path: str) -> str:
    return Path(path).read_text()


def _build() -> dict[str, Gateway]:
    found: dict[str, Gateway] = {}
    if getattr(settings, "PAYMENTS_SANDBOX", True):
        from tiyu.payments.gateways.sandbox import sandbox_gateway

        found["sandbox"] = sandbox_gateway(notify_url("sandbox"))
    wechat: dict[str, Any] | None = getattr(settings, "WECHATPAY", None)
    if wechat:
        from tiyu.payments.gateways.wechat import WechatConfig, WechatGateway

        found["wechat"] = WechatGateway(
            WechatConfig(
                mchid=wechat["mchid"],
                appid=wechat["appid"],
                apiv3_key=wechat["apiv3_key"],
                cert_serial_no=wechat["cert_serial_no"],
                private_key=_read(wechat["private_key_file"]),
                public_key=_read(wechat["public_key_file"]),
                public_key_id=wechat["public_key_id"],
                notify_url=notify_url("wechat"),
            )
        )
    alipay: dict[str, Any] | None = getattr(settings, "ALIPAY", None)
    if alipay:
        from tiyu.payments.gateways.alipay import AlipayConfig, AlipayGateway

        found["alipay"] = AlipayGateway(
            AlipayConfig(
                appid=alipay["appid"],
                app_private_key=_read(alipay["app_private_key_file"]),
                alipay_public_key=_read(alipay["public_key_file"]),
                notify_url=notify_url("alipay"),
                gateway_url=alipay["gateway_url"],
                mode=alipay["mode"],
            )
        )
    return found


def gateways_enabled() -> dict[str, Gateway]:
    """Name -> adapter for every enabled gateway, sandbox first."""
    global _built
    if _built is None:
        _built = _build()
    merged: dict[str, Gateway] = {**_built}
    for name, gw in _overrides.items():
        if gw is None:
            merged.pop(name, None)
        else:
            merged[name] = gw
    return {name: merged[name] for name in ORDER if name in merged}


def gateway_get(name: str) -> Gateway:
    """The adapter called ``name``, or a 404 ``gateway_unknown`` if it is not enabled."""
    gw = gateways_enabled().get(name)
    if gw is None:
        raise NotFound("gateway_unknown", _("该支付方式未启用。"))
    return gw


def gateway_require(name: str) -> Gateway:
    """Like ``gateway_get`` but a 400 ``method_unavailable``, for a payer's choice."""
    gw = gateways_enabled().get(name)
    if gw is None:
        raise DomainError("method_unavailable", _("该支付方式暂不可用。"), fields={"method": name})
    return gw


@contextmanager
def gateway_override(name: str, gateway: Gateway | None) -> Iterator[None]:
    """Tests: enable ``gateway`` under ``name`` (or disable it with ``None``) for a while."""
    before = _overrides.get(name, ...)
    _overrides[name] = gateway
    try:
        yield
    finally:
        if before is ...:
            _overrides.pop(name, None)
        else:
            _overrides[name] = before  # type: ignore[assignment]


def reset() -> None:
    """Forget the built adapters (after settings change)."""
    global _built
    _built = None
