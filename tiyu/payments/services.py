"""Payment writes: start a gateway payment, take stored value or cash, accept a
gateway notification, refund to the original method, top up the stored-value card.

Every money movement posts one balanced ledger transaction (``tiyu.wallet``):

=========================  ===========================  ==========================
movement                   from (-x)                    to (+x)
=========================  ===========================  ==========================
booking, gateway           gateway clearing (platform)  venue revenue
booking, stored value      resident stored value        venue revenue
booking, cash              cash clearing (the venue's)  venue revenue
top-up, gateway            gateway clearing (platform)  resident stored value
top-up, cash               cash clearing (the venue's)  resident stored value
refund                     the "to" account above       the "from" account above
=========================  ===========================  ==========================

Booking purposes are settled by the booking layer (``tiyu.booking.checkout``),
which calls ``notice_accept`` and then confirms the booking; top-ups settle here.
"""

from __future__ import annotations

import logging
import secrets
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tiyu.core import audit
from tiyu.core.atomic import joins_transaction
from tiyu.core.errors import Conflict, DomainError, NotFound, PermissionDenied, validation_error
from tiyu.payments.gateways import gateway_get, gateway_require
from tiyu.payments.gateways.base import PayRequest
from tiyu.payments.models import (
    GATEWAY_METHODS,
    GatewayNotice,
    Method,
    Payment,
    PaymentStatus,
    Purpose,
    Refund,
    RefundStatus,
)
from tiyu.regions.scope import scope_for
from tiyu.wallet.kinds import TransactionKind
from tiyu.wallet.models import Account, AccountKind
from tiyu.wallet.services import (
    account_for,
    accounts_for,
    clearing_account,
    post,
    stored_value_account,
    venue_revenue_account,
)

logger = logging.getLogger(__name__)

# A stored-value card holds at most 5,000 yuan; one top-up is 1 to 5,000 yuan.
TOPUP_MIN_FEN = 100
TOPUP_MAX_FEN = 500_000
BALANCE_MAX_FEN = 500_000


@dataclass(frozen=True)
class NoticeResult:
    """What a verified notification did: ``newly_succeeded`` only on the first success."""

    payment: Payment
    newly_succeeded: bool
    duplicate: bool = False


# --- ledger legs -------------------------------------------------------------------


def _source(payment: Payment) -> Account:
    """Where the money of ``payment`` comes from."""
    if payment.method == Method.STORED_VALUE:
        return stored_value_account(payment.user_id)
    if payment.method == Method.CASH:
        return account_for(AccountKind.CASH_CLEARING, venue=payment.venue_id)
    return clearing_account(AccountKind.GATEWAY_CLEARING)


def _destination(payment: Payment) -> Account:
    """Where it goes: the venue for a booking, the resident's card for a top-up."""
    if payment.purpose == Purpose.TOPUP:
        return stored_value_account(payment.user_id)
    return venue_revenue_account(payment.venue_id)


def _post_ledger(payment: Payment, *, actor: Any = None) -> None:
    """Post the payment's ledger transaction: from its source to its destination."""
    kind = TransactionKind.TOPUP if payment.purpose == Purpose.TOPUP else TransactionKind.PAYMENT
    post(
        kind=kind,
        reference=payment.reference,
        legs=[(_source(payment), -payment.amount_fen), (_destination(payment), payment.amount_fen)],
        actor=actor,
        memo=payment.out_trade_no,
    )


def _audit_success(payment: Payment, actor: Any) -> None:
    audit.log(
        "payment.succeeded",
        actor,
        payment,
        {"method": payment.method, "amount_fen": payment.amount_fen, "purpose": payment.purpose},
    )


def _settle(payment: Payment, *, actor: Any = None, gateway_trade_no: str = "") -> None:
    """Mark ``payment`` succeeded and post its ledger transaction (caller holds the lock)."""
    _post_ledger(payment, actor=actor)
    payment.status = PaymentStatus.SUCCEEDED
    payment.paid_at = timezone.now()
    if gateway_trade_no:
        payment.gateway_trade_no = gateway_trade_no[:64]
    payment.save(update_fields=["status", "paid_at", "gateway_trade_no", "updated_at"])
    _audit_success(payment, actor)


# --- checks ---------------------------------------------------------------------


def _check_amount(amount_fen: int) -> None:
    if not isinstance(amount_fen, int) or amount_fen <= 0:
        raise validation_error("amount_fen", _("金额必须大于 0。"), "amount_invalid")


def _check_purpose(purpose: str, venue: Any) -> None:
    if purpose not in Purpose.values:
        raise validation_error("purpose", _("未知的支付用途。"), "purpose_invalid")
    if purpose == Purpose.BOOKING and venue is None:
        raise validation_error("venue", _("场地预订必须指定场馆。"), "venue_required")


def _check_staff(actor: Any, venue: Any) -> None:
    """Only the venue's own staff (or a platform admin) take cash for it."""
    scope = scope_for(actor)
    if not (scope.everything or getattr(venue, "pk", venue) in scope.venue_ids):
        raise PermissionDenied("not_venue_staff", _("只有本场馆工作人员可以收取现金。"))


def _check_topup(amount_fen: int, user: Any) -> None:
    if not isinstance(amount_fen, int) or not TOPUP_MIN_FEN <= amount_fen <= TOPUP_MAX_FEN:
        raise validation_error(
            "amount_fen", _("单次充值金额须在 1 元至 5000 元之间。"), "topup_amount_invalid"
        )
    balance = stored_value_account(user).balance_fen
    if balance + amount_fen > BALANCE_MAX_FEN:
        raise validation_error(
            "amount_fen", _("充值后余额不能超过 5000 元。"), "topup_balance_limit"
        )


# --- payments -----------------------------------------------------------------


@transaction.atomic
def payment_start(
    *,
    user: Any,
    venue: Any,
    purpose: str,
    reference: str,
    amount_fen: int,
    method: str,
    return_url: str,
) -> tuple[Payment, PayRequest]:
    """A pending gateway payment and what the payer's client needs to pay it.

    A pending payment for the same purpose, reference, method and amount is
    reused (same ``out_trade_no``), so asking twice never opens two orders.
    ``{out_trade_no}`` in ``return_url`` is replaced by the payment's number.
    """
    _check_amount(amount_fen)
    _check_purpose(purpose, venue)
    if method not in GATEWAY_METHODS:
        raise validation_error("method", _("该支付方式不能在线支付。"), "method_invalid")
    gateway = gateway_require(method)
    payment = (
        Payment.objects.select_for_update()
        .filter(
            purpose=purpose,
            reference=reference,
            method=method,
            amount_fen=amount_fen,
            user=user,
            status=PaymentStatus.PENDING,
        )
        .first()
    )
    if payment is None:
        payment = Payment.objects.create(
            purpose=purpose,
            reference=reference,
            user=user,
            venue=venue,
            method=method,
            amount_fen=amount_fen,
        )
        audit.log(
            "payment.started",
            user,
            payment,
            {
                "method": method,
                "amount_fen": amount_fen,
                "purpose": purpose,
                "reference": reference,
            },
        )
    # "{out_trade_no}" in the return address becomes this payment's number, so a
    # caller can send the payer back to a page about this very payment.
    return_url = return_url.replace("{out_trade_no}", payment.out_trade_no)
    return payment, gateway.start(payment, return_url=return_url)


@joins_transaction
def payment_take_stored_value(
    *, user: Any, venue: Any, purpose: str, reference: str, amount_fen: int, actor: Any = None
) -> Payment:
    """Pay from the resident's stored-value card at once; 409 ``balance_insufficient``
    (and nothing written) if the balance is short."""
    _check_amount(amount_fen)
    _check_purpose(purpose, venue)
    if purpose == Purpose.TOPUP:
        raise validation_error("method", _("不能用一卡通为一卡通充值。"), "method_invalid")
    # Written succeeded at once: the ledger posting below refuses (and the whole
    # transaction rolls back) if the card is short, so no pending row is ever seen.
    payment = Payment(
        purpose=purpose,
        reference=reference,
        user=user,
        venue=venue,
        method=Method.STORED_VALUE,
        amount_fen=amount_fen,
        status=PaymentStatus.SUCCEEDED,
        paid_at=timezone.now(),
    )
    source, destination = accounts_for(
        (AccountKind.STORED_VALUE, user, None),
        (AccountKind.VENUE_REVENUE, None, venue),
        lock=True,
    )
    post(
        kind=TransactionKind.PAYMENT,
        reference=reference,
        legs=[(source, -amount_fen), (destination, amount_fen)],
        actor=actor or user,
        memo=payment.out_trade_no,
        locked=True,
    )
    payment.save(force_insert=True)
    _audit_success(payment, actor or user)
    return payment


@transaction.atomic
def payment_take_cash(
    *, user: Any, venue: Any, purpose: str, reference: str, amount_fen: int, actor: Any
) -> Payment:
    """Cash at the front desk of ``venue``, taken by its staff ``actor``."""
    _check_amount(amount_fen)
    _check_purpose(purpose, venue)
    if venue is None:
        raise validation_error("venue", _("现金收款必须指定场馆。"), "venue_required")
    _check_staff(actor, venue)
    payment = Payment.objects.create(
        purpose=purpose,
        reference=reference,
        user=user,
        venue=venue,
        method=Method.CASH,
        amount_fen=amount_fen,
    )
    _settle(payment, actor=actor)
    return payment


@transaction.atomic
def notice_accept(
    *, gateway: str, headers: dict[str, str], body: bytes, now: datetime | None = None
) -> NoticeResult:
    """Verify a gateway notification and, on its first success, settle the payment.

    Refusals (nothing written): 404 ``gateway_unknown``, 400 ``notice_signature_invalid``,
    ``notice_stale``, ``notice_malformed``, ``notice_amount_mismatch``, 404
    ``payment_not_found``. A notification seen before (same gateway and notice id)
    is acknowledged and changes nothing; a success for a payment already settled
    changes nothing either. Top-ups are credited here; booking payments are marked
    succeeded and ledgered, and the caller confirms the booking.
    """
    adapter = gateway_get(gateway)
    notice = adapter.verify_notice(headers, body, now=now or timezone.now())
    payment = (
        Payment.objects.select_for_update()
        .filter(out_trade_no=notice.out_trade_no, method=gateway)
        .first()
    )
    if payment is None:
        raise NotFound("payment_not_found", _("未找到该支付订单。"))
    if notice.amount_fen != payment.amount_fen:
        logger.warning(
            "notice amount %s != payment %s for %s",
            notice.amount_fen,
            payment.amount_fen,
            payment.out_trade_no,
        )
        raise DomainError("notice_amount_mismatch", _("支付通知金额与订单金额不符。"))
    try:
        with transaction.atomic():
            GatewayNotice.objects.create(
                gateway=gateway,
                notice_id=notice.notice_id[:128],
                out_trade_no=notice.out_trade_no,
                payload=notice.payload,
            )
    except IntegrityError:
        return NoticeResult(payment, newly_succeeded=False, duplicate=True)
    if not notice.paid:
        if payment.status == PaymentStatus.PENDING:
            payment.status = PaymentStatus.CLOSED
            payment.save(update_fields=["status", "updated_at"])
            audit.log("payment.closed", None, payment, {"notice_id": notice.notice_id})
        return NoticeResult(payment, newly_succeeded=False)
    if payment.status == PaymentStatus.SUCCEEDED:
        return NoticeResult(payment, newly_succeeded=False)
    # Pending, or closed/failed on our side but paid at the gateway: the money
    # arrived, so it is booked; the booking layer refunds if the slots are gone.
    _settle(payment, gateway_trade_no=notice.gateway_trade_no)
    return NoticeResult(payment, newly_succeeded=True)


# --- refunds ---------------------------------------------------------------------


@transaction.atomic
def refund_issue(
    *, payment: Payment, amount_fen: int, reason: str = "", actor: Any = None
) -> Refund:
    """Send ``amount_fen`` of ``payment`` back to its own method (partial refunds allowed).

    Stored value and cash are booked at once; a gateway refund is asked of the
    gateway first (inside this transaction, so a refusal writes nothing) and
    booked when accepted. Refusals: 400 ``amount_invalid``, 409
    ``refund_exceeds_paid``, 502 ``refund_refused`` / ``gateway_refused``, and for
    a top-up already spent 409 ``balance_insufficient``.
    """
    _check_amount(amount_fen)
    locked = Payment.objects.select_for_update().get(pk=payment.pk)
    if amount_fen > locked.refundable_fen:
        raise Conflict("refund_exceeds_paid", _("退款金额超过可退金额。"))
    refund = Refund.objects.create(
        payment=locked, amount_fen=amount_fen, reason=reason[:200], status=RefundStatus.PENDING
    )
    status = RefundStatus.SUCCEEDED
    if locked.method in GATEWAY_METHODS:
        result = gateway_get(locked.method).refund(locked, refund)
        status = RefundStatus.SUCCEEDED if result.done else RefundStatus.PENDING
    post(
        kind=TransactionKind.REFUND,
        reference=locked.reference,
        legs=[(_destination(locked), -amount_fen), (_source(locked), amount_fen)],
        actor=actor,
        memo=refund.out_refund_no,
    )
    refund.status = status
    refund.save(update_fields=["status", "updated_at"])
    locked.refunded_fen += amount_fen
    locked.save(update_fields=["refunded_fen", "updated_at"])
    payment.refunded_fen = locked.refunded_fen
    audit.log(
        "payment.refunded",
        actor,
        locked,
        {"refund": refund.out_refund_no, "amount_fen": amount_fen, "reason": reason},
    )
    return refund


# --- top-ups ---------------------------------------------------------------------


def new_topup_number() -> str:
    """A top-up's reference, shown in the resident's history."""
    return "T" + secrets.token_hex(6).upper()


@transaction.atomic
def topup_start(
    *, user: Any, amount_fen: int, method: str, return_url: str
) -> tuple[Payment, PayRequest]:
    """Start a stored-value top-up through a gateway; credited when its notice arrives."""
    _check_topup(amount_fen, user)
    return payment_start(
        user=user,
        venue=None,
        purpose=Purpose.TOPUP,
        reference=new_topup_number(),
        amount_fen=amount_fen,
        method=method,
        return_url=return_url,
    )


@transaction.atomic
def topup_cash(*, user: Any, venue: Any, amount_fen: int, actor: Any) -> Payment:
    """Cash top-up at ``venue``'s front desk, by its staff; credited at once."""
    _check_topup(amount_fen, user)
    _check_staff(actor, venue)
    payment = Payment.objects.create(
        purpose=Purpose.TOPUP,
        reference=new_topup_number(),
        user=user,
        venue=venue,
        method=Method.CASH,
        amount_fen=amount_fen,
    )
    _settle(payment, actor=actor)
    return payment
