"""Read-only admin views of bookings: every change goes through the booking services."""

from __future__ import annotations

from django.contrib import admin

from tiyu.booking.models import Block, Booking, BookingPolicy, BookingSlot, Series
from tiyu.core.admin import ReadOnlyAdmin, ReadOnlyInline


class SlotInline(ReadOnlyInline):
    model = BookingSlot
    fields = ("court", "starts_at", "ends_at", "price_fen", "status", "refund_fen")
    readonly_fields = fields


@admin.register(Booking)
class BookingAdmin(ReadOnlyAdmin):
    list_display = ("number", "venue", "user", "status", "channel", "total_fen", "created_at")
    list_filter = ("status", "channel")
    search_fields = ("number", "entry_code", "user__username", "user__phone")
    raw_id_fields = ("venue", "user", "payment", "series", "created_by")
    inlines = [SlotInline]


@admin.register(Series)
class SeriesAdmin(ReadOnlyAdmin):
    list_display = (
        "title",
        "venue",
        "court",
        "weekday",
        "starts",
        "first_date",
        "last_date",
        "status",
    )


@admin.register(Block)
class BlockAdmin(ReadOnlyAdmin):
    list_display = ("venue", "court", "starts_at", "ends_at", "kind", "reason")


@admin.register(BookingPolicy)
class BookingPolicyAdmin(ReadOnlyAdmin):
    list_display = ("venue", "hold_minutes", "advance_days", "max_active_bookings")
