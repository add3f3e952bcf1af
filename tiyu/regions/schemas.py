"""API shapes for regions."""

from __future__ import annotations

from ninja import Schema


class RegionOut(Schema):
    code: str
    name: str
    level: int
    parent_code: str | None
    lat: float | None
    lng: float | None
