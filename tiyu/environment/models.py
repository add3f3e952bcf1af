"""Environment monitoring: readings (a time series), the newest value of each sensor,
per-venue threshold overrides, and alerts.

``Reading`` is the fact table: one row per device message, written once (a resent
message adds nothing). ``CurrentReading`` is derived from it (the newest reading
per venue, device and metric) so the venue page never scans the series. Devices are
a higher layer, so readings carry the venue and device as plain integers, like the
traffic app's gate events.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from tiyu.core.device_messages import MESSAGE_ID_MAX
from tiyu.environment.readings import METRIC_MAX, Metric


class Reading(models.Model):
    """One value a sensor measured, exactly as reported (kept for the retention)."""

    scope_fields = {"venue": "venue_id"}

    id = models.BigAutoField(primary_key=True)
    venue_id = models.BigIntegerField(_("场馆"))
    device_id = models.BigIntegerField(_("设备"))
    message_id = models.CharField(_("消息编号"), max_length=MESSAGE_ID_MAX)
    metric = models.CharField(_("指标"), max_length=METRIC_MAX, choices=Metric.choices)
    value = models.FloatField(_("读数"))
    measured_at = models.DateTimeField(_("测量时间"))
    received_at = models.DateTimeField(_("接收时间"))

    class Meta:
        verbose_name = _("环境读数")
        verbose_name_plural = _("环境读数")
        constraints = [
            models.UniqueConstraint(fields=["device_id", "message_id"], name="env_reading_once")
        ]
        indexes = [
            models.Index(
                fields=["venue_id", "metric", "measured_at"], name="env_reading_venue_metric"
            ),
            models.Index(fields=["measured_at"], name="env_reading_time"),
        ]

    def __str__(self) -> str:
        return f"{self.venue_id}/{self.device_id} {self.metric}={self.value}"


class CurrentReading(models.Model):
    """The newest reading of one sensor (venue, device, metric); rewritten on ingest."""

    scope_fields = {"venue": "venue_id"}

    venue_id = models.BigIntegerField(_("场馆"))
    device_id = models.BigIntegerField(_("设备"))
    metric = models.CharField(_("指标"), max_length=METRIC_MAX, choices=Metric.choices)
    value = models.FloatField(_("读数"))
    measured_at = models.DateTimeField(_("测量时间"))

    class Meta:
        verbose_name = _("最新读数")
        verbose_name_plural = _("最新读数")
        constraints = [
            models.UniqueConstraint(
                fields=["venue_id", "device_id", "metric"], name="env_current_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.venue_id}/{self.device_id} {self.metric}={self.value}"


class Threshold(models.Model):
    """A venue's own range for one metric, replacing its kind's default.

    Both bounds empty means "no limits": the metric is shown but never alerted.
    """

    scope_fields = {"region": "venue__region__code", "venue": "venue_id"}

    venue = models.ForeignKey(
        "venues.Venue",
        verbose_name=_("场馆"),
        on_delete=models.CASCADE,
        related_name="env_thresholds",
    )
    metric = models.CharField(_("指标"), max_length=METRIC_MAX, choices=Metric.choices)
    low = models.FloatField(_("下限"), null=True, blank=True)
    high = models.FloatField(_("上限"), null=True, blank=True)
    updated_at = models.DateTimeField(_("修改时间"), auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("修改人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("监测阈值")
        verbose_name_plural = _("监测阈值")
        constraints = [
            models.UniqueConstraint(fields=["venue", "metric"], name="env_threshold_once"),
            models.CheckConstraint(
                name="env_threshold_low_below_high",
                condition=Q(low__isnull=True) | Q(high__isnull=True) | Q(low__lt=models.F("high")),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.venue_id} {self.metric} {self.low}..{self.high}"


class AlertStatus(models.TextChoices):
    """open → acknowledged → closed (open → closed is allowed too)."""

    OPEN = "open", _("待确认")
    ACKNOWLEDGED = "acknowledged", _("已确认")
    CLOSED = "closed", _("已关闭")


ACTIVE_STATUSES = (AlertStatus.OPEN, AlertStatus.ACKNOWLEDGED)


class Alert(models.Model):
    """A sensor out of range at a venue, from its first bad reading until a person closes it.

    One active (open or acknowledged) alert per venue, device and metric: later bad
    readings update it (last value, peak); a reading back in range only records
    ``back_in_range_at``. Officials see it once it is escalated (nobody acknowledged
    it within ``ALERT_ESCALATE_MINUTES``).
    """

    scope_fields = {"region": "venue__region__code", "venue": "venue_id"}

    venue = models.ForeignKey(
        "venues.Venue", verbose_name=_("场馆"), on_delete=models.CASCADE, related_name="env_alerts"
    )
    device_id = models.BigIntegerField(_("设备"))
    metric = models.CharField(_("指标"), max_length=METRIC_MAX, choices=Metric.choices)
    status = models.CharField(
        _("状态"), max_length=12, choices=AlertStatus.choices, default=AlertStatus.OPEN
    )
    low = models.FloatField(_("下限"), null=True, blank=True)
    high = models.FloatField(_("上限"), null=True, blank=True)
    first_value = models.FloatField(_("首次超限读数"))
    first_at = models.DateTimeField(_("首次超限时间"))
    last_value = models.FloatField(_("最近超限读数"))
    last_at = models.DateTimeField(_("最近超限时间"))
    peak_value = models.FloatField(_("最大偏离读数"))
    readings_out = models.PositiveIntegerField(_("超限读数次数"), default=1)
    back_in_range_at = models.DateTimeField(_("恢复正常时间"), null=True, blank=True)
    opened_at = models.DateTimeField(_("告警时间"))
    escalated_at = models.DateTimeField(_("上报区县时间"), null=True, blank=True)
    acknowledged_at = models.DateTimeField(_("确认时间"), null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("确认人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    closed_at = models.DateTimeField(_("关闭时间"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("关闭人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    close_note = models.TextField(_("处理说明"), blank=True)

    class Meta:
        verbose_name = _("环境告警")
        verbose_name_plural = _("环境告警")
        constraints = [
            models.UniqueConstraint(
                fields=["venue", "device_id", "metric"],
                condition=Q(status__in=["open", "acknowledged"]),
                name="env_alert_one_active",
            ),
            models.CheckConstraint(
                name="env_alert_status_valid",
                condition=Q(status__in=["open", "acknowledged", "closed"]),
            ),
            models.CheckConstraint(
                name="env_alert_closed_has_time",
                condition=~Q(status="closed") | Q(closed_at__isnull=False),
            ),
            models.CheckConstraint(
                name="env_alert_acknowledged_has_time",
                condition=~Q(status="acknowledged") | Q(acknowledged_at__isnull=False),
            ),
        ]
        indexes = [
            models.Index(fields=["venue", "status"], name="env_alert_venue_status"),
            models.Index(fields=["status", "opened_at"], name="env_alert_status_opened"),
        ]

    def __str__(self) -> str:
        return f"{self.venue_id}/{self.device_id} {self.metric} {self.status}"

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE_STATUSES
