"""Admin: read-only views of notices and their deliveries (they are written by services)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from tiyu.notices.models import Delivery, Notice


class DeliveryInline(admin.TabularInline):
    model = Delivery
    extra = 0
    can_delete = False
    readonly_fields = ("channel", "status", "detail", "created_at")

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Notice)
class NoticeAdmin(admin.ModelAdmin):
    list_display = ("title", "user", "kind", "created_at", "read_at")
    list_filter = ("kind",)
    search_fields = ("title", "user__username", "dedupe_key")
    readonly_fields = ("user", "kind", "title", "body", "link", "dedupe_key", "created_at")
    inlines = [DeliveryInline]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


@admin.register(Delivery)
class DeliveryAdmin(admin.ModelAdmin):
    list_display = ("notice", "channel", "status", "detail", "created_at")
    list_filter = ("channel", "status")
    readonly_fields = ("notice", "channel", "status", "detail", "created_at")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False
