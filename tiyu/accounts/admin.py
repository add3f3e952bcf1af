from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from tiyu.accounts.models import Membership, User


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ("region", "venue")


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    """Users with their memberships inline."""

    inlines = [MembershipInline]
    list_display = ("username", "display_name", "is_active", "is_superuser")
    fieldsets = (*(BaseUserAdmin.fieldsets or ()), ("Tiyu", {"fields": ("phone", "display_name")}))
