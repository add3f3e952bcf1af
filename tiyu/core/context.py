"""Template context shared by every page."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest


def site(request: HttpRequest) -> dict[str, Any]:
    """Map tile settings and the debug flag for the base template."""
    return {
        "MAP_TILE_URL": settings.MAP_TILE_URL,
        "MAP_TILE_CRS": settings.MAP_TILE_CRS,
        "MAP_TILE_SUBDOMAINS": settings.MAP_TILE_SUBDOMAINS,
    }
