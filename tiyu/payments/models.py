"""Payments, refunds and the gateway notifications that move them.

A payment is money for one purpose (a booking, a stored-value top-up) by one
method. Gateway payments start ``pending`` and succeed only on a verified,
de-duplicated notification; stored-value and cash payments succeed at once.
Refunds always go back to the payment's own method.
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tiyu.core.models import TimeStampedModel


class Method(models.TextChoices):
    """How money arrives."""

    WECHAT = "wechat", _("微信支付")
    ALIPAY = "alipay", _("支付宝")
    SANDBOX = "sandbox", _("本地沙箱支付（演示）")
    STORED_VALUE = "stored_value", _("一卡通")
    CASH = "cash", _("现金")


GATEWAY_METHODS = (Method.WECHAT, Method.ALIPAY, Method.SANDBOX)


class Purpose(models.TextChoices):
    """What the money is for."""

    BOOKING = "booking", _("场地预订")
    TOPUP = "topup", _("一卡通充值")


class PaymentStatus(models.TextChoices):
    """A payment's life: pending at a gateway, then succeeded, failed or closed."""

    PENDING = "pending", _("待支付")
    SUCCEEDED = "succeeded", _("已支付")
    FAILED = "failed", _("支付失败")
    CLOSED = "closed", _("已关闭")


def new_trade_no() -> str:
    """Our order number at the gateway: date plus randomness, 32 characters at most."""
    return timezone.now().strftime("%Y%m%d%H%M%S") + secrets.token_hex(8)


class Payment(TimeStampedModel):
    """Money for one purpose by one method; ``reference`` names the booking or top-up."""

    scope_fields = {"region": "venue__region__code", "venue": "venue_id"}

    purpose = models.CharField(_("用途"), max_length=16, choices=Purpose.choices)
    reference = models.CharField(_("业务单号"), max_length=64, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="payments"
    )
    venue = models.ForeignKey(
        "venues.Venue", null=True, blank=True, on_delete=models.PROTECT, related_name="payments"
    )
    method = models.CharField(_("支付方式"), max_length=16, choices=Method.choices)
    amount_fen = models.PositiveIntegerField(_("金额（分）"))
    refunded_fen = models.PositiveIntegerField(_("已退款（分）"), default=0)
    status = models.CharField(
        _("状态"), max_length=16, choices=PaymentStatus.choices, default=PaymentStatus.PENDING
    )
    out_trade_no = models.CharField(max_length=32, unique=True, default=new_trade_no)
    gateway_trade_no = models.CharField(max_length=64, blank=True)
    paid_at = models.DateTimeField(_("支付时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("支付")
        verbose_name_plural = _("支付")
        ordering = ["-id"]
        constraints = [
            models.CheckConstraint(
                name="payment_refund_within_amount",
                condition=models.Q(refunded_fen__lte=models.F("amount_fen")),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.out_trade_no} {self.amount_fen}"

    @property
    def refundable_fen(self) -> int:
        """What can still be refunded."""
        return self.amount_fen - self.refunded_fen if self.status == PaymentStatus.SUCCEEDED else 0


class RefundStatus(models.TextChoices):
    """A refund is pending at the gateway until it confirms."""

    PENDING = "pending", _("退款中")
    SUCCEEDED = "succeeded", _("已退款")
    FAILED = "failed", _("退款失败")


class Refund(TimeStampedModel):
    """Money back to the payment's own method."""

    payment = models.ForeignKey(Payment, on_delete=models.PROTECT, related_name="refunds")
    amount_fen = models.PositiveIntegerField(_("金额（分）"))
    reason = models.CharField(_("原因"), max_length=200, blank=True)
    status = models.CharField(
        _("状态"), max_length=16, choices=RefundStatus.choices, default=RefundStatus.PENDING
    )
    out_refund_no = models.CharField(max_length=32, unique=True, default=new_trade_no)

    class Meta:
        verbose_name = _("退款")
        verbose_name_plural = _("退款")
        ordering = ["-id"]
        constraints = [
            models.CheckConstraint(name="refund_positive", condition=models.Q(amount_fen__gt=0))
        ]

    def __str__(self) -> str:
        return f"{self.out_refund_no} {self.amount_fen}"


class GatewayNotice(models.Model):
    """A verified gateway notification, kept once: a replay finds its twin and stops."""

    gateway = models.CharField(max_length=16)
    notice_id = models.CharField(max_length=128)
    out_trade_no = models.CharField(max_length=32, db_index=True)
    payload = models.JSONField(default=dict)
    received_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("支付通知")
        verbose_name_plural = _("支付通知")
        constraints = [
            models.UniqueConstraint(fields=["gateway", "notice_id"], name="gateway_notice_once")
        ]

    def __str__(self) -> str:
        return f"{self.gateway}:{self.notice_id}"
