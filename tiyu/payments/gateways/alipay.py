"""Alipay (RSA2) through ``python-alipay-sdk``: page, wap or QR (precreate) pay.

A notification (``application/x-www-form-urlencoded``) is trusted when
1. ``sign`` verifies with the Alipay public key over the other fields sorted by
   name (``sign`` and ``sign_type`` left out), ``sign_type`` being RSA2;
2. ``app_id`` is ours;
3. ``notify_time`` (Beijing time) is within 5 minutes of now.
``notify_id`` names it for de-duplication. Outgoing API calls (precreate,
refund) go through the injected transport and the library checks the signature
of every answer with the Alipay public key.

The local sandbox is this same adapter with a sandbox key pair whose "Alipay
side" runs in-process (``tiyu.payments.gateways.sandbox``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl
from zoneinfo import ZoneInfo

from alipay import AliPay
from alipay.exceptions import AliPayException, AliPayValidationError
from django.utils.translation import gettext_lazy as _

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
    error_answer,
    fen_to_yuan,
    notice_malformed,
    payment_subject,
    signature_invalid,
    urllib_transport,
    yuan_to_fen,
)

if TYPE_CHECKING:
    from tiyu.payments.models import Payment, Refund

BEIJING = ZoneInfo("Asia/Shanghai")
TIME_FORMAT = "%Y-%m-%d %H:%M:%S"
PAID_STATES = ("TRADE_SUCCESS", "TRADE_FINISHED")
PRODUCTION_GATEWAY = "https://openapi.alipay.com/gateway.do"


@dataclass(frozen=True)
class AlipayConfig:
    """An Alipay application's settings (PEM strings, not paths)."""

    appid: str
    app_private_key: str  # our application private key: signs requests
    alipay_public_key: str  # Alipay's public key: verifies answers and notifications
    notify_url: str
    gateway_url: str = PRODUCTION_GATEWAY
    mode: str = "page"  # "page" (computer), "wap" (phone browser) or "precreate" (QR)


class _TransportAliPay(AliPay):
    """The library's client with ``urlopen`` replaced by our transport."""

    def __init__(self, *, transport: Transport, gateway_url: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._gateway = gateway_url
        self._transport = transport

    def verified_sync_response(self, data: dict[str, Any], response_type: str) -> Any:
        url = self._gateway + "?" + self.sign_data(data)
        reply = self._transport(HttpCall("GET", url))
        raw = reply.body.decode("utf-8", errors="replace")
        return self._verify_and_return_sync_response(raw, response_type)


class AlipayGateway:
    """Alipay adapter; ``page_url`` says where the payer's browser goes to pay."""

    def __init__(
        self,
        config: AlipayConfig,
        *,
        name: str = "alipay",
        transport: Transport = urllib_transport,
        page_url: Callable[[str], str] | None = None,
    ) -> None:
        self.name = name
        self.config = config
        self.page_url = page_url or (lambda out_trade_no: config.gateway_url)
        self.client = _TransportAliPay(
            transport=transport,
            gateway_url=config.gateway_url,
            appid=config.appid,
            app_notify_url=config.notify_url,
            app_private_key_string=config.app_private_key,
            alipay_public_key_string=config.alipay_public_key,
            sign_type="RSA2",
        )

    def start(self, payment: Payment, *, return_url: str) -> PayRequest:
        """A signed page/wap order to redirect to, or a precreated QR code."""
        subject = payment_subject(payment)
        total = fen_to_yuan(payment.amount_fen)
        if self.config.mode == "precreate":
            result = self._call(
                self.client.api_alipay_trade_precreate,
                subject=subject,
                out_trade_no=payment.out_trade_no,
                total_amount=total,
            )
            return PayRequest(self.name, payment.out_trade_no, code_url=str(result["qr_code"]))
        build = (
            self.client.api_alipay_trade_wap_pay
            if self.config.mode == "wap"
            else self.client.api_alipay_trade_page_pay
        )
        order = build(
            subject=subject,
            out_trade_no=payment.out_trade_no,
            total_amount=total,
            return_url=return_url,
            notify_url=self.config.notify_url,
        )
        url = self.page_url(payment.out_trade_no) + "?" + order
        return PayRequest(self.name, payment.out_trade_no, redirect_url=url)

    def verify_notice(
        self, headers: Mapping[str, str], body: bytes, *, now: datetime
    ) -> VerifiedNotice:
        """RSA2 signature with the Alipay public key, our app id, 5-minute window."""
        params = parse_form(body)
        signature = params.pop("sign", "")
        if not signature or params.get("sign_type", "RSA2") != "RSA2":
            raise signature_invalid()
        try:
            ok = self.client.verify(dict(params), signature)
        except Exception:  # a signature that is not even base64
            ok = False
        if not ok or params.get("app_id") != self.config.appid:
            raise signature_invalid()
        try:
            naive = datetime.strptime(params.get("notify_time", ""), TIME_FORMAT)
        except ValueError as exc:
            raise notice_malformed() from exc
        timestamp = naive.replace(tzinfo=BEIJING)
        check_window(timestamp, now)
        if not params.get("notify_id") or not params.get("out_trade_no"):
            raise notice_malformed()
        return VerifiedNotice(
            gateway=self.name,
            notice_id=params["notify_id"],
            out_trade_no=params["out_trade_no"],
            gateway_trade_no=params.get("trade_no", ""),
            amount_fen=yuan_to_fen(params.get("total_amount", "")),
            paid=params.get("trade_status") in PAID_STATES,
            timestamp=timestamp,
            payload=params,
        )

    def refund(self, payment: Payment, refund: Refund) -> RefundResult:
        """``alipay.trade.refund``; ``out_request_no`` makes a retry safe at Alipay."""
        result = self._call(
            self.client.api_alipay_trade_refund,
            refund_amount=fen_to_yuan(refund.amount_fen),
            out_trade_no=payment.out_trade_no,
            out_request_no=refund.out_refund_no,
            refund_reason=refund.reason[:80],
        )
        return RefundResult(
            done=True, gateway_refund_no=str(result.get("trade_no", "")), raw=result
        )

    def answer(self, error: DomainError | None) -> NotifyAnswer:
        """Alipay wants the bare text ``success``; anything else makes it retry."""
        if error is None:
            return NotifyAnswer(200, b"success", "text/plain; charset=utf-8")
        return error_answer(error)

    def _call(self, api: Callable[..., Any], **kwargs: Any) -> dict[str, Any]:
        """Call the gateway; a refused or unverifiable answer is a ``GatewayError``."""
        try:
            result = api(**kwargs)
        except AliPayValidationError as exc:
            raise GatewayError("gateway_signature_invalid", _("支付平台应答签名无效。")) from exc
        except (AliPayException, OSError, ValueError) as exc:
            raise GatewayError("gateway_refused", _("支付平台拒绝了请求，请稍后再试。")) from exc
        if not isinstance(result, dict) or result.get("code") != "10000":
            raise GatewayError("gateway_refused", _("支付平台拒绝了请求，请稍后再试。"))
        return result


def parse_form(body: bytes) -> dict[str, str]:
    """A form-encoded notification, decoded in the charset it names (utf-8 or gbk)."""
    raw = body.decode("latin-1")  # form encoding is ASCII; percent-escapes carry the rest
    params = dict(parse_qsl(raw, keep_blank_values=True, encoding="utf-8", errors="replace"))
    charset = params.get("charset", "utf-8").lower()
    if charset not in ("utf-8", "utf8"):
        try:
            params = dict(parse_qsl(raw, keep_blank_values=True, encoding=charset))
        except (LookupError, UnicodeDecodeError) as exc:
            raise notice_malformed() from exc
    return params
