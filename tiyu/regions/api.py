"""``/api/v1/regions``: browse the GB/T 2260 tree."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Path, Query, Router

from tiyu.regions.models import Region
from tiyu.regions.schemas import RegionOut
from tiyu.regions.selectors import region_children, region_get

router = Router(tags=["regions"])
CODE = r"^\d{6}$"


def _out(r: Region) -> RegionOut:
    return RegionOut(
        code=r.code, name=r.name, level=r.level, parent_code=r.parent_id, lat=r.lat, lng=r.lng
    )


@router.get("", response=list[RegionOut], summary="Children of a region (provinces by default)")
def list_regions(
    request: HttpRequest, parent: str | None = Query(None, pattern=CODE)
) -> list[RegionOut]:
    if parent is not None:
        region_get(parent)
    return [_out(r) for r in region_children(parent)]


@router.get("/{code}", response={200: RegionOut, 404: dict}, summary="One region")
def get_region(request: HttpRequest, code: str = Path(..., pattern=CODE)) -> RegionOut:
    return _out(region_get(code))
