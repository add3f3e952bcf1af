"""Where payments meet bookings: the gateway notify handler and daily reconciliation.

``gateway_notify`` is the one handler for every gateway notification, used by
the HTTP endpoint (``api_checkout``) and, in-process, by the local sandbox's
cashier. It verifies and settles the payment (``notice_accept``) and, for a
booking payment that just succeeded, has the booking layer confirm the booking
(or refund, if its slots were lost after the hold expired) in the same
transaction: if that fails, nothing is kept and the gateway retries.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from tiyu.booking.models import Booking, BookingStatus
from tiyu.booking.services import booking_confirm_payment
from tiyu.core.errors import DomainError
from tiyu.payments.gateways import gateway_get
from tiyu.payments.gateways.base import NotifyAnswer, error_answer
from tiyu.payments.models import Payment, PaymentStatus, Purpose
from tiyu.payments.services import notice_accept

logger = logging.getLogger(__name__)


def gateway_notify(
    gateway: str, headers: dict[str, str], body: bytes, *, now: datetime | None = None
) -> NotifyAnswer:
    """Handle one notification; answer what the gateway expects (status, body, type).

    A refused notification answers its error (4xx, ``{code, message}``) and
    changes nothing; a duplicate answers success and changes nothing.
    """
    try:
        adapter = gateway_get(gateway)
    except DomainError as exc:
        return error_answer(exc)
    try:
        with transaction.atomic():
            result = notice_accept(gateway=gateway, headers=headers, body=body, now=now)
            if result.newly_succeeded and result.payment.purpose == Purpose.BOOKING:
                booking_confirm_payment(payment=result.payment)
    except DomainError as exc:
        logger.warning("%s notice refused: %s", gateway, exc.code)
        return adapter.answer(exc)
    return adapter.answer(None)


# --- reconciliation -------------------------------------------------------------


@dataclass(frozen=True)
class ReconRow:
    """One discrepancy: the payment and/or booking concerned."""

    problem: str
    out_trade_no: str = ""
    booking_number: str = ""
    amount_fen: int = 0
    detail: str = ""


@dataclass
class Report:
    """The day's discrepancies; ``ok`` when there are none."""

    day: date
    paid_without_booking: list[ReconRow] = field(default_factory=list)
    booking_without_payment: list[ReconRow] = field(default_factory=list)
    amount_mismatch: list[ReconRow] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not (
            self.paid_without_booking or self.booking_without_payment or self.amount_mismatch
        )

    def as_dict(self) -> dict[str, Any]:
        """For logs and job output."""
        rows = lambda items: [vars(r) for r in items]  # noqa: E731
        return {
            "day": self.day.isoformat(),
            "paid_without_booking": rows(self.paid_without_booking),
            "booking_without_payment": rows(self.booking_without_payment),
            "amount_mismatch": rows(self.amount_mismatch),
        }


def _day_bounds(day: date) -> tuple[datetime, datetime]:
    """The local (Asia/Shanghai) day as a UTC range."""
    start = timezone.make_aware(datetime.combine(day, time.min))
    return start, start + timedelta(days=1)


# A booking in one of these states may keep (part of) its money: confirmed, or
# cancelled with a fee under its cancellation policy.
KEEPS_MONEY = (BookingStatus.CONFIRMED, BookingStatus.CANCELLED)


def reconcile(day: date) -> Report:
    """List the day's money that does not match a booking, and the reverse.

    * paid without booking: a booking payment that succeeded on ``day``, is not
      fully refunded, and whose booking (by the ``payment`` link or the number in
      ``reference``) is missing or neither confirmed nor cancelled;
    * booking without payment: a booking confirmed with a price, made on ``day``,
      whose payment is missing or not succeeded;
    * amount mismatch: a confirmed booking whose succeeded payment is for a
      different amount than the booking's total.
    """
    start, end = _day_bounds(day)
    report = Report(day=day)
    payments = list(
        Payment.objects.filter(
            purpose=Purpose.BOOKING,
            status=PaymentStatus.SUCCEEDED,
            paid_at__gte=start,
            paid_at__lt=end,
        ).order_by("id")
    )
    linked = Booking.objects.filter(
        Q(payment_id__in=[p.pk for p in payments]) | Q(number__in=[p.reference for p in payments])
    ).values_list("payment_id", "number", "status")
    by_payment: dict[int, str] = {}
    by_number: dict[str, str] = {}
    for payment_id, number, booking_status in linked:
        if payment_id:
            by_payment[payment_id] = booking_status
        by_number[number] = booking_status
    for p in payments:
        if p.refunded_fen >= p.amount_fen:
            continue
        status = by_payment.get(p.pk) or by_number.get(p.reference) or ""
        if status not in KEEPS_MONEY:
            report.paid_without_booking.append(
                ReconRow(
                    "paid_without_booking",
                    out_trade_no=p.out_trade_no,
                    booking_number=p.reference,
                    amount_fen=p.amount_fen - p.refunded_fen,
                    detail=status or "missing",
                )
            )
    bookings = (
        Booking.objects.filter(
            status=BookingStatus.CONFIRMED,
            total_fen__gt=0,
            created_at__gte=start,
            created_at__lt=end,
        )
        .select_related("payment")
        .order_by("id")
    )
    for b in bookings:
        pay = b.payment
        if pay is None or pay.status != PaymentStatus.SUCCEEDED:
            report.booking_without_payment.append(
                ReconRow(
                    "booking_without_payment",
                    out_trade_no=pay.out_trade_no if pay else "",
                    booking_number=b.number,
                    amount_fen=b.total_fen,
                    detail=pay.status if pay else "missing",
                )
            )
        elif pay.amount_fen != b.total_fen:
            report.amount_mismatch.append(
                ReconRow(
                    "amount_mismatch",
                    out_trade_no=pay.out_trade_no,
                    booking_number=b.number,
                    amount_fen=b.total_fen,
                    detail=f"paid {pay.amount_fen}",
                )
            )
    return report
