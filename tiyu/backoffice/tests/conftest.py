"""Helpers for the back-office page tests: signing in as a persona, snapshots of rows."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.forms.models import model_to_dict

from tiyu.core.models import AuditEntry


@pytest.fixture
def as_persona(client: Any, world: Any) -> Any:
    """``as_persona("manager")`` signs the test client in as that persona (or out for None)."""

    def sign_in(name: str | None) -> Any:
        client.logout()
        if name is not None:
            client.force_login(getattr(world, name))
        return client

    return sign_in


def snapshot(obj: Any) -> dict[str, Any]:
    """Every column of a row, fresh from the database, plus its many-to-many codes."""
    fresh = type(obj).objects.get(pk=obj.pk)
    data = model_to_dict(fresh)
    data["updated_at"] = getattr(fresh, "updated_at", None)
    if hasattr(fresh, "sports"):
        data["sports"] = sorted(fresh.sports.values_list("code", flat=True))
    return data


def audit_count() -> int:
    return AuditEntry.objects.count()


def png_bytes(size: int = 16) -> bytes:
    """A real PNG image."""
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (size, size), (200, 30, 30)).save(buffer, "PNG")
    return buffer.getvalue()


def venue_post(venue: Any, **changes: Any) -> dict[str, Any]:
    """The edit form as a browser would send it for ``venue`` unchanged, with ``changes``."""
    data: dict[str, Any] = {
        "name": venue.name,
        "kind": venue.kind,
        "region_code": venue.region_id,
        "address": venue.address,
        "lat": venue.lat,
        "lng": venue.lng,
        "crs": "wgs84",
        "owner": venue.owner,
        "operator": venue.operator,
        "phone": venue.phone,
        "area_m2": venue.area_m2 or "",
        "year_built": venue.year_built or "",
        "capacity": venue.capacity or "",
        "description": venue.description,
        "sport_codes": sorted(venue.sports.values_list("code", flat=True)),
    }
    for flag in ("is_public", "free_low_cost", "is_published"):
        if getattr(venue, flag):
            data[flag] = "on"
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}
