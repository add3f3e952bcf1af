"""Users, their memberships (the roles they hold where) and API tokens."""

from __future__ import annotations

import hashlib

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _

from tiyu.core.models import TimeStampedModel


class Role(models.TextChoices):
    """What a membership lets a user do; region roles need a region, venue roles a venue."""

    VENUE_STAFF = "venue_staff", _("场馆员工")
    VENUE_MANAGER = "venue_manager", _("场馆管理员")
    DISTRICT_OFFICIAL = "district_official", _("区县体育局")
    CITY_OFFICIAL = "city_official", _("市体育局")
    PROVINCE_OFFICIAL = "province_official", _("省体育局")
    NATIONAL_OFFICIAL = "national_official", _("国家体育总局")
    ASSOCIATION_STAFF = "association_staff", _("协会工作人员")
    PLATFORM_ADMIN = "platform_admin", _("平台管理员")


VENUE_ROLES = frozenset({Role.VENUE_STAFF, Role.VENUE_MANAGER})
REGION_ROLES = frozenset(
    {
        Role.DISTRICT_OFFICIAL,
        Role.CITY_OFFICIAL,
        Role.PROVINCE_OFFICIAL,
        Role.NATIONAL_OFFICIAL,
        Role.ASSOCIATION_STAFF,
    }
)
OFFICIAL_LEVEL = {
    Role.NATIONAL_OFFICIAL: 0,
    Role.PROVINCE_OFFICIAL: 1,
    Role.CITY_OFFICIAL: 2,
    Role.DISTRICT_OFFICIAL: 3,
}


class User(AbstractUser):
    """A person: a resident by default; memberships add staff or official roles.

    ``phone`` is optional and unique; it is a login name too and is shown masked.
    """

    phone = models.CharField(_("手机号"), max_length=20, unique=True, null=True, blank=True)
    display_name = models.CharField(_("显示名称"), max_length=64, blank=True)

    class Meta:
        verbose_name = _("用户")
        verbose_name_plural = _("用户")

    def __str__(self) -> str:
        return self.display_name or self.username

    @property
    def is_platform_admin(self) -> bool:
        """Superusers and holders of the platform-admin role see everything."""
        if self.is_superuser:
            return True
        return any(m.role == Role.PLATFORM_ADMIN for m in self.memberships.all())

    @property
    def masked_phone(self) -> str:
        """138****5678: the only form of the phone number pages show."""
        return mask_phone(self.phone or "")


def mask_phone(phone: str) -> str:
    """Keep the first three and last four digits."""
    if len(phone) < 7:
        return "*" * len(phone)
    return f"{phone[:3]}{'*' * (len(phone) - 7)}{phone[-4:]}"


class Membership(TimeStampedModel):
    """A role a user holds at one venue or over one region."""

    user = models.ForeignKey(
        User, verbose_name=_("用户"), on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(_("角色"), max_length=32, choices=Role.choices)
    region = models.ForeignKey(
        "regions.Region",
        verbose_name=_("区域"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    venue = models.ForeignKey(
        "venues.Venue",
        verbose_name=_("场馆"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="memberships",
    )

    class Meta:
        verbose_name = _("成员身份")
        verbose_name_plural = _("成员身份")
        constraints = [
            models.CheckConstraint(
                name="membership_region_xor_venue",
                condition=(
                    models.Q(
                        role__in=["venue_staff", "venue_manager"],
                        venue__isnull=False,
                        region__isnull=True,
                    )
                    | models.Q(
                        role__in=sorted(r.value for r in REGION_ROLES),
                        region__isnull=False,
                        venue__isnull=True,
                    )
                    | models.Q(role="platform_admin", region__isnull=True, venue__isnull=True)
                ),
            ),
            models.UniqueConstraint(
                fields=["user", "role", "region", "venue"], name="membership_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_role_display()}"

    @property
    def can_manage(self) -> bool:
        """Managers change their venue's data; staff only run the front desk."""
        return self.role == Role.VENUE_MANAGER


class ApiToken(models.Model):
    """A bearer token for the API; only its SHA-256 is stored."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    digest = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()

    class Meta:
        verbose_name = _("API 令牌")
        verbose_name_plural = _("API 令牌")

    def __str__(self) -> str:
        return f"token {self.pk} for {self.user}"

    @staticmethod
    def digest_of(raw: str) -> str:
        return hashlib.sha256(raw.encode()).hexdigest()
