"""Outbound links about a venue, shared by the API and the resident pages."""

from __future__ import annotations

from urllib.parse import urlencode

from tiyu.venues.models import Venue


def navigation_url(v: Venue) -> str:
    """A link that opens turn-by-turn navigation (AutoNavi URI API, WGS-84 input)."""
    query = urlencode(
        {
            "position": f"{v.lng:.6f},{v.lat:.6f}",
            "name": v.name,
            "coordinate": "wgs84",
            "callnative": 1,
        },
        safe=",",
    )
    return f"https://uri.amap.com/marker?{query}"
