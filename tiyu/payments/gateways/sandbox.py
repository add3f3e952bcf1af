"""The local sandbox gateway: 本地沙箱支付（演示，非真实支付）.

In English: "Local sandbox payment (demo, not real money)".

It is the Alipay adapter (``AlipayGateway``) configured with a sandbox key
pair, so the demo pays through the same code path as real money, with real RSA2
signatures both ways. Only the "Alipay side" is local: ``SandboxAlipaySide``
verifies our signed requests with the sandbox app public key and signs its
answers and notifications with the sandbox gateway private key, exactly as
Alipay would. The cashier page (``tiyu.sandbox``) shows the signed order and,
on "Pay", delivers a signed notification to the ordinary notify handler.

Keys are generated on first use and kept under ``PAYMENTS_SANDBOX_KEY_DIR``
(in the data directory); the test suite keeps one set in memory per session.
"""

from __future__ import annotations

import base64
import json
import os
import secrets
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from pathlib import Path
from urllib.parse import parse_qsl, urlencode, urlsplit

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPrivateKey, RSAPublicKey
from django.conf import settings
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tiyu.payments.gateways.alipay import BEIJING, TIME_FORMAT, AlipayConfig, AlipayGateway
from tiyu.payments.gateways.base import (
    HttpCall,
    HttpReply,
    notice_malformed,
    signature_invalid,
    yuan_to_fen,
)

NAME = "sandbox"
LABEL = _("本地沙箱支付（演示，非真实支付）")
SANDBOX_APPID = "tiyu-sandbox"
# Never resolved: the sandbox transport answers every call in-process.
SANDBOX_GATEWAY_URL = "https://sandbox.tiyu.invalid/gateway.do"
PAGE_METHODS = ("alipay.trade.page.pay", "alipay.trade.wap.pay")


@dataclass(frozen=True)
class SandboxKeys:
    """Two RSA key pairs in PEM: ours (the "app") and the sandbox gateway's."""

    app_private_pem: str
    gateway_private_pem: str

    @property
    def app_public_pem(self) -> str:
        return _public_pem(self.app_private_pem)

    @property
    def gateway_public_pem(self) -> str:
        return _public_pem(self.gateway_private_pem)


@dataclass(frozen=True)
class SandboxOrder:
    """A pay request as the sandbox gateway received it, signature checked."""

    out_trade_no: str
    subject: str
    total_amount: str
    amount_fen: int
    return_url: str
    notify_url: str


def _new_private_pem() -> str:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()


def _load_private(pem: str) -> RSAPrivateKey:
    key = serialization.load_pem_private_key(pem.encode(), password=None)
    assert isinstance(key, RSAPrivateKey)
    return key


def _load_public(pem: str) -> RSAPublicKey:
    key = serialization.load_pem_public_key(pem.encode())
    assert isinstance(key, RSAPublicKey)
    return key


def _public_pem(private_pem: str) -> str:
    return (
        _load_private(private_pem)
        .public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )


def _key_file(directory: Path, name: str) -> str:
    """Read a private key, creating it first (atomically, owner-only) if missing."""
    path = directory / f"{name}_private.pem"
    if not path.exists():
        directory.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=directory, prefix=f".{name}.")
        with os.fdopen(fd, "w") as fh:
            fh.write(_new_private_pem())
        os.chmod(tmp, 0o600)
        try:
            # link, not replace: if a twin process won the race, keep its key
            os.link(tmp, path)
        except FileExistsError:
            pass
        finally:
            os.unlink(tmp)
    return path.read_text()


@lru_cache(maxsize=1)
def sandbox_keys() -> SandboxKeys:
    """The sandbox key pairs: from the data directory, or fresh per test session."""
    if getattr(settings, "TESTING", False):
        return SandboxKeys(_new_private_pem(), _new_private_pem())
    directory = Path(settings.PAYMENTS_SANDBOX_KEY_DIR)
    return SandboxKeys(_key_file(directory, "app"), _key_file(directory, "gateway"))


def _sign(private_pem: str, text: str) -> str:
    raw = _load_private(private_pem).sign(text.encode(), padding.PKCS1v15(), hashes.SHA256())
    return base64.b64encode(raw).decode()


def _verify(public_pem: str, text: str, signature: str) -> bool:
    try:
        _load_public(public_pem).verify(
            base64.b64decode(signature), text.encode(), padding.PKCS1v15(), hashes.SHA256()
        )
    except (InvalidSignature, ValueError):
        return False
    return True


def signing_string(params: Mapping[str, str], *, request: bool = False) -> str:
    """Alipay's content to sign, fields sorted as ``k=v&…``: a notification leaves out
    ``sign`` and ``sign_type``, an API request only ``sign``."""
    skip = ("sign",) if request else ("sign", "sign_type")
    items = sorted((k, v) for k, v in params.items() if k not in skip)
    return "&".join(f"{k}={v}" for k, v in items)


class SandboxAlipaySide:
    """The gateway side of the sandbox, run in-process; usable as an adapter transport."""

    def __init__(self, keys: SandboxKeys, *, appid: str = SANDBOX_APPID) -> None:
        self.keys = keys
        self.appid = appid

    # --- requests from our adapter -------------------------------------------------
    def _checked(self, params: Mapping[str, str]) -> dict[str, str]:
        """The request's fields if our app signed them and they are for this app."""
        fields = dict(params)
        signature = fields.pop("sign", "")
        if (
            fields.get("app_id") != self.appid
            or fields.get("sign_type") != "RSA2"
            or not _verify(
                self.keys.app_public_pem, signing_string(fields, request=True), signature
            )
        ):
            raise signature_invalid()
        return fields

    def read_order(self, params: Mapping[str, str]) -> SandboxOrder:
        """A page-pay request from the payer's browser; refuse it unless our app signed it."""
        fields = self._checked(params)
        if fields.get("method") not in PAGE_METHODS:
            raise notice_malformed()
        try:
            biz = json.loads(fields.get("biz_content", ""))
            total = str(biz["total_amount"])
            order = SandboxOrder(
                out_trade_no=str(biz["out_trade_no"]),
                subject=str(biz.get("subject", "")),
                total_amount=total,
                amount_fen=yuan_to_fen(total),
                return_url=fields.get("return_url", ""),
                notify_url=fields.get("notify_url", ""),
            )
        except (ValueError, KeyError, TypeError) as exc:
            raise notice_malformed() from exc
        return order

    def __call__(self, call: HttpCall) -> HttpReply:
        """Answer an API call (refund) as Alipay would: a JSON body signed by the gateway."""
        params = dict(parse_qsl(urlsplit(call.url).query, keep_blank_values=True))
        method = params.get("method", "")
        response_type = method.replace(".", "_") + "_response"
        try:
            fields = self._checked(params)
            biz = json.loads(fields.get("biz_content") or "{}")
        except Exception:
            return self._reply(
                "error_response",
                {"code": "40002", "msg": "Invalid Arguments", "sub_code": "isv.invalid-signature"},
                signed=False,
            )
        if method == "alipay.trade.refund":
            now = timezone.localtime(timezone.now(), BEIJING).strftime(TIME_FORMAT)
            return self._reply(
                response_type,
                {
                    "code": "10000",
                    "msg": "Success",
                    "trade_no": self.trade_no(str(biz.get("out_trade_no", ""))),
                    "out_trade_no": biz.get("out_trade_no", ""),
                    "buyer_logon_id": "sandbox***",
                    "fund_change": "Y",
                    "refund_fee": biz.get("refund_amount", ""),
                    "gmt_refund_pay": now,
                },
            )
        return self._reply(
            response_type,
            {"code": "40004", "msg": "Business Failed", "sub_code": "ACQ.NOT_SUPPORTED_IN_SANDBOX"},
        )

    def _reply(
        self, response_type: str, inner: dict[str, object], *, signed: bool = True
    ) -> HttpReply:
        # Alipay signs the exact JSON text of the response object, so build the body by hand.
        content = json.dumps(inner, ensure_ascii=False, separators=(",", ":"))
        body = f'{{"{response_type}":{content}'
        if signed:
            body += f',"sign":{json.dumps(_sign(self.keys.gateway_private_pem, content))}'
        body += "}"
        return HttpReply(200, {"Content-Type": "application/json;charset=utf-8"}, body.encode())

    # --- notifications to our notify handler ----------------------------------------
    def trade_no(self, out_trade_no: str) -> str:
        """The sandbox's own number for a trade."""
        return "SANDBOX" + out_trade_no

    def notice(
        self, order: SandboxOrder, *, now: datetime | None = None
    ) -> tuple[dict[str, str], bytes]:
        """A ``TRADE_SUCCESS`` notification for ``order``, signed by the sandbox gateway."""
        stamp = timezone.localtime(now or timezone.now(), BEIJING).strftime(TIME_FORMAT)
        params = {
            "notify_time": stamp,
            "notify_type": "trade_status_sync",
            "notify_id": secrets.token_hex(16),
            "charset": "utf-8",
            "version": "1.0",
            "app_id": self.appid,
            "auth_app_id": self.appid,
            "trade_no": self.trade_no(order.out_trade_no),
            "out_trade_no": order.out_trade_no,
            "trade_status": "TRADE_SUCCESS",
            "subject": order.subject,
            "total_amount": order.total_amount,
            "receipt_amount": order.total_amount,
            "buyer_pay_amount": order.total_amount,
            "gmt_create": stamp,
            "gmt_payment": stamp,
            "buyer_id": "2088000000000000",
            "seller_id": "2088000000000001",
        }
        params["sign"] = _sign(self.keys.gateway_private_pem, signing_string(params))
        params["sign_type"] = "RSA2"
        headers = {"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"}
        return headers, urlencode(params).encode()


def cashier_url(out_trade_no: str) -> str:
    """Where the payer's browser goes: the sandbox cashier page."""
    try:
        return reverse("sandbox:cashier", args=[out_trade_no])
    except NoReverseMatch:
        return f"/sandbox/pay/{out_trade_no}/"


def sandbox_side() -> SandboxAlipaySide:
    """The local gateway side, with this installation's sandbox keys."""
    return SandboxAlipaySide(sandbox_keys())


def sandbox_gateway(notify_url: str) -> AlipayGateway:
    """The Alipay adapter wired to the sandbox keys and the local gateway side."""
    keys = sandbox_keys()
    config = AlipayConfig(
        appid=SANDBOX_APPID,
        app_private_key=keys.app_private_pem,
        alipay_public_key=keys.gateway_public_pem,
        notify_url=notify_url,
        gateway_url=SANDBOX_GATEWAY_URL,
        mode="page",
    )
    return AlipayGateway(config, name=NAME, transport=SandboxAlipaySide(keys), page_url=cashier_url)
