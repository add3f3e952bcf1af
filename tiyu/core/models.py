"""Core models: the audit log and idempotency records, plus the abstract base model."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class TimeStampedModel(models.Model):
    """Abstract base: every domain row knows when it was created and last changed (UTC)."""

    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        abstract = True


class AuditEntry(models.Model):
    """One state change, written in the same transaction as the change itself.

    Rows are never updated or deleted by the application: the log is append-only.
    """

    action = models.CharField(_("动作"), max_length=80, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("操作人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    object_type = models.CharField(_("对象类型"), max_length=80)
    object_id = models.CharField(_("对象编号"), max_length=64)
    data = models.JSONField(_("数据"), default=dict, blank=True)
    created_at = models.DateTimeField(_("时间"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("审计日志")
        verbose_name_plural = _("审计日志")
        indexes = [models.Index(fields=["object_type", "object_id"])]
        ordering = ["-id"]

    def __str__(self) -> str:
        return f"{self.action} {self.object_type}:{self.object_id}"


class IdempotencyRecord(models.Model):
    """The first result of a write retried under the same ``Idempotency-Key``."""

    key = models.CharField(max_length=128)
    scope = models.CharField(max_length=80)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    request_hash = models.CharField(max_length=64)
    status = models.PositiveSmallIntegerField()
    body = models.JSONField(default=dict)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("幂等记录")
        verbose_name_plural = _("幂等记录")
        constraints = [
            models.UniqueConstraint(fields=["scope", "user", "key"], name="idempotency_unique_key"),
        ]

    def __str__(self) -> str:
        return f"{self.scope}:{self.key}"
