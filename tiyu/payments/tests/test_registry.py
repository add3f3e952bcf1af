"""Which gateways are enabled, from settings; sandbox key files."""

from __future__ import annotations

import stat
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tiyu.payments import gateways
from tiyu.payments.gateways.sandbox import _key_file
from tiyu.payments.tests.fakes import FakeAlipay, FakeWechat, private_pem, public_pem


@pytest.fixture
def fresh_registry() -> Iterator[None]:
    gateways.reset()
    yield
    gateways.reset()


def test_default_is_the_sandbox_only(settings: Any, fresh_registry: None) -> None:
    settings.WECHATPAY = None
    settings.ALIPAY = None
    assert list(gateways.gateways_enabled()) == ["sandbox"]
    settings.PAYMENTS_SANDBOX = False
    gateways.reset()
    assert gateways.gateways_enabled() == {}


def test_real_gateways_from_key_files_without_network(
    settings: Any, tmp_path: Path, fresh_registry: None, monkeypatch: Any
) -> None:
    import urllib.request

    monkeypatch.setattr(urllib.request, "urlopen", lambda *a, **k: pytest.fail("network"))
    wx, ali = FakeWechat(), FakeAlipay()
    files = {
        "wx_key": private_pem(wx.merchant_key),
        "wx_pub": public_pem(wx.platform_key),
        "ali_key": private_pem(ali.app_key),
        "ali_pub": public_pem(ali.alipay_key),
    }
    for name, text in files.items():
        (tmp_path / name).write_text(text)
    settings.PAYMENTS_PUBLIC_URL = "https://tiyu.example.cn/"
    settings.WECHATPAY = {
        "mchid": wx.mchid,
        "appid": wx.appid,
        "apiv3_key": wx.apiv3_key,
        "cert_serial_no": "ABC",
        "private_key_file": str(tmp_path / "wx_key"),
        "public_key_file": str(tmp_path / "wx_pub"),
        "public_key_id": wx.public_key_id,
    }
    settings.ALIPAY = {
        "appid": ali.appid,
        "app_private_key_file": str(tmp_path / "ali_key"),
        "public_key_file": str(tmp_path / "ali_pub"),
        "gateway_url": "https://openapi.alipay.com/gateway.do",
        "mode": "wap",
    }
    enabled = gateways.gateways_enabled()
    assert list(enabled) == ["sandbox", "wechat", "alipay"]
    assert enabled["wechat"].config.notify_url == (  # type: ignore[attr-defined]
        "https://tiyu.example.cn/api/v1/payments/wechat/notify"
    )
    from django.utils import timezone

    headers, body = wx.notice(out_trade_no="X", amount_fen=1)
    assert enabled["wechat"].verify_notice(headers, body, now=timezone.now()).paid


def test_sandbox_key_file_is_created_once_owner_only(tmp_path: Path) -> None:
    first = _key_file(tmp_path / "keys", "gateway")
    assert "BEGIN PRIVATE KEY" in first
    path = tmp_path / "keys" / "gateway_private.pem"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert _key_file(tmp_path / "keys", "gateway") == first
    assert [p.name for p in (tmp_path / "keys").iterdir()] == ["gateway_private.pem"]
