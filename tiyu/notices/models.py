"""The in-app inbox, and the record of what was sent through outside channels."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Notice(models.Model):
    """One message in a resident's inbox (a confirmation, a reminder, a refund)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notices"
    )
    kind = models.CharField(_("类别"), max_length=32)
    title = models.CharField(_("标题"), max_length=100)
    body = models.TextField(_("内容"), blank=True)
    link = models.CharField(_("链接"), max_length=200, blank=True)
    # Reminders are keyed so a job that runs twice sends once.
    dedupe_key = models.CharField(max_length=80, null=True, blank=True, unique=True)
    created_at = models.DateTimeField(_("时间"), auto_now_add=True)
    read_at = models.DateTimeField(_("已读时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("站内消息")
        verbose_name_plural = _("站内消息")
        ordering = ["-id"]
        indexes = [models.Index(fields=["user", "read_at"], name="notice_user_unread")]

    def __str__(self) -> str:
        return self.title


class Delivery(models.Model):
    """A copy of a notice sent through an outside channel (SMS, WeChat template message)."""

    notice = models.ForeignKey(Notice, on_delete=models.CASCADE, related_name="deliveries")
    channel = models.CharField(_("渠道"), max_length=16)
    status = models.CharField(_("状态"), max_length=16)
    detail = models.CharField(_("说明"), max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("外部推送")
        verbose_name_plural = _("外部推送")

    def __str__(self) -> str:
        return f"{self.channel} {self.status}"
