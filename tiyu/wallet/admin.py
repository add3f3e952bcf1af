"""Read-only admin views of the ledger: accounts and transactions with their entries.

A correction is a new transaction posted by a service, never an edit here.
"""

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet, Sum
from django.utils.translation import gettext_lazy as _

from tiyu.core.admin import ReadOnlyAdmin, ReadOnlyInline
from tiyu.wallet.models import Account, Entry, LedgerTransaction


class EntryInline(ReadOnlyInline):
    model = Entry
    fields = ("account", "amount_fen")
    readonly_fields = fields


@admin.register(Account)
class AccountAdmin(ReadOnlyAdmin):
    list_display = ("kind", "owner_key", "user", "venue", "balance")
    list_filter = ("kind",)
    search_fields = ("owner_key", "user__username", "venue__name")
    list_select_related = ("user", "venue")

    def get_queryset(self, request: Any) -> QuerySet[Account]:
        # Pooled accounts keep no cache, so the list shows every balance from its entries.
        return super().get_queryset(request).annotate(entries_sum=Sum("entries__amount_fen"))

    @admin.display(description=_("余额（分）"))
    def balance(self, account: Account) -> int:
        return account.entries_sum or 0  # type: ignore[attr-defined]


@admin.register(LedgerTransaction)
class LedgerTransactionAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "kind", "reference", "memo", "actor")
    list_filter = ("kind",)
    search_fields = ("reference", "memo")
    inlines = [EntryInline]
