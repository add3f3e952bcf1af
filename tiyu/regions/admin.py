from django.contrib import admin

from tiyu.regions.models import Region


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
    """The region tree is loaded from data packages; admins only browse it."""

    list_display = ("code", "name", "level", "parent", "lat", "lng")
    list_filter = ("level",)
    search_fields = ("code", "name")
