"""The double-entry ledger: accounts, transactions and their entries.

Every movement of stored value or money is one ``LedgerTransaction`` whose
entries sum to zero (ARCHITECTURE rule 4). A *personal* account (a resident's
stored value) keeps ``balance_fen`` as a cache of the sum of its entries, updated
in the same transaction, and the database refuses a negative one. A *pooled*
account (a venue's revenue, the clearing accounts) is written by every payer at
once, so it keeps no cache: its balance is the sum of its entries, and no payment
waits on another's row lock.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class AccountKind(models.TextChoices):
    """Whose money an account holds."""

    STORED_VALUE = "stored_value", _("一卡通余额")
    VENUE_REVENUE = "venue_revenue", _("场馆收入")
    GATEWAY_CLEARING = "gateway_clearing", _("平台支付清算")
    CASH_CLEARING = "cash_clearing", _("前台现金清算")


# Counterparts of the outside world: money flows in from them, so they go negative.
OUTSIDE_KINDS = (AccountKind.GATEWAY_CLEARING, AccountKind.CASH_CLEARING)
# Shared by many payers: balance = sum of entries, never cached, never row-locked.
POOLED_KINDS = (AccountKind.VENUE_REVENUE, *OUTSIDE_KINDS)


class Account(models.Model):
    """A ledger account: a resident's stored value, a venue's revenue, or a clearing account."""

    scope_fields = {"region": "venue__region__code", "venue": "venue_id"}

    kind = models.CharField(_("类别"), max_length=20, choices=AccountKind.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="ledger_accounts",
    )
    venue = models.ForeignKey(
        "venues.Venue",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="ledger_accounts",
    )
    # "u<id>", "v<id>" or "platform": one portable unique key whoever owns the account.
    owner_key = models.CharField(max_length=24, editable=False)
    # The cached balance of a personal account; always 0 on a pooled one (see above).
    balance_fen = models.BigIntegerField(_("余额（分）"), default=0)

    class Meta:
        verbose_name = _("账户")
        verbose_name_plural = _("账户")
        constraints = [
            models.UniqueConstraint(fields=["kind", "owner_key"], name="ledger_account_unique"),
            models.CheckConstraint(
                name="ledger_account_not_negative",
                condition=models.Q(balance_fen__gte=0) | models.Q(kind__in=OUTSIDE_KINDS),
            ),
        ]

    def __str__(self) -> str:
        owner = self.user or self.venue or ""
        return f"{self.get_kind_display()} {owner}"


class LedgerTransaction(models.Model):
    """One business movement (top-up, payment, refund); its entries sum to zero."""

    kind = models.CharField(_("业务类型"), max_length=32)
    reference = models.CharField(_("业务单号"), max_length=64, db_index=True)
    memo = models.CharField(_("说明"), max_length=200, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("记账凭证")
        verbose_name_plural = _("记账凭证")
        ordering = ["-id"]

    def __str__(self) -> str:
        return f"{self.kind} {self.reference}"


class Entry(models.Model):
    """One leg of a transaction: a signed amount on one account. Never updated."""

    transaction = models.ForeignKey(
        LedgerTransaction, on_delete=models.PROTECT, related_name="entries"
    )
    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="entries")
    amount_fen = models.BigIntegerField(_("金额（分）"))

    class Meta:
        verbose_name = _("分录")
        verbose_name_plural = _("分录")
        indexes = [models.Index(fields=["account", "id"], name="ledger_entry_account")]
        constraints = [
            models.CheckConstraint(name="ledger_entry_not_zero", condition=~models.Q(amount_fen=0))
        ]

    def __str__(self) -> str:
        return f"{self.account_id} {self.amount_fen}"
