"""Admin for the audit log, and the read-only base every ledger-like admin uses."""

from typing import Any

from django.contrib import admin

from tiyu.core.models import AuditEntry


class ReadOnlyAdmin(admin.ModelAdmin):
    """List and inspect; no add, change or delete: services write these rows."""

    def has_add_permission(self, request: Any, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: Any, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: Any, obj: Any = None) -> bool:
        return False


class ReadOnlyInline(admin.TabularInline):
    """An inline that only shows its rows."""

    extra = 0
    can_delete = False

    def has_add_permission(self, request: Any, obj: Any = None) -> bool:
        return False


@admin.register(AuditEntry)
class AuditEntryAdmin(ReadOnlyAdmin):
    """Read-only view of the audit log."""

    list_display = ("created_at", "action", "actor", "object_type", "object_id")
    list_filter = ("action",)
    search_fields = ("object_id", "action")
