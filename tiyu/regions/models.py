"""The GB/T 2260 administrative region tree."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Level(models.IntegerChoices):
    """Depth in the tree; a code's significant prefix has ``2 * level`` digits."""

    NATION = 0, _("国家")
    PROVINCE = 1, _("省级")
    PREFECTURE = 2, _("地级")
    COUNTY = 3, _("县级")


NATION_CODE = "000000"


class Region(models.Model):
    """One administrative division: nation, province, prefecture or county/district.

    ``code`` is the six-digit GB/T 2260 code (the nation is ``000000``). A code's
    significant prefix (``prefix``) is its ancestry, so "everything in Chengdu"
    is ``region_code LIKE '5101%'`` on any table that stores a region code.
    Centres are WGS-84.
    """

    code = models.CharField(_("区划代码"), max_length=6, primary_key=True)
    name = models.CharField(_("名称"), max_length=64)
    level = models.PositiveSmallIntegerField(_("级别"), choices=Level.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("上级"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    lat = models.FloatField(_("中心纬度"), null=True, blank=True)
    lng = models.FloatField(_("中心经度"), null=True, blank=True)

    class Meta:
        verbose_name = _("行政区划")
        verbose_name_plural = _("行政区划")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name

    @property
    def prefix(self) -> str:
        """The significant digits of the code: '' for the nation, '51' for Sichuan."""
        return prefix_of(self.code, self.level)

    def contains_code(self, code: str) -> bool:
        """Whether ``code`` lies in this region (itself included)."""
        return code.startswith(self.prefix)


def prefix_of(code: str, level: int) -> str:
    """The ancestry prefix of a code at a level."""
    return code[: 2 * level]
