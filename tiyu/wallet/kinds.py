"""The kinds of ledger transaction, with the labels residents see in their history.

``LedgerTransaction.kind`` is plain text (no model choices, so new kinds need no
migration); every writer uses one of these.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class TransactionKind(models.TextChoices):
    """What moved the money."""

    TOPUP = "topup", _("充值")
    PAYMENT = "payment", _("支付")
    REFUND = "refund", _("退款")


def kind_label(kind: str) -> str:
    """The label of a transaction kind, or the kind itself if unknown."""
    try:
        return str(TransactionKind(kind).label)
    except ValueError:
        return kind
