"""Adapters against fake gateways: real keys, real signatures, no network."""

from __future__ import annotations

import json
import time
import urllib.parse
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from tiyu.payments.gateways.alipay import AlipayGateway
from tiyu.payments.gateways.base import GatewayError, HttpCall, NoticeRejected
from tiyu.payments.gateways.sandbox import SandboxAlipaySide, sandbox_gateway, sandbox_keys
from tiyu.payments.gateways.wechat import WechatGateway
from tiyu.payments.models import Payment, Refund
from tiyu.payments.tests.fakes import FakeAlipay, FakeWechat, new_key

pytestmark = pytest.mark.django_db


def no_network(call: HttpCall) -> Any:
    raise AssertionError(f"network call to {call.url}")


@pytest.fixture
def payment(world: Any) -> Payment:
    return Payment.objects.create(
        purpose="booking",
        reference="B0000TEST",
        user=world.resident,
        venue=world.wuhou_hall,
        method="wechat",
        amount_fen=4000,
    )


def refused(code: str, fn: Any, *args: Any, **kwargs: Any) -> None:
    with pytest.raises(NoticeRejected) as exc:
        fn(*args, **kwargs)
    assert exc.value.code == code
    assert exc.value.status == 400


# --- WeChat Pay v3 -----------------------------------------------------------------


def test_wechat_adapter_is_built_without_any_network(
    fake_wechat: FakeWechat, monkeypatch: Any
) -> None:
    import urllib.request

    import requests

    def boom(*a: Any, **k: Any) -> Any:
        raise AssertionError("network touched")

    monkeypatch.setattr(urllib.request, "urlopen", boom)
    monkeypatch.setattr(requests, "get", boom)
    monkeypatch.setattr(requests, "post", boom)
    gw = WechatGateway(fake_wechat.config())  # default (real) transport, but nothing is called
    assert gw.client._core._certificates == []


def test_wechat_good_notice_is_verified_and_decrypted(fake_wechat: FakeWechat) -> None:
    gw = WechatGateway(fake_wechat.config(), transport=no_network)
    headers, body = fake_wechat.notice(out_trade_no="T1", amount_fen=4000, notice_id="EV-1")
    notice = gw.verify_notice(headers, body, now=timezone.now())
    assert (notice.out_trade_no, notice.amount_fen, notice.paid, notice.notice_id) == (
        "T1",
        4000,
        True,
        "EV-1",
    )
    assert notice.gateway_trade_no.startswith("4200000")


def test_wechat_headers_any_case(fake_wechat: FakeWechat) -> None:
    gw = WechatGateway(fake_wechat.config(), transport=no_network)
    headers, body = fake_wechat.notice(out_trade_no="T1", amount_fen=1)
    lower = {k.lower(): v for k, v in headers.items()}
    assert gw.verify_notice(lower, body, now=timezone.now()).paid


def test_wechat_refuses_tampered_wrong_key_stale_and_foreign(fake_wechat: FakeWechat) -> None:
    gw = WechatGateway(fake_wechat.config(), transport=no_network)
    now = timezone.now()
    headers, body = fake_wechat.notice(out_trade_no="T1", amount_fen=4000)
    refused(
        "notice_signature_invalid", gw.verify_notice, headers, body.replace(b"T", b"X", 1), now=now
    )
    refused("notice_signature_invalid", gw.verify_notice, headers, body + b" ", now=now)
    h2, b2 = fake_wechat.notice(out_trade_no="T1", amount_fen=4000, key=new_key())
    refused("notice_signature_invalid", gw.verify_notice, h2, b2, now=now)
    h3, b3 = fake_wechat.notice(out_trade_no="T1", amount_fen=4000, apiv3_key="0" * 32)
    refused("notice_signature_invalid", gw.verify_notice, h3, b3, now=now)
    h4, b4 = fake_wechat.notice(out_trade_no="T1", amount_fen=4000, mchid="1234567890")
    refused("notice_signature_invalid", gw.verify_notice, h4, b4, now=now)
    refused(
        "notice_signature_invalid",
        gw.verify_notice,
        {**headers, "Wechatpay-Serial": "PUB_KEY_ID_OTHER"},
        body,
        now=now,
    )
    old = int(time.time()) - 301
    h5, b5 = fake_wechat.notice(out_trade_no="T1", amount_fen=4000, timestamp=old)
    refused("notice_stale", gw.verify_notice, h5, b5, now=now)
    h6, b6 = fake_wechat.notice(
        out_trade_no="T1", amount_fen=4000, timestamp=int(time.time()) + 301
    )
    refused("notice_stale", gw.verify_notice, h6, b6, now=now)
    # 4 minutes 50 seconds is still inside the window
    h7, b7 = fake_wechat.notice(
        out_trade_no="T1", amount_fen=4000, timestamp=int(time.time()) - 290
    )
    assert gw.verify_notice(h7, b7, now=now).paid


def test_wechat_closed_trade_is_not_paid(fake_wechat: FakeWechat) -> None:
    gw = WechatGateway(fake_wechat.config(), transport=no_network)
    headers, body = fake_wechat.notice(out_trade_no="T1", amount_fen=10, state="CLOSED")
    assert gw.verify_notice(headers, body, now=timezone.now()).paid is False


def test_wechat_native_order_and_refund_through_transport(
    fake_wechat: FakeWechat, payment: Payment
) -> None:
    gw = WechatGateway(fake_wechat.config(), transport=fake_wechat)
    request = gw.start(payment, return_url="/x")
    assert request.code_url.startswith("weixin://wxpay/bizpayurl")
    sent = json.loads(fake_wechat.calls[-1].body)
    assert sent["amount"] == {"total": 4000, "currency": "CNY"}
    assert sent["out_trade_no"] == payment.out_trade_no
    assert sent["notify_url"].endswith("/payments/wechat/notify")
    refund = Refund(payment=payment, amount_fen=1500, reason="退订")
    result = gw.refund(payment, refund)
    assert result.done is False  # PROCESSING: accepted, money on its way
    sent = json.loads(fake_wechat.calls[-1].body)
    assert sent["amount"] == {"refund": 1500, "total": 4000, "currency": "CNY"}


def test_wechat_answer_signed_by_someone_else_is_refused(
    fake_wechat: FakeWechat, payment: Payment
) -> None:
    other = FakeWechat()
    other.merchant_key = fake_wechat.merchant_key  # accepts our requests, signs with its own key
    gw = WechatGateway(fake_wechat.config(), transport=other)
    with pytest.raises(GatewayError) as exc:
        gw.start(payment, return_url="/x")
    assert exc.value.code == "gateway_signature_invalid"


# --- Alipay ---------------------------------------------------------------------------


def test_alipay_good_notice(fake_alipay: FakeAlipay) -> None:
    gw = AlipayGateway(fake_alipay.config(), transport=no_network)
    headers, body = fake_alipay.notice(out_trade_no="T2", total_amount="40.00", notify_id="N-1")
    notice = gw.verify_notice(headers, body, now=timezone.now())
    assert (notice.out_trade_no, notice.amount_fen, notice.paid, notice.notice_id) == (
        "T2",
        4000,
        True,
        "N-1",
    )


def test_alipay_refuses_tampered_wrong_key_stale_and_foreign(fake_alipay: FakeAlipay) -> None:
    gw = AlipayGateway(fake_alipay.config(), transport=no_network)
    now = timezone.now()
    headers, body = fake_alipay.notice(out_trade_no="T2", total_amount="40.00")
    refused(
        "notice_signature_invalid",
        gw.verify_notice,
        headers,
        body.replace(b"40.00", b"0.01"),
        now=now,
    )
    h2, b2 = fake_alipay.notice(out_trade_no="T2", total_amount="40.00", key=new_key())
    refused("notice_signature_invalid", gw.verify_notice, h2, b2, now=now)
    h3, b3 = fake_alipay.notice(out_trade_no="T2", total_amount="40.00", app_id="2021999")
    refused("notice_signature_invalid", gw.verify_notice, h3, b3, now=now)
    params = dict(urllib.parse.parse_qsl(body.decode()))
    params["sign"] = "not base64 at all!"
    refused(
        "notice_signature_invalid",
        gw.verify_notice,
        {},
        urllib.parse.urlencode(params).encode(),
        now=now,
    )
    del params["sign"]
    refused(
        "notice_signature_invalid",
        gw.verify_notice,
        {},
        urllib.parse.urlencode(params).encode(),
        now=now,
    )
    h4, b4 = fake_alipay.notice(
        out_trade_no="T2", total_amount="40.00", when=timezone.now() - timedelta(minutes=6)
    )
    refused("notice_stale", gw.verify_notice, h4, b4, now=now)
    # and the same notice is fine when "now" is its own time
    assert gw.verify_notice(h4, b4, now=now - timedelta(minutes=6)).paid


def test_alipay_page_pay_is_a_signed_redirect(fake_alipay: FakeAlipay, payment: Payment) -> None:
    gw = AlipayGateway(fake_alipay.config(), transport=no_network)
    request = gw.start(payment, return_url="https://tiyu.example.cn/done")
    url = urllib.parse.urlsplit(request.redirect_url)
    assert f"{url.scheme}://{url.netloc}{url.path}" == "https://openapi.alipay.com/gateway.do"
    params = dict(urllib.parse.parse_qsl(url.query))
    assert params["method"] == "alipay.trade.page.pay"
    assert json.loads(params["biz_content"])["total_amount"] == "40.00"
    sig = params.pop("sign")
    from tiyu.payments.tests.fakes import rsa_ok

    assert rsa_ok(fake_alipay.app_key, fake_alipay.content(params, request=True), sig)


def test_alipay_precreate_and_refund_through_transport(
    fake_alipay: FakeAlipay, payment: Payment
) -> None:
    gw = AlipayGateway(fake_alipay.config(mode="precreate"), transport=fake_alipay)
    assert gw.start(payment, return_url="").code_url.startswith("https://qr.alipay.com/")
    result = gw.refund(payment, Refund(payment=payment, amount_fen=1234, out_refund_no="R1"))
    assert result.done
    biz = json.loads(
        dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(fake_alipay.calls[-1].url).query))[
            "biz_content"
        ]
    )
    assert biz["refund_amount"] == "12.34"
    assert biz["out_request_no"] == "R1"


def test_alipay_answer_signed_by_someone_else_is_refused(
    fake_alipay: FakeAlipay, payment: Payment
) -> None:
    other = FakeAlipay()
    other.app_key = fake_alipay.app_key
    gw = AlipayGateway(fake_alipay.config(), transport=other)
    with pytest.raises(GatewayError) as exc:
        gw.refund(payment, Refund(payment=payment, amount_fen=100, out_refund_no="R2"))
    assert exc.value.code == "gateway_signature_invalid"


def test_alipay_answers() -> None:
    gw = AlipayGateway(FakeAlipay().config(), transport=no_network)
    ok = gw.answer(None)
    assert (ok.status, ok.body) == (200, b"success")
    bad = gw.answer(NoticeRejected("notice_stale", "x"))
    assert bad.status == 400 and json.loads(bad.body)["code"] == "notice_stale"


# --- the local sandbox ----------------------------------------------------------------


def test_sandbox_round_trip_with_real_signatures(payment: Payment) -> None:
    payment.method = "sandbox"
    gw = sandbox_gateway("/api/v1/payments/sandbox/notify")
    request = gw.start(payment, return_url="/wallet/")
    url = urllib.parse.urlsplit(request.redirect_url)
    assert url.path == f"/sandbox/pay/{payment.out_trade_no}/"
    side = SandboxAlipaySide(sandbox_keys())
    order = side.read_order(dict(urllib.parse.parse_qsl(url.query)))
    assert (order.out_trade_no, order.amount_fen, order.return_url) == (
        payment.out_trade_no,
        4000,
        "/wallet/",
    )
    # a changed amount breaks our app's signature
    tampered = dict(urllib.parse.parse_qsl(url.query))
    tampered["biz_content"] = tampered["biz_content"].replace("40.00", "0.01")
    refused("notice_signature_invalid", side.read_order, tampered)
    headers, body = side.notice(order)
    notice = gw.verify_notice(headers, body, now=timezone.now())
    assert (notice.gateway, notice.paid, notice.amount_fen) == ("sandbox", True, 4000)
    # a notice signed by another "gateway" is refused
    stranger = SandboxAlipaySide(
        type(sandbox_keys())(sandbox_keys().app_private_pem, sandbox_keys().app_private_pem)
    )
    h2, b2 = stranger.notice(order)
    refused("notice_signature_invalid", gw.verify_notice, h2, b2, now=timezone.now())
    result = gw.refund(payment, Refund(payment=payment, amount_fen=500, out_refund_no="R3"))
    assert result.done and result.raw["refund_fee"] == "5.00"
