"""Django admin for platform admins; saves go through the services where rules apply."""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from tiyu.regions.scope import scope_for
from tiyu.venues.models import (
    Closure,
    Court,
    EquipmentItem,
    Holiday,
    MarketPrice,
    OpeningHours,
    PriceRule,
    Sport,
    Venue,
    VenueDocument,
    VenuePhoto,
)
from tiyu.venues.services import holiday_remove, holiday_set


class CourtInline(admin.TabularInline):
    model = Court
    extra = 0
    fields = ("name", "parent", "slot_minutes", "is_indoor", "is_active")


class HoursInline(admin.TabularInline):
    model = OpeningHours
    extra = 0


@admin.register(Venue)
class VenueAdmin(admin.ModelAdmin):
    """Registry browsing; coordinates and names are validated by the venue services."""

    list_display = ("name", "kind", "region", "star_rating", "free_low_cost", "is_published")
    list_filter = ("kind", "free_low_cost", "is_public", "is_published")
    search_fields = ("name", "name_initials", "name_pinyin", "address")
    autocomplete_fields = ("region",)
    readonly_fields = ("name_pinyin", "name_initials")
    inlines = [CourtInline, HoursInline]


admin.site.register(Sport)
admin.site.register([Closure, MarketPrice, VenuePhoto, VenueDocument])


@admin.register(EquipmentItem)
class EquipmentAdmin(admin.ModelAdmin):
    list_display = ("name", "venue", "status", "code")
    list_filter = ("status",)
    search_fields = ("name", "code")
    raw_id_fields = ("venue",)


# --- Prices ---------------------------------------------------------------------------


@admin.register(Holiday)
class HolidayAdmin(admin.ModelAdmin):
    """The holiday calendar; every change goes through ``holiday_set`` / ``holiday_remove``."""

    list_display = ("date", "kind", "name")
    list_filter = ("kind",)
    date_hierarchy = "date"
    search_fields = ("name",)

    def _is_platform_admin(self, request: HttpRequest) -> bool:
        return scope_for(request.user).everything

    def has_add_permission(self, request: HttpRequest) -> bool:
        return self._is_platform_admin(request)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._is_platform_admin(request)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._is_platform_admin(request)

    def save_model(self, request: HttpRequest, obj: Holiday, form: Any, change: bool) -> None:
        old_date = form.initial.get("date") if change else None
        if old_date and old_date != obj.date:
            holiday_remove(actor=request.user, date=old_date)
        saved = holiday_set(actor=request.user, date=obj.date, kind=obj.kind, name=obj.name)
        obj.pk = saved.pk

    def delete_model(self, request: HttpRequest, obj: Holiday) -> None:
        holiday_remove(actor=request.user, date=obj.date)

    def delete_queryset(self, request: HttpRequest, queryset: Any) -> None:
        for holiday in queryset:
            holiday_remove(actor=request.user, date=holiday.date)


@admin.register(PriceRule)
class PriceRuleAdmin(admin.ModelAdmin):
    """Read-only browsing: rules are edited in the back office, where the caps are checked."""

    list_display = ("court", "weekdays", "day_type", "starts", "ends", "price_fen", "band")
    list_filter = ("band", "day_type")
    search_fields = ("court__name", "court__venue__name")
    list_select_related = ("court",)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return scope_for(request.user).everything

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
