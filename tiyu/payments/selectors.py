"""Payment reads."""

from __future__ import annotations

from typing import Any

from tiyu.core.errors import NotFound
from tiyu.payments.models import Payment


def payment_of_user(user: Any, out_trade_no: str) -> Payment:
    """One of the user's own payments by our trade number; someone else's is a 404."""
    user_id = getattr(user, "pk", None)
    payment = (
        Payment.objects.select_related("venue")
        .filter(user_id=user_id or 0, out_trade_no=out_trade_no)
        .first()
    )
    if payment is None:
        raise NotFound("payment_not_found")
    return payment


def payment_by_trade_no(out_trade_no: str) -> Payment | None:
    """A payment by our trade number, for the gateway side of the local sandbox."""
    return Payment.objects.select_related("venue").filter(out_trade_no=out_trade_no).first()
