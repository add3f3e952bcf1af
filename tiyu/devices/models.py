"""Devices: the registry of a venue's gates, counters, lights and sensors, their credentials,
when each was last heard from, what was refused, and commands sent to them.

A device proves each request with an HMAC of its secret (docs/devices.md). The
secret is stored encrypted (the server must compute the HMAC, so a one-way hash
cannot serve) and shown to a person once, when it is issued.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from tiyu.core.models import TimeStampedModel
from tiyu.venues.models import Venue


class DeviceKind(models.TextChoices):
    """What a device is; it decides which message types it may send."""

    GATE = "gate", _("闸机")
    PEOPLE_COUNTER = "people_counter", _("客流计数器")
    LIGHT_CONTROLLER = "light_controller", _("灯光控制器")
    LOCKER = "locker", _("储物柜")
    SHOWER_VALVE = "shower_valve", _("淋浴控制阀")
    ENV_SENSOR = "env_sensor", _("环境传感器")


class Device(TimeStampedModel):
    """One registered device of a venue, with its own encrypted secret."""

    scope_fields = {"region": "venue__region__code", "venue": "venue_id"}

    venue = models.ForeignKey(Venue, on_delete=models.PROTECT, related_name="devices")
    kind = models.CharField(_("类型"), max_length=20, choices=DeviceKind.choices)
    name = models.CharField(_("名称"), max_length=64)
    location = models.CharField(_("安装位置"), max_length=120, blank=True)
    firmware = models.CharField(_("固件版本"), max_length=40, blank=True)
    secret_encrypted = models.TextField(_("密钥（加密）"))
    secret_issued_at = models.DateTimeField(_("密钥签发时间"))
    revoked_at = models.DateTimeField(_("停用时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("设备")
        verbose_name_plural = _("设备")
        ordering = ["venue_id", "kind", "name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.get_kind_display()})"

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None


class DeviceSeen(models.Model):
    """When a device was last heard from: a row of its own, so a busy device never
    rewrites the registry row that people edit."""

    device = models.OneToOneField(
        Device, primary_key=True, on_delete=models.CASCADE, related_name="seen"
    )
    last_seen_at = models.DateTimeField(_("最近在线"))
    transport = models.CharField(_("通道"), max_length=8)
    messages = models.BigIntegerField(_("累计消息"), default=0)

    class Meta:
        verbose_name = _("设备在线记录")
        verbose_name_plural = _("设备在线记录")

    def __str__(self) -> str:
        return f"{self.device_id} {self.last_seen_at:%Y-%m-%d %H:%M:%S}"


class DeviceRejection(models.Model):
    """How many requests or messages were refused for one reason on one day.

    ``device_id`` is what the request claimed (0 when it claimed nothing usable), so
    refusals of unknown devices are counted too; ``venue`` is set when the
    claimed device exists, which is what makes the count visible to the venue.
    """

    scope_fields = {"region": "venue__region__code", "venue": "venue_id"}

    device_id = models.BigIntegerField(_("设备编号"))
    venue = models.ForeignKey(Venue, null=True, blank=True, on_delete=models.CASCADE)
    reason = models.CharField(_("原因"), max_length=32)
    day = models.DateField(_("日期"))
    count = models.BigIntegerField(_("次数"), default=0)
    last_at = models.DateTimeField(_("最近一次"))

    class Meta:
        verbose_name = _("设备消息拒收")
        verbose_name_plural = _("设备消息拒收")
        constraints = [
            models.UniqueConstraint(fields=["device_id", "reason", "day"], name="rejection_once")
        ]

    def __str__(self) -> str:
        return f"{self.device_id} {self.reason} {self.day}: {self.count}"


class CommandStatus(models.TextChoices):
    """A command's way to the device: pending → sent → acked, or failed after retries."""

    PENDING = "pending", _("待发送")
    SENT = "sent", _("已发送")
    ACKED = "acked", _("已确认")
    FAILED = "failed", _("失败")
    CANCELLED = "cancelled", _("已取消")


class DeviceCommand(TimeStampedModel):
    """An instruction to a device (lights on, unlock), sent until the device acknowledges it.

    ``key`` makes issuing idempotent: the same key is the same command.
    """

    scope_fields = {"region": "device__venue__region__code", "venue": "device__venue_id"}

    device = models.ForeignKey(Device, on_delete=models.CASCADE, related_name="commands")
    key = models.CharField(_("幂等键"), max_length=120, unique=True)
    action = models.CharField(_("指令"), max_length=32)
    payload = models.JSONField(_("参数"), default=dict, blank=True)
    status = models.CharField(
        _("状态"), max_length=10, choices=CommandStatus.choices, default=CommandStatus.PENDING
    )
    due_at = models.DateTimeField(_("执行时间"))
    attempts = models.PositiveSmallIntegerField(_("已发送次数"), default=0)
    next_attempt_at = models.DateTimeField(_("下次发送"))
    sent_at = models.DateTimeField(_("最近发送"), null=True, blank=True)
    acked_at = models.DateTimeField(_("确认时间"), null=True, blank=True)
    result = models.JSONField(_("设备回执"), default=dict, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )

    class Meta:
        verbose_name = _("设备指令")
        verbose_name_plural = _("设备指令")
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="command_due")]

    def __str__(self) -> str:
        return f"{self.action} → {self.device_id} ({self.status})"
