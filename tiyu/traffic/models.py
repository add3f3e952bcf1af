"""Foot traffic: raw gate events, visitor-days, and the rollups every figure is read from.

Raw events are facts; :class:`VisitorDay` and :class:`TrafficRollup` are derived
from them and can be rebuilt (``tiyu traffic rebuild``). On PostgreSQL the raw
table is partitioned by month (migration 0001), which is why its unique key
includes ``occurred_at`` and why ``venue_id`` and ``device_id`` are plain
integers rather than foreign keys.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from tiyu.traffic.events import MESSAGE_ID_MAX, PERSON_KEY_MAX, Direction, Method


class GateEvent(models.Model):
    """One passage through a gate, exactly as the device reported it (kept for the retention)."""

    scope_fields = {"venue": "venue_id"}

    id = models.BigAutoField(primary_key=True)
    venue_id = models.BigIntegerField(_("场馆"))
    device_id = models.BigIntegerField(_("设备"))
    message_id = models.CharField(_("消息编号"), max_length=MESSAGE_ID_MAX)
    occurred_at = models.DateTimeField(_("通行时间"))
    received_at = models.DateTimeField(_("接收时间"))
    direction = models.CharField(_("方向"), max_length=3, choices=Direction.choices)
    method = models.CharField(_("识别方式"), max_length=16, choices=Method.choices)
    person_key = models.CharField(_("人员假名"), max_length=PERSON_KEY_MAX, blank=True)

    class Meta:
        verbose_name = _("闸机通行记录")
        verbose_name_plural = _("闸机通行记录")
        constraints = [
            models.UniqueConstraint(
                fields=["device_id", "message_id", "occurred_at"], name="gate_event_once"
            )
        ]
        indexes = [models.Index(fields=["venue_id", "occurred_at"], name="gate_event_venue_time")]

    def __str__(self) -> str:
        return f"{self.venue_id} {self.direction} {self.occurred_at:%Y-%m-%d %H:%M}"


class VisitorDay(models.Model):
    """One person at one venue on one local day: the unit of 人数 (unique visitors)."""

    scope_fields = {"venue": "venue_id"}

    venue_id = models.BigIntegerField(_("场馆"))
    day = models.DateField(_("日期"))
    person_key = models.CharField(_("人员假名"), max_length=PERSON_KEY_MAX + 32)
    first_at = models.DateTimeField(_("首次入场"))

    class Meta:
        verbose_name = _("当日访客")
        verbose_name_plural = _("当日访客")
        constraints = [
            models.UniqueConstraint(
                fields=["venue_id", "day", "person_key"], name="visitor_day_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.venue_id} {self.day}"


class Grain(models.TextChoices):
    """How long a rollup row's period is."""

    HOUR = "hour", _("小时")
    DAY = "day", _("日")
    MONTH = "month", _("月")


class TrafficRollup(models.Model):
    """Entries, exits and unique visitors of one venue or region over one period.

    ``subject`` is ``v<venue id>`` or ``r<region code>``. Visitors are counted per
    day (hour rows carry 0), so they add up across venues, days and regions.
    ``period`` is the local start of the hour, day or month.
    """

    scope_fields = {"region": "region_code", "venue": "venue_id"}

    grain = models.CharField(_("粒度"), max_length=5, choices=Grain.choices)
    subject = models.CharField(_("对象"), max_length=24)
    region_code = models.CharField(_("区划代码"), max_length=6)
    venue_id = models.BigIntegerField(_("场馆"), null=True, blank=True)
    period = models.DateTimeField(_("时段开始"))
    entries = models.BigIntegerField(_("入场人次"), default=0)
    exits = models.BigIntegerField(_("出场人次"), default=0)
    visitors = models.BigIntegerField(_("人数"), default=0)

    class Meta:
        verbose_name = _("客流汇总")
        verbose_name_plural = _("客流汇总")
        constraints = [
            models.UniqueConstraint(fields=["grain", "subject", "period"], name="rollup_once")
        ]
        indexes = [
            models.Index(fields=["grain", "region_code", "period"], name="rollup_region_period")
        ]

    def __str__(self) -> str:
        return f"{self.grain} {self.subject} {self.period:%Y-%m-%d %H:%M}"
