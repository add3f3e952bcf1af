"""Read-only admin of light zones: zones are saved through ``lighting.services.zone_save``."""

from __future__ import annotations

from django.contrib import admin

from tiyu.core.admin import ReadOnlyAdmin
from tiyu.lighting.models import LightZone


@admin.register(LightZone)
class LightZoneAdmin(ReadOnlyAdmin):
    list_display = ("name", "venue", "controller", "channel", "lead_minutes", "grace_minutes")
    search_fields = ("name", "venue__name")
    raw_id_fields = ("venue", "controller")
