"""Ledger writes. ``post`` is the only function that creates entries or moves a balance."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import BigIntegerField, Case, F, Q, Value, When
from django.utils.translation import gettext_lazy as _

from tiyu.core.atomic import joins_transaction
from tiyu.core.errors import Conflict, DomainError
from tiyu.wallet.models import (
    POOLED_KINDS,
    Account,
    AccountKind,
    Entry,
    LedgerTransaction,
)

Leg = tuple[Account, int]


class InsufficientBalance(Conflict):
    """The movement would take an account below zero."""

    def __init__(self) -> None:
        super().__init__("balance_insufficient", _("一卡通余额不足。"))


def _owner_key(user: Any, venue: Any) -> str:
    user_id = getattr(user, "pk", user)
    venue_id = getattr(venue, "pk", venue)
    return f"u{user_id}" if user_id else f"v{venue_id}" if venue_id else "platform"


def account_for(kind: str, *, user: Any = None, venue: Any = None) -> Account:
    """The ledger account of ``kind`` for its owner, created on first use."""
    user_id = getattr(user, "pk", user)
    venue_id = getattr(venue, "pk", venue)
    owner_key = _owner_key(user_id, venue_id)
    account = Account.objects.filter(kind=kind, owner_key=owner_key).first()
    if account is not None:
        return account
    try:
        with transaction.atomic():
            return Account.objects.create(
                kind=kind, owner_key=owner_key, user_id=user_id, venue_id=venue_id
            )
    except IntegrityError:
        return Account.objects.get(kind=kind, owner_key=owner_key)


def stored_value_account(user: Any) -> Account:
    """A resident's stored-value (一卡通) account."""
    return account_for(AccountKind.STORED_VALUE, user=user)


def venue_revenue_account(venue: Any) -> Account:
    """A venue's revenue account: what the platform owes it."""
    return account_for(AccountKind.VENUE_REVENUE, venue=venue)


def clearing_account(kind: str = AccountKind.GATEWAY_CLEARING) -> Account:
    """The platform's counterpart for money that came from a gateway or the cash till."""
    return account_for(kind)


def accounts_for(*specs: tuple[str, Any, Any], lock: bool = False) -> list[Account]:
    """Several ledger accounts ``(kind, user, venue)``, created on first use (one query,
    or two when ``lock`` mixes personal and pooled accounts).

    With ``lock`` (inside a transaction) the personal rows are read ``FOR UPDATE``
    in primary-key order and their balances are current: hand them to ``post`` with
    ``locked=True`` and it skips its own locking read. Pooled rows are never locked.
    """
    keys = [(kind, _owner_key(user, venue), user, venue) for kind, user, venue in specs]
    wanted = [(kind, owner_key) for kind, owner_key, _u, _v in keys]
    found = _read_accounts(wanted, lock=lock)
    missing = [k for k in keys if (k[0], k[1]) not in found]
    for kind, _owner, user, venue in missing:
        account_for(kind, user=user, venue=venue)
    if missing:
        found = _read_accounts(wanted, lock=lock)
    return [found[key] for key in wanted]


def _read_accounts(keys: list[tuple[str, str]], *, lock: bool) -> dict[tuple[str, str], Account]:
    """The accounts with these ``(kind, owner_key)``; with ``lock`` the personal ones are
    read ``FOR UPDATE`` and the pooled ones plainly (never locked)."""
    groups: dict[bool, Q] = {}
    for kind, owner_key in keys:
        locking = lock and kind not in POOLED_KINDS
        groups[locking] = groups.get(locking, Q()) | Q(kind=kind, owner_key=owner_key)
    found: dict[tuple[str, str], Account] = {}
    for locking, query in groups.items():
        rows = Account.objects.filter(query).order_by("pk")
        for account in rows.select_for_update() if locking else rows:
            found[(account.kind, account.owner_key)] = account
    return found


@joins_transaction
def post(
    *,
    kind: str,
    reference: str,
    legs: Sequence[Leg],
    actor: Any = None,
    memo: str = "",
    locked: bool = False,
) -> LedgerTransaction:
    """Write one balanced transaction; raise ``InsufficientBalance`` and write nothing
    if any account would go below zero.

    Personal accounts are read ``FOR UPDATE`` in primary-key order (one fixed
    order, so two postings never deadlock) and checked before anything is written,
    so a refusal leaves the caller's transaction clean; the check constraint on the
    table stays the last word. Pooled accounts only get their entries: their
    balance is that sum, so payments to one venue never queue on its row.
    """
    legs = [(account, amount) for account, amount in legs if amount]
    if sum(amount for _, amount in legs) != 0:
        raise DomainError("ledger_unbalanced", _("记账分录借贷不平。"), status=500)
    if not legs:
        raise DomainError("ledger_empty", _("没有需要记账的金额。"))
    moves: dict[int, int] = {}
    for account, amount in legs:
        if account.kind not in POOLED_KINDS:
            moves[account.pk] = moves.get(account.pk, 0) + amount
    if moves:
        _move_personal(legs, moves, locked=locked)
    txn = LedgerTransaction.objects.create(
        kind=kind, reference=reference, memo=memo, actor_id=getattr(actor, "pk", None)
    )
    Entry.objects.bulk_create(
        Entry(transaction=txn, account=account, amount_fen=amount) for account, amount in legs
    )
    return txn


def _move_personal(legs: Sequence[Leg], moves: dict[int, int], *, locked: bool) -> None:
    """Check and move the cached balances of the personal accounts among ``legs``."""
    if locked:  # read FOR UPDATE by accounts_for(lock=True) in this transaction
        balances = {account.pk: account.balance_fen for account, _ in legs}
    else:
        balances = dict(
            Account.objects.select_for_update()
            .filter(pk__in=list(moves))
            .order_by("pk")
            .values_list("pk", "balance_fen")
        )
    for pk, amount in moves.items():
        if balances[pk] + amount < 0:
            raise InsufficientBalance()
    # One statement for every leg: the rows are already locked (above, in key order).
    Account.objects.filter(pk__in=moves).update(
        balance_fen=F("balance_fen")
        + Case(
            *(When(pk=pk, then=Value(amount)) for pk, amount in moves.items()),
            output_field=BigIntegerField(),
        )
    )
