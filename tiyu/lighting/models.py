"""Lighting: zones of lights over courts, each switched by one channel of a light controller.

The plan (which command goes out when) is not stored here: it lives in the
``devices.DeviceCommand`` rows the planner issues, found again by their keys
(``light:<zone>:…``, docs/lighting.md).
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from tiyu.core.models import TimeStampedModel
from tiyu.devices.models import Device
from tiyu.venues.models import Court, Venue

MAX_LEAD_MINUTES = 60
MAX_GRACE_MINUTES = 60


class LightZone(TimeStampedModel):
    """Lights over some courts of a venue, switched together by one controller channel.

    A zone is lit while any of its courts (or a hall containing one, or a part of
    one) is booked, from ``lead_minutes`` before the start to ``grace_minutes``
    after the end.
    """

    scope_fields = {"region": "venue__region__code", "venue": "venue_id"}

    venue = models.ForeignKey(Venue, on_delete=models.CASCADE, related_name="light_zones")
    controller = models.ForeignKey(
        Device,
        verbose_name=_("灯光控制器"),
        on_delete=models.PROTECT,
        related_name="light_zones",
    )
    name = models.CharField(_("名称"), max_length=64)
    courts = models.ManyToManyField(Court, verbose_name=_("场地"), related_name="light_zones")
    lead_minutes = models.PositiveSmallIntegerField(_("提前开灯（分钟）"), default=5)
    grace_minutes = models.PositiveSmallIntegerField(_("延后关灯（分钟）"), default=0)
    channel = models.CharField(_("回路"), max_length=32, blank=True)

    class Meta:
        verbose_name = _("灯光分区")
        verbose_name_plural = _("灯光分区")
        ordering = ["venue_id", "name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["venue", "name"], name="light_zone_name_once"),
            models.CheckConstraint(
                name="light_zone_lead_range", condition=models.Q(lead_minutes__lte=MAX_LEAD_MINUTES)
            ),
            models.CheckConstraint(
                name="light_zone_grace_range",
                condition=models.Q(grace_minutes__lte=MAX_GRACE_MINUTES),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def key_prefix(self) -> str:
        """Every command of this zone has a key starting with this."""
        return f"light:{self.pk}:"
