"""The one interface every payment gateway adapter speaks, and what it passes around.

A gateway adapter turns a pending ``Payment`` into what the client needs to pay
(``start``), turns an incoming notification into a ``VerifiedNotice`` or a clear
refusal (``verify_notice``), asks the gateway for refunds (``refund``) and knows
the answer the gateway expects back on a notification (``answer``).

Adapters never open a socket themselves: every call to the outside goes through
an injectable ``Transport`` (``HttpCall`` in, ``HttpReply`` out), so tests and the
local sandbox run without the internet.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any, Protocol

from django.utils.translation import gettext_lazy as _

from tiyu.core.errors import DomainError

if TYPE_CHECKING:
    from tiyu.payments.models import Payment, Refund

# A notification older (or newer) than this is refused: a captured one cannot be replayed later.
NOTICE_WINDOW = timedelta(minutes=5)
HTTP_TIMEOUT_S = 15


@dataclass(frozen=True)
class HttpCall:
    """One request to a gateway."""

    method: str
    url: str
    headers: Mapping[str, str] = field(default_factory=dict)
    body: bytes = b""


@dataclass(frozen=True)
class HttpReply:
    """The gateway's answer to an ``HttpCall``."""

    status: int
    headers: Mapping[str, str] = field(default_factory=dict)
    body: bytes = b""


Transport = Callable[[HttpCall], HttpReply]


def urllib_transport(call: HttpCall) -> HttpReply:
    """The real network: used only by adapters configured with real keys."""
    request = urllib.request.Request(  # the gateway's fixed https address
        call.url, data=call.body or None, headers=dict(call.headers), method=call.method
    )
    try:
        with urllib.request.urlopen(request, timeout=HTTP_TIMEOUT_S) as resp:
            return HttpReply(resp.status, dict(resp.headers.items()), resp.read())
    except urllib.error.HTTPError as exc:
        return HttpReply(exc.code, dict(exc.headers.items()), exc.read())


@dataclass(frozen=True)
class PayRequest:
    """What the client needs to pay: a page to open, or a QR code to show."""

    method: str
    out_trade_no: str
    redirect_url: str = ""
    code_url: str = ""


@dataclass(frozen=True)
class VerifiedNotice:
    """A notification whose signature, age and origin have been checked."""

    gateway: str
    notice_id: str
    out_trade_no: str
    gateway_trade_no: str
    amount_fen: int
    paid: bool
    timestamp: datetime
    payload: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class RefundResult:
    """The gateway accepted a refund; ``done`` is False while it is still processing."""

    done: bool
    gateway_refund_no: str = ""
    raw: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class NotifyAnswer:
    """The HTTP answer a gateway expects to a notification."""

    status: int
    body: bytes
    content_type: str


class Gateway(Protocol):
    """A payment gateway adapter (WeChat Pay, Alipay, the local sandbox)."""

    name: str

    def start(self, payment: Payment, *, return_url: str) -> PayRequest:
        """Create the order at the gateway; what the payer's client opens or scans."""
        ...

    def verify_notice(
        self, headers: Mapping[str, str], body: bytes, *, now: datetime
    ) -> VerifiedNotice:
        """Check a notification; raise ``NoticeRejected`` if it is forged, stale or garbled."""
        ...

    def refund(self, payment: Payment, refund: Refund) -> RefundResult:
        """Ask the gateway to send ``refund.amount_fen`` back; raise ``GatewayError`` if refused."""
        ...

    def answer(self, error: DomainError | None) -> NotifyAnswer:
        """What to answer a notification: success (``None``) or the refusal."""
        ...


class NoticeRejected(DomainError):
    """A notification that is not trusted; nothing changes."""

    status = 400


def signature_invalid() -> NoticeRejected:
    """Forged, tampered or signed with another key."""
    return NoticeRejected("notice_signature_invalid", _("支付通知签名无效。"))


def notice_stale() -> NoticeRejected:
    """Outside the 5-minute window: a replay or a badly wrong clock."""
    return NoticeRejected("notice_stale", _("支付通知已过期（时间戳超出 5 分钟）。"))


def notice_malformed() -> NoticeRejected:
    """Signed but not the shape we expect."""
    return NoticeRejected("notice_malformed", _("支付通知格式不正确。"))


class GatewayError(DomainError):
    """The gateway refused a call or could not be reached."""

    status = 502


def check_window(timestamp: datetime, now: datetime) -> None:
    """Refuse a notification whose timestamp is more than 5 minutes from ``now``."""
    if abs(now - timestamp) > NOTICE_WINDOW:
        raise notice_stale()


def yuan_to_fen(value: str) -> int:
    """'12.30' -> 1230; refuse anything that is not a plain amount."""
    try:
        amount = Decimal(value)
    except (InvalidOperation, TypeError) as exc:
        raise notice_malformed() from exc
    if not amount.is_finite() or amount < 0:
        raise notice_malformed()
    return int((amount * 100).quantize(Decimal("1"), rounding=ROUND_HALF_UP))


def fen_to_yuan(fen: int) -> str:
    """1230 -> '12.30', the form Alipay wants."""
    return f"{fen // 100}.{fen % 100:02d}"


def lower_keys(headers: Mapping[str, str]) -> dict[str, str]:
    """HTTP header names are case-insensitive; compare them in lower case."""
    return {str(k).lower(): str(v) for k, v in headers.items()}


def json_answer(status: int, data: dict[str, Any]) -> NotifyAnswer:
    """A JSON notification answer."""
    return NotifyAnswer(status, json.dumps(data, ensure_ascii=False).encode(), "application/json")


def error_answer(error: DomainError) -> NotifyAnswer:
    """Our refusal in the shared error shape, with its status (gateways retry on non-2xx)."""
    return json_answer(error.status, error.as_dict())


def payment_subject(payment: Payment) -> str:
    """What the payer sees at the gateway: venue, purpose and our reference."""
    venue = payment.venue
    parts = [venue.name if venue is not None else "", str(payment.get_purpose_display())]
    parts.append(payment.reference)
    return " ".join(p for p in parts if p)[:120]
