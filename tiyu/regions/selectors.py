"""Reads of the region tree (public: region names and centres are not personal data)."""

from __future__ import annotations

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from tiyu.core.errors import NotFound
from tiyu.regions.models import Region


def region_get(code: str) -> Region:
    """One region by code, or a 404 ``region_not_found``."""
    region = Region.objects.filter(code=code).first()
    if region is None:
        raise NotFound("region_not_found", _("未知的行政区划代码。"))
    return region


def region_children(code: str | None) -> QuerySet[Region]:
    """The direct children of a region (the provinces for ``None``)."""
    if code is None:
        return Region.objects.filter(level=1)
    return Region.objects.filter(parent_id=code)


def region_path(region: Region) -> list[Region]:
    """Ancestors from the nation down to ``region`` itself, for breadcrumbs."""
    path: list[Region] = []
    node: Region | None = region
    while node is not None:
        path.append(node)
        node = node.parent
    return list(reversed(path))
