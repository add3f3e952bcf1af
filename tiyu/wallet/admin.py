"""Read-only admin views of the ledger: accounts and transactions with their entries.

A correction is a new transaction posted by a service, never an edit here.
"""

from django.contrib import admin

from tiyu.core.admin import ReadOnlyAdmin, ReadOnlyInline
from tiyu.wallet.models import Account, Entry, LedgerTransaction


class EntryInline(ReadOnlyInline):
    model = Entry
    fields = ("account", "amount_fen")
    readonly_fields = fields


@admin.register(Account)
class AccountAdmin(ReadOnlyAdmin):
    list_display = ("kind", "owner_key", "user", "venue", "balance_fen")
    list_filter = ("kind",)
    search_fields = ("owner_key", "user__username", "venue__name")
    list_select_related = ("user", "venue")


@admin.register(LedgerTransaction)
class LedgerTransactionAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "kind", "reference", "memo", "actor")
    list_filter = ("kind",)
    search_fields = ("reference", "memo")
    inlines = [EntryInline]
