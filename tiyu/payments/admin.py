"""Read-only admin views of payments, refunds and gateway notices.

Money changes only through the services (refund_issue, notice_accept, ...), never
by editing rows here.
"""

from django.contrib import admin

from tiyu.core.admin import ReadOnlyAdmin, ReadOnlyInline
from tiyu.payments.models import GatewayNotice, Payment, Refund


class RefundInline(ReadOnlyInline):
    model = Refund
    fields = ("out_refund_no", "amount_fen", "status", "reason", "created_at")
    readonly_fields = fields


@admin.register(Payment)
class PaymentAdmin(ReadOnlyAdmin):
    list_display = (
        "out_trade_no",
        "purpose",
        "reference",
        "method",
        "amount_fen",
        "refunded_fen",
        "status",
        "venue",
        "user",
        "paid_at",
    )
    list_filter = ("status", "method", "purpose")
    search_fields = ("out_trade_no", "reference", "gateway_trade_no", "user__username")
    list_select_related = ("venue", "user")
    inlines = [RefundInline]


@admin.register(Refund)
class RefundAdmin(ReadOnlyAdmin):
    list_display = ("out_refund_no", "payment", "amount_fen", "status", "reason", "created_at")
    list_filter = ("status",)
    search_fields = ("out_refund_no", "payment__out_trade_no", "payment__reference")
    list_select_related = ("payment",)


@admin.register(GatewayNotice)
class GatewayNoticeAdmin(ReadOnlyAdmin):
    list_display = ("gateway", "notice_id", "out_trade_no", "received_at")
    list_filter = ("gateway",)
    search_fields = ("notice_id", "out_trade_no")
