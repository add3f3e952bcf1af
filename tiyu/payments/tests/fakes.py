"""Stand-ins for WeChat Pay and Alipay: their own RSA keys, notifications built and
signed exactly as the real gateways build them, and signed answers to API calls.

They are transports too (``HttpCall`` -> ``HttpReply``), so the adapters under
test run their real request-signing and answer-verifying code with no network.
"""

from __future__ import annotations

import base64
import json
import secrets
import time
from datetime import datetime
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit
from zoneinfo import ZoneInfo

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from tiyu.payments.gateways.alipay import AlipayConfig
from tiyu.payments.gateways.base import HttpCall, HttpReply
from tiyu.payments.gateways.wechat import WechatConfig


def new_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def private_pem(key: rsa.RSAPrivateKey) -> str:
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()


def public_pem(key: rsa.RSAPrivateKey) -> str:
    return (
        key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )


def rsa_sign(key: rsa.RSAPrivateKey, text: str) -> str:
    return base64.b64encode(key.sign(text.encode(), padding.PKCS1v15(), hashes.SHA256())).decode()


def rsa_ok(key: rsa.RSAPrivateKey, text: str, signature: str) -> bool:
    try:
        key.public_key().verify(
            base64.b64decode(signature), text.encode(), padding.PKCS1v15(), hashes.SHA256()
        )
    except Exception:
        return False
    return True


class FakeWechat:
    """WeChat Pay v3's platform side."""

    def __init__(self) -> None:
        self.platform_key = new_key()
        self.merchant_key = new_key()
        self.apiv3_key = secrets.token_hex(16)  # 32 characters, as WeChat issues them
        self.public_key_id = "PUB_KEY_ID_0114" + secrets.token_hex(8).upper()
        self.mchid = "1900000109"
        self.appid = "wxd678efh567hg6787"
        self.calls: list[HttpCall] = []

    def config(self) -> WechatConfig:
        return WechatConfig(
            mchid=self.mchid,
            appid=self.appid,
            apiv3_key=self.apiv3_key,
            cert_serial_no="5157F09EFDC096DE15EBE81A47057A7232F1B8E1",
            private_key=private_pem(self.merchant_key),
            public_key=public_pem(self.platform_key),
            public_key_id=self.public_key_id,
            notify_url="https://tiyu.example.cn/api/v1/payments/wechat/notify",
        )

    def _signed_headers(
        self, body: str, *, timestamp: int | None = None, key: Any = None
    ) -> dict[str, str]:
        ts = str(int(time.time()) if timestamp is None else timestamp)
        nonce = secrets.token_hex(16)
        signature = rsa_sign(key or self.platform_key, f"{ts}\n{nonce}\n{body}\n")
        return {
            "Wechatpay-Timestamp": ts,
            "Wechatpay-Nonce": nonce,
            "Wechatpay-Signature": signature,
            "Wechatpay-Serial": self.public_key_id,
            "Wechatpay-Signature-Type": "WECHATPAY2-SHA256-RSA2048",
        }

    def notice(
        self,
        *,
        out_trade_no: str,
        amount_fen: int,
        timestamp: int | None = None,
        notice_id: str | None = None,
        state: str = "SUCCESS",
        key: Any = None,
        apiv3_key: str | None = None,
        mchid: str | None = None,
    ) -> tuple[dict[str, str], bytes]:
        """A TRANSACTION.SUCCESS notification: AES-256-GCM resource, RSA-signed."""
        resource = {
            "mchid": mchid or self.mchid,
            "appid": self.appid,
            "out_trade_no": out_trade_no,
            "transaction_id": "4200000" + secrets.token_hex(10),
            "trade_type": "NATIVE",
            "trade_state": state,
            "trade_state_desc": "支付成功",
            "bank_type": "OTHERS",
            "success_time": "2026-05-01T10:00:00+08:00",
            "payer": {"openid": "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o"},
            "amount": {
                "total": amount_fen,
                "payer_total": amount_fen,
                "currency": "CNY",
                "payer_currency": "CNY",
            },
        }
        nonce = secrets.token_hex(6)  # 12 characters
        aad = "transaction"
        cipher = AESGCM((apiv3_key or self.apiv3_key).encode()).encrypt(
            nonce.encode(), json.dumps(resource).encode(), aad.encode()
        )
        body = json.dumps(
            {
                "id": notice_id or secrets.token_hex(18),
                "create_time": "2026-05-01T10:00:01+08:00",
                "resource_type": "encrypt-resource",
                "event_type": "TRANSACTION.SUCCESS" if state == "SUCCESS" else "TRANSACTION.CLOSED",
                "summary": "支付成功",
                "resource": {
                    "original_type": "transaction",
                    "algorithm": "AEAD_AES_256_GCM",
                    "ciphertext": base64.b64encode(cipher).decode(),
                    "associated_data": aad,
                    "nonce": nonce,
                },
            },
            ensure_ascii=False,
        )
        return self._signed_headers(body, timestamp=timestamp, key=key), body.encode()

    def __call__(self, call: HttpCall) -> HttpReply:
        """Answer the merchant API, checking the merchant's Authorization signature."""
        self.calls.append(call)
        auth = dict(call.headers)["Authorization"]
        fields = dict(
            part.split("=", 1) for part in auth.split(" ", 1)[1].replace('"', "").split(",")
        )
        path = urlsplit(call.url).path
        stamp, nonce = fields["timestamp"], fields["nonce_str"]
        signed = f"{call.method}\n{path}\n{stamp}\n{nonce}\n{call.body.decode()}\n"
        if not rsa_ok(self.merchant_key, signed, fields["signature"]):
            return HttpReply(401, {"Content-Type": "application/json"}, b'{"code":"SIGN_ERROR"}')
        data = json.loads(call.body or b"{}")
        if path == "/v3/pay/transactions/native":
            answer = {"code_url": "weixin://wxpay/bizpayurl?pr=" + secrets.token_hex(4)}
        elif path == "/v3/refund/domestic/refunds":
            answer = {
                "refund_id": "50000" + secrets.token_hex(8),
                "out_refund_no": data["out_refund_no"],
                "status": "PROCESSING",
                "amount": data["amount"],
            }
        else:
            return HttpReply(404, {"Content-Type": "application/json"}, b'{"code":"NOT_FOUND"}')
        body = json.dumps(answer)
        headers = {"Content-Type": "application/json", **self._signed_headers(body)}
        return HttpReply(200, headers, body.encode())


class FakeAlipay:
    """Alipay's side: its own key pair, our app's key pair."""

    def __init__(self) -> None:
        self.alipay_key = new_key()
        self.app_key = new_key()
        self.appid = "2021000000000001"
        self.calls: list[HttpCall] = []

    def config(self, mode: str = "page") -> AlipayConfig:
        return AlipayConfig(
            appid=self.appid,
            app_private_key=private_pem(self.app_key),
            alipay_public_key=public_pem(self.alipay_key),
            notify_url="https://tiyu.example.cn/api/v1/payments/alipay/notify",
            mode=mode,
        )

    @staticmethod
    def content(params: dict[str, str], *, request: bool = False) -> str:
        """Notifications leave out ``sign`` and ``sign_type``; API requests only ``sign``."""
        skip = ("sign",) if request else ("sign", "sign_type")
        return "&".join(f"{k}={v}" for k, v in sorted(params.items()) if k not in skip)

    def notice(
        self,
        *,
        out_trade_no: str,
        total_amount: str,
        when: datetime | None = None,
        notify_id: str | None = None,
        status: str = "TRADE_SUCCESS",
        key: Any = None,
        app_id: str | None = None,
    ) -> tuple[dict[str, str], bytes]:
        """An asynchronous trade notification, form-encoded and RSA2-signed."""
        stamp = (
            (when or datetime.now(ZoneInfo("Asia/Shanghai")))
            .astimezone(ZoneInfo("Asia/Shanghai"))
            .strftime("%Y-%m-%d %H:%M:%S")
        )
        params = {
            "gmt_create": stamp,
            "charset": "utf-8",
            "seller_email": "venue@example.cn",
            "subject": "武侯羽毛球馆 场地预订",
            "buyer_id": "2088102177846880",
            "invoice_amount": total_amount,
            "notify_id": notify_id or secrets.token_hex(16),
            "fund_bill_list": json.dumps(
                [{"amount": total_amount, "fundChannel": "ALIPAYACCOUNT"}]
            ),
            "notify_type": "trade_status_sync",
            "trade_status": status,
            "receipt_amount": total_amount,
            "app_id": app_id or self.appid,
            "buyer_pay_amount": total_amount,
            "seller_id": "2088102177649450",
            "gmt_payment": stamp,
            "notify_time": stamp,
            "version": "1.0",
            "out_trade_no": out_trade_no,
            "total_amount": total_amount,
            "trade_no": "2026050122001446880" + secrets.token_hex(4),
            "auth_app_id": app_id or self.appid,
            "buyer_logon_id": "tiy***@example.cn",
            "point_amount": "0.00",
        }
        params["sign"] = rsa_sign(key or self.alipay_key, self.content(params))
        params["sign_type"] = "RSA2"
        return {"Content-Type": "application/x-www-form-urlencoded"}, urlencode(params).encode()

    def __call__(self, call: HttpCall) -> HttpReply:
        """Answer the open API (precreate, refund), checking our app's signature."""
        self.calls.append(call)
        params = dict(parse_qsl(urlsplit(call.url).query, keep_blank_values=True))
        signature = params.pop("sign")
        if not rsa_ok(self.app_key, self.content(params, request=True), signature):
            error = {
                "code": "40002",
                "msg": "Invalid Arguments",
                "sub_code": "isv.invalid-signature",
            }
            body = json.dumps({"error_response": error})
            return HttpReply(200, {}, body.encode())
        biz = json.loads(params["biz_content"])
        method = params["method"]
        if method == "alipay.trade.precreate":
            inner = {
                "code": "10000",
                "msg": "Success",
                "out_trade_no": biz["out_trade_no"],
                "qr_code": "https://qr.alipay.com/bax0" + secrets.token_hex(4),
            }
        elif method == "alipay.trade.refund":
            inner = {
                "code": "10000",
                "msg": "Success",
                "trade_no": "2026" + secrets.token_hex(6),
                "out_trade_no": biz["out_trade_no"],
                "fund_change": "Y",
                "refund_fee": biz["refund_amount"],
            }
        else:
            inner = {"code": "40004", "msg": "Business Failed", "sub_code": "ACQ.SYSTEM_ERROR"}
        content = json.dumps(inner, separators=(",", ":"))
        response_type = method.replace(".", "_") + "_response"
        signature = rsa_sign(self.alipay_key, content)
        body = f'{{"{response_type}":{content},"sign":"{signature}"}}'
        return HttpReply(200, {"Content-Type": "application/json"}, body.encode())
