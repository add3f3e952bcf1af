"""Wallet reads: a resident's stored-value balance and history."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet, Sum

from tiyu.wallet.models import POOLED_KINDS, Account, AccountKind, Entry


def account_balance(account: Account) -> int:
    """An account's balance in fen: the cache of a personal account, the sum of a
    pooled account's entries (pooled accounts keep no cache; see the models)."""
    if account.kind not in POOLED_KINDS:
        return account.balance_fen
    return Entry.objects.filter(account=account).aggregate(s=Sum("amount_fen"))["s"] or 0


def _stored_value(user: Any) -> Account | None:
    return Account.objects.filter(
        kind=AccountKind.STORED_VALUE, owner_key=f"u{getattr(user, 'pk', user)}"
    ).first()


def wallet_balance(user: Any) -> int:
    """The resident's stored-value balance in fen (0 before the first top-up).

    ``balance_fen`` is the cache the ledger keeps in the same transaction as the
    entries (ARCHITECTURE rule 4); tests prove it equals the sum of the entries.
    """
    account = _stored_value(user)
    return account.balance_fen if account else 0


def wallet_history(user: Any) -> QuerySet[Entry]:
    """The resident's stored-value entries, newest first, with their transaction
    (``transaction.kind`` / ``.reference`` / ``.created_at``)."""
    account = _stored_value(user)
    if account is None:
        return Entry.objects.none()
    return Entry.objects.filter(account=account).select_related("transaction").order_by("-id")
