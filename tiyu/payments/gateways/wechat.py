"""WeChat Pay API v3 (Native / QR pay) through the ``wechatpayv3`` library.

Configured in "platform public key" mode (``public_key`` + ``public_key_id``), so
building the adapter never downloads platform certificates: it touches no
network at all. Outgoing calls go through the injected transport; the library's
own request signing and response verification are kept.

A notification is trusted when
1. ``Wechatpay-Serial`` names our platform public key and the signature type is
   ``WECHATPAY2-SHA256-RSA2048``;
2. ``Wechatpay-Signature`` verifies over ``timestamp\\nnonce\\nbody\\n``;
3. ``Wechatpay-Timestamp`` is within 5 minutes of now;
4. the AES-256-GCM ``resource`` decrypts with our APIv3 key and names our mchid/appid.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from django.utils.translation import gettext_lazy as _
from wechatpayv3 import WeChatPay, WeChatPayType
from wechatpayv3.core import Core
from wechatpayv3.type import RequestType
from wechatpayv3.utils import build_authorization, rsa_verify

from tiyu.core.errors import DomainError
from tiyu.payments.gateways.base import (
    GatewayError,
    HttpCall,
    NotifyAnswer,
    PayRequest,
    RefundResult,
    Transport,
    VerifiedNotice,
    check_window,
    json_answer,
    lower_keys,
    notice_malformed,
    payment_subject,
    signature_invalid,
    urllib_transport,
)

if TYPE_CHECKING:
    from tiyu.payments.models import Payment, Refund

SIGNATURE_TYPE = "WECHATPAY2-SHA256-RSA2048"


@dataclass(frozen=True)
class WechatConfig:
    """A merchant's WeChat Pay v3 settings (PEM strings, not paths)."""

    mchid: str
    appid: str
    apiv3_key: str
    cert_serial_no: str
    private_key: str  # the merchant's API private key
    public_key: str  # WeChat Pay platform public key
    public_key_id: str  # its id, sent as Wechatpay-Serial ("PUB_KEY_ID_...")
    notify_url: str


class _TransportCore(Core):
    """The library's core with its ``requests`` calls replaced by our transport."""

    transport: Transport

    def request(  # type: ignore[override]
        self,
        path: str,
        method: RequestType = RequestType.GET,
        data: Any = None,
        skip_verify: bool = False,
        sign_data: Any = None,
        files: Any = None,
        cipher_data: bool = False,
        headers: dict[str, str] | None = None,
    ) -> tuple[int, Any]:
        headers = dict(headers or {})
        headers["Content-Type"] = "application/json"
        headers["Accept"] = "application/json"
        if self._public_key_id:
            headers["Wechatpay-Serial"] = self._public_key_id
        body = json.dumps(data) if data else ""
        headers["Authorization"] = build_authorization(
            path,
            method.value,
            self._mchid,
            self._cert_serial_no,
            self._private_key,
            data=sign_data if sign_data else data,
        )
        reply = self.transport(
            HttpCall(method.value, self._gate_way + path, headers, body.encode())
        )
        text = reply.body.decode("utf-8", errors="replace")
        # The library verifies every 2xx answer with the platform key; so do we.
        if (
            200 <= reply.status < 300
            and not skip_verify
            and not self._verify_signature(lower_keys(reply.headers), text)
        ):
            raise GatewayError("gateway_signature_invalid", _("支付平台应答签名无效。"))
        return reply.status, text


class WechatGateway:
    """WeChat Pay v3 Native pay: the payer scans ``code_url``."""

    name = "wechat"

    def __init__(self, config: WechatConfig, *, transport: Transport = urllib_transport) -> None:
        self.config = config
        # Public-key mode: Core does not fetch certificates when ``public_key`` is given.
        self.client = WeChatPay(
            wechatpay_type=WeChatPayType.NATIVE,
            mchid=config.mchid,
            private_key=config.private_key,
            cert_serial_no=config.cert_serial_no,
            appid=config.appid,
            apiv3_key=config.apiv3_key,
            notify_url=config.notify_url,
            public_key=config.public_key,
            public_key_id=config.public_key_id,
        )
        # The same core, but its HTTP calls go through ``transport``.
        core = _TransportCore(
            mchid=config.mchid,
            cert_serial_no=config.cert_serial_no,
            private_key=config.private_key,
            apiv3_key=config.apiv3_key,
            public_key=config.public_key,
            public_key_id=config.public_key_id,
        )
        core.transport = transport
        self.client._core = core

    def start(self, payment: Payment, *, return_url: str) -> PayRequest:
        """Native order: the answer carries the ``code_url`` to show as a QR code."""
        code, message = self.client.pay(
            description=payment_subject(payment),
            out_trade_no=payment.out_trade_no,
            amount={"total": payment.amount_fen, "currency": "CNY"},
            pay_type=WeChatPayType.NATIVE,
        )
        data = _json(message)
        if code != 200 or not data.get("code_url"):
            raise GatewayError("gateway_refused", _("微信支付下单失败，请稍后再试。"))
        return PayRequest(self.name, payment.out_trade_no, code_url=data["code_url"])

    def verify_notice(
        self, headers: Mapping[str, str], body: bytes, *, now: datetime
    ) -> VerifiedNotice:
        """Signature with the platform public key, 5-minute window, then decrypt ``resource``."""
        h = lower_keys(headers)
        text = body.decode("utf-8", errors="replace")
        timestamp_raw = h.get("wechatpay-timestamp", "")
        if (
            h.get("wechatpay-serial") != self.config.public_key_id
            or h.get("wechatpay-signature-type", SIGNATURE_TYPE) != SIGNATURE_TYPE
            or not timestamp_raw.isdigit()
        ):
            raise signature_invalid()
        if not rsa_verify(
            timestamp_raw,
            h.get("wechatpay-nonce", ""),
            text,
            h.get("wechatpay-signature", ""),
            self.client._core._public_key,
        ):
            raise signature_invalid()
        timestamp = datetime.fromtimestamp(int(timestamp_raw), tz=UTC)
        check_window(timestamp, now)
        # ``callback`` verifies once more and decrypts the AES-256-GCM resource.
        headers_for_lib = {**h, "wechatpay-signature-type": SIGNATURE_TYPE}
        try:
            data = self.client.callback(headers_for_lib, text)
        except Exception as exc:  # unsupported algorithm and the like
            raise notice_malformed() from exc
        if not data or not isinstance(data.get("resource"), dict):
            raise signature_invalid()  # the APIv3 key did not open it
        resource = data["resource"]
        if resource.get("mchid") != self.config.mchid or resource.get("appid") not in (
            None,
            self.config.appid,
        ):
            raise signature_invalid()
        try:
            amount = int(resource["amount"]["total"])
            out_trade_no = str(resource["out_trade_no"])
        except (KeyError, TypeError, ValueError) as exc:
            raise notice_malformed() from exc
        paid = (
            data.get("event_type") == "TRANSACTION.SUCCESS"
            and resource.get("trade_state") == "SUCCESS"
        )
        return VerifiedNotice(
            gateway=self.name,
            notice_id=str(data.get("id") or ""),
            out_trade_no=out_trade_no,
            gateway_trade_no=str(resource.get("transaction_id") or ""),
            amount_fen=amount,
            paid=paid,
            timestamp=timestamp,
            payload=data,
        )

    def refund(self, payment: Payment, refund: Refund) -> RefundResult:
        """Domestic refund by our ``out_trade_no``; SUCCESS or PROCESSING means accepted."""
        code, message = self.client.refund(
            out_refund_no=refund.out_refund_no,
            amount={"refund": refund.amount_fen, "total": payment.amount_fen, "currency": "CNY"},
            out_trade_no=payment.out_trade_no,
            reason=refund.reason[:80] or None,
        )
        data = _json(message)
        status = data.get("status")
        if code != 200 or status not in ("SUCCESS", "PROCESSING"):
            raise GatewayError("refund_refused", _("微信支付拒绝了退款请求。"))
        return RefundResult(
            done=status == "SUCCESS", gateway_refund_no=str(data.get("refund_id", "")), raw=data
        )

    def answer(self, error: DomainError | None) -> NotifyAnswer:
        """v3 wants HTTP 200/204 on success; any 4xx/5xx with {code, message} means retry."""
        if error is None:
            return json_answer(200, {"code": "SUCCESS", "message": "成功"})
        return json_answer(error.status, error.as_dict())


def _json(message: Any) -> dict[str, Any]:
    if isinstance(message, bytes):
        message = message.decode("utf-8", errors="replace")
    try:
        data = json.loads(message or "{}")
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}
