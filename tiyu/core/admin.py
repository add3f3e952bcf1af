from django.contrib import admin

from tiyu.core.models import AuditEntry


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    """Read-only view of the audit log."""

    list_display = ("created_at", "action", "actor", "object_type", "object_id")
    list_filter = ("action",)
    search_fields = ("object_id", "action")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
