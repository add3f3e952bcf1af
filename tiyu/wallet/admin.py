"""Read-only admin views of the ledger: accounts and transactions with their entries.

A correction is a new transaction posted by a service, never an edit here.
"""

from typing import Any

from django.contrib import admin

from tiyu.wallet.models import Account, Entry, LedgerTransaction


class ReadOnlyAdmin(admin.ModelAdmin):
    """List and inspect; no add, change or delete."""

    def has_add_permission(self, request: Any) -> bool:
        return False

    def has_change_permission(self, request: Any, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: Any, obj: Any = None) -> bool:
        return False


class EntryInline(admin.TabularInline):
    model = Entry
    extra = 0
    can_delete = False
    fields = ("account", "amount_fen")
    readonly_fields = fields

    def has_add_permission(self, request: Any, obj: Any = None) -> bool:
        return False


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
