"""Django admin for platform admins; saves go through the services where rules apply."""

from django.contrib import admin

from tiyu.venues.models import (
    Closure,
    Court,
    EquipmentItem,
    MarketPrice,
    OpeningHours,
    Sport,
    Venue,
    VenueDocument,
    VenuePhoto,
)


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
