"""Venue reads: public search and nearest-first, and the scoped lists of the back office."""

from __future__ import annotations

import bisect
import math
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.core.cache import cache
from django.db.models import (
    Count,
    Exists,
    FloatField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
)
from django.db.models.expressions import RawSQL
from django.db.models.functions import Substr
from django.utils.translation import gettext_lazy as _

from tiyu.core.errors import NotFound, validation_error
from tiyu.regions.geo import EARTH_RADIUS_M
from tiyu.regions.models import NATION_CODE, Region
from tiyu.regions.scope import get_scoped, restrict, scope_for
from tiyu.regions.selectors import region_children, region_path
from tiyu.venues.models import (
    LAT_CELLS_PER_DEGREE,
    Closure,
    Court,
    EquipmentItem,
    MarketPrice,
    Sport,
    Venue,
    VenueKind,
    lat_cell,
)

# Nearest-first starts with the radius that should hold the rows wanted, from a cached
# count of venues per 0.2-degree cell (and per sport and kind); later boxes follow the
# density found. Without counts it starts at START_RADIUS_M.
START_RADIUS_M = 10_000.0
DENSITY_CELLS_PER_DEGREE = 5
DENSITY_TTL_S = 600
DENSITY_CACHE_KEY = "venues:nearest-density"
# Past this many latitude bands a box is read by the plain lat/lng bounds.
MAX_CELLS = 200


@dataclass(frozen=True)
class VenueFilter:
    """What a resident searches for; every field optional."""

    q: str = ""
    region_code: str | None = None
    sport: str | None = None
    kind: str | None = None


def published_venues() -> QuerySet[Venue]:
    """Venues residents can find (public information, no scope applies)."""
    return Venue.objects.filter(is_published=True)


def check_filter(f: VenueFilter) -> None:
    """A 400 for a sport code that does not exist (asked only when nothing matched)."""
    if f.sport and not Sport.objects.filter(code=f.sport).exists():
        raise validation_error("sport", _("未知的运动项目。"), "sport_unknown")


def _filtered(f: VenueFilter) -> QuerySet[Venue]:
    qs = published_venues()
    if f.region_code:
        region = Region.objects.filter(code=f.region_code).first()
        if region is None:
            raise validation_error("region", _("未知的行政区划代码。"), "region_unknown")
        if region.prefix:
            qs = qs.filter(region__code__startswith=region.prefix)
    if f.kind:
        if f.kind not in VenueKind.values:
            raise validation_error("kind", _("未知的场馆类型。"), "kind_invalid")
        qs = qs.filter(kind=f.kind)
    if f.sport:
        # Link rows carry the sport's code, so no lookup is needed; an unknown code is
        # caught by check_filter when the answer is empty.
        through = Venue.sports.through
        qs = qs.filter(Exists(through.objects.filter(venue_id=OuterRef("pk"), sport_id=f.sport)))
    q = f.q.strip().lower()
    if q:
        qs = qs.filter(
            Q(name__icontains=q)
            | Q(name_pinyin__contains=q.replace(" ", ""))
            | Q(name_initials__contains=q)
            | Q(address__icontains=q)
        )
    return qs


_LAT, _LNG = (f'"{Venue._meta.db_table}"."{c}"' for c in ("lat", "lng"))
HAVERSINE_SQL = (
    f"%s * ASIN(SQRT(POWER(SIN((RADIANS({_LAT}) - %s) / 2), 2)"
    f" + %s * COS(RADIANS({_LAT})) * POWER(SIN((RADIANS({_LNG}) - %s) / 2), 2)))"
)


def haversine_expr(lat: float, lng: float) -> RawSQL:
    """Great-circle distance in metres from a point to each row, as one SQL expression.

    The same text runs on PostgreSQL (native functions) and SQLite (Django registers
    these math functions on every SQLite connection); one node keeps the ORM's
    compile time off the hot path.
    """
    rlat, rlng = math.radians(lat), math.radians(lng)
    return RawSQL(
        HAVERSINE_SQL, (2 * EARTH_RADIUS_M, rlat, math.cos(rlat), rlng), output_field=FloatField()
    )


def _bbox(lat: float, lng: float, radius_m: float) -> Q | None:
    """The smallest lat/lng box holding every point within ``radius_m`` (None: the whole globe).

    It leads with the latitude bands of the index ``venue_nearest_cell``, so the
    database seeks each band's longitude range instead of scanning whole bands. The
    longitude half-width is the exact extent of a spherical cap,
    ``asin(sin(r/R) / cos(lat))``; it spans every longitude when the cap holds a pole.
    """
    angle = radius_m / EARTH_RADIUS_M
    if angle >= math.pi / 2:
        return None
    dlat = math.degrees(angle)
    q = Q(lat__gte=lat - dlat, lat__lte=lat + dlat)
    # The bands the box touches, one either side too: the database's cast may round or
    # truncate, either way it lands in this range. The queryset aliases ``lat_cell``.
    low = math.floor((lat - dlat) * LAT_CELLS_PER_DEGREE) - 1
    high = math.ceil((lat + dlat) * LAT_CELLS_PER_DEGREE) + 1
    if high - low <= MAX_CELLS:
        q &= Q(lat_cell__in=range(low, high + 1))
    ratio = math.sin(angle) / max(math.cos(math.radians(lat)), 1e-12)
    if ratio < 1:
        dlng = math.degrees(math.asin(ratio))
        if lng - dlng >= -180 and lng + dlng <= 180:
            q &= Q(lng__gte=lng - dlng, lng__lte=lng + dlng)
    return q


def check_point(lat: float, lng: float) -> None:
    """Refuse a position outside the globe with a 400."""
    if not (-90 <= lat <= 90 and -180 <= lng <= 180):
        raise validation_error("lat", _("坐标超出范围。"), "coordinates_out_of_range")


@dataclass(frozen=True)
class _Density:
    """Published venues per density cell, in all, per sport code and per kind."""

    cells: dict[tuple[int, int], int]
    total: int
    by_sport: dict[str, int]
    by_kind: dict[str, int]


def _count_density() -> _Density:
    k = DENSITY_CELLS_PER_DEGREE
    cells: dict[tuple[int, int], int] = {}
    for lat, lng in published_venues().values_list("lat", "lng").iterator(chunk_size=5000):
        key = (math.floor(lat * k), math.floor(lng * k))
        cells[key] = cells.get(key, 0) + 1
    through = Venue.sports.through.objects.filter(venue__is_published=True)
    by_sport = dict(through.values_list("sport_id").annotate(n=Count("pk")).order_by())
    by_kind = dict(published_venues().values_list("kind").annotate(n=Count("pk")).order_by())
    return _Density(cells, sum(cells.values()), by_sport, by_kind)


def _density() -> _Density:
    """The cached counts (recounted every ``DENSITY_TTL_S``; only speed depends on them)."""
    density = cache.get(DENSITY_CACHE_KEY)
    if density is None:
        density = _count_density()
        cache.set(DENSITY_CACHE_KEY, density, DENSITY_TTL_S)
    return density


def _start_radius(f: VenueFilter, lat: float, lng: float, want: int) -> float:
    """The radius expected to hold ``want`` matching rows around the point, with a margin."""
    d = _density()
    k = DENSITY_CELLS_PER_DEGREE
    row, col = math.floor(lat * k), math.floor(lng * k)
    near = sum(d.cells.get((row + i, col + j), 0) for i in (-1, 0, 1) for j in (-1, 0, 1))
    if not d.total or not near:
        return START_RADIUS_M
    share = (d.by_sport.get(f.sport, 0) / d.total) if f.sport else 1.0
    share *= (d.by_kind.get(f.kind, 0) / d.total) if f.kind else 1.0
    cell_m = math.pi * EARTH_RADIUS_M / 180 / k
    area = 9 * cell_m * cell_m * max(math.cos(math.radians(lat)), 0.01)
    expected = near * share / area  # matching rows per square metre
    if expected <= 0:
        return START_RADIUS_M
    return min(max(math.sqrt(want / (math.pi * expected)) * 1.2, 500.0), 500_000.0)


def _by_distance(qs: QuerySet[Venue], lat: float, lng: float) -> list[tuple[float, int]]:
    """``(distance in metres, pk)`` of the rows of ``qs``, nearest first, computed in SQL."""
    ordered = qs.annotate(distance_m=haversine_expr(lat, lng)).order_by("distance_m", "pk")
    return [(float(d), pk) for d, pk in ordered.values_list("distance_m", "pk")]


def _next_radius(radius: float, by_distance: list[tuple[float, int]], want: int) -> float:
    """A radius that holds ``want`` rows: exactly, if the last box had them in its corners,
    else estimated from the density of matching rows in the last box."""
    if len(by_distance) >= want:
        return by_distance[want - 1][0] + 1.0  # a metre more: no row on the rounding edge
    if not by_distance:
        return radius * 4
    density = len(by_distance) / (4 * radius * radius)  # rows per square metre of the box
    needed = math.sqrt(want / (math.pi * density)) * 1.4
    return min(max(needed, radius * 1.5), radius * 8)


def venues_nearest(
    f: VenueFilter, *, lat: float, lng: float, limit: int = 20, offset: int = 0
) -> list[Venue]:
    """The nearest matching venues, each with ``distance_m``, exactly ordered.

    The rows in a bounding box (the index ``venue_nearest_cell`` covers it) are
    measured and ordered by the haversine formula in SQL, reading only
    ``(distance, id)``. While the circle the box bounds holds fewer than the rows
    wanted, the box grows (to the distance of the farthest wanted row when its corners
    hold enough, else by the density of matching rows seen); a row outside the circle
    is farther than every row returned. Then the chosen rows are read whole.
    """
    check_point(lat, lng)
    if f.sport and f.sport not in _density().by_sport:
        check_filter(f)  # before growing a box to the whole table for a code nobody has
    base = _filtered(f).alias(lat_cell=lat_cell())
    want = offset + limit
    radius = _start_radius(f, lat, lng, want)
    while True:
        box = _bbox(lat, lng, radius)
        by_distance = _by_distance(base if box is None else base.filter(box), lat, lng)
        if box is None or bisect.bisect_right(by_distance, (radius, math.inf)) >= want:
            chosen = by_distance[offset:want]
            break
        radius = _next_radius(radius, by_distance, want)
    venues = Venue.objects.select_related("region").in_bulk([pk for _d, pk in chosen])
    result = []
    for distance, pk in chosen:
        venue = venues[pk]
        venue.distance_m = distance  # type: ignore[attr-defined]
        result.append(venue)
    return result


def venues_search(f: VenueFilter, *, limit: int = 20, offset: int = 0) -> tuple[int, list[Venue]]:
    """Matching venues by star rating then name, with the total count."""
    qs = _filtered(f).select_related("region").order_by("-star_rating", "name_pinyin", "pk")
    total = qs.count()
    if not total:
        check_filter(f)
    return total, list(qs[offset : offset + limit])


def venue_public_get(venue_id: int) -> Venue:
    """A published venue with everything its page shows, or 404."""
    venue = (
        published_venues()
        .select_related("region", "region__parent")
        .prefetch_related(
            "sports",
            "opening_hours",
            "photos",
            Prefetch(
                "courts", queryset=Court.objects.filter(is_active=True).prefetch_related("sports")
            ),
            "equipment",
        )
        .filter(pk=venue_id)
        .first()
    )
    if venue is None:
        raise NotFound("venue_not_found", _("场馆不存在。"))
    return venue


def venues_in_scope(user: Any, *, q: str = "", region_code: str | None = None) -> QuerySet[Venue]:
    """The venues a staff member or official may see in the back office."""
    qs = restrict(Venue.objects.select_related("region"), user)
    if region_code:
        region = Region.objects.filter(code=region_code).first()
        if region is None:
            raise validation_error("region", _("未知的行政区划代码。"), "region_unknown")
        qs = qs.filter(region__code__startswith=region.prefix)
    if q.strip():
        q = q.strip().lower()
        qs = qs.filter(Q(name__icontains=q) | Q(name_initials__contains=q))
    return qs.order_by("region_id", "name_pinyin")


def venue_scoped_get(user: Any, venue_id: int, *, manage: bool = False) -> Venue:
    """One venue in the user's scope (404 for absent and not-yours alike)."""
    return get_scoped(
        Venue.objects.select_related("region").prefetch_related("sports"),
        user,
        manage=manage,
        pk=venue_id,
    )


def sports_all() -> QuerySet[Sport]:
    """Every sport, in display order."""
    return Sport.objects.all()


def venue_kind_counts() -> list[tuple[str, str, int]]:
    """Published venues per type, most first: ``(kind, label, count)``."""
    labels = dict(VenueKind.choices)
    rows = published_venues().values("kind").annotate(n=Count("pk")).order_by("-n", "kind")
    return [(r["kind"], str(labels.get(r["kind"], r["kind"])), r["n"]) for r in rows]


def venue_closures_ahead(venue: Venue, *, today: date) -> list[Closure]:
    """The venue's dated closures that have not ended yet, soonest first."""
    return list(venue.closures.filter(ends_on__gte=today).order_by("starts_on", "pk"))


def equipment_public_get(code: str) -> EquipmentItem:
    """An equipment item by its QR code, at a published facility, or 404."""
    item = (
        EquipmentItem.objects.select_related("venue", "venue__region", "venue__region__parent")
        .filter(code=code, venue__is_published=True)
        .first()
    )
    if item is None:
        raise NotFound("equipment_not_found", _("器材不存在。"))
    return item


# --- Back office --------------------------------------------------------------


@dataclass(frozen=True)
class RegionCount:
    """A sub-region and how many venues of the user's scope lie in it."""

    region: Region
    count: int


@dataclass
class ScopeOverview:
    """What the back-office dashboard shows: the user's regions, figures and venue list."""

    roots: list[Region]
    region: Region | None
    trail: list[Region]
    total: int
    by_kind: list[tuple[str, str, int]]
    by_subregion: list[RegionCount]
    own_venues: list[Venue]
    managed_ids: frozenset[int]
    venues: QuerySet[Venue]

    @property
    def is_official(self) -> bool:
        """Whether the user oversees at least one region."""
        return bool(self.roots)


def _root_regions(user: Any) -> list[Region]:
    """The regions a user oversees (the nation for platform admins)."""
    scope = scope_for(user)
    codes = [NATION_CODE] if scope.everything else [p.ljust(6, "0") for p in scope.region_prefixes]
    return list(Region.objects.filter(code__in=codes).order_by("code"))


def _selected_region(roots: list[Region], region_code: str | None) -> Region | None:
    """The region asked for, which must lie inside one of ``roots`` (404 otherwise)."""
    if not region_code:
        return roots[0] if len(roots) == 1 else None
    region = Region.objects.select_related("parent").filter(code=region_code).first()
    if region is None or not any(root.contains_code(region.code) for root in roots):
        raise NotFound("region_not_found", _("该区域不存在或不在您的管理范围内。"))
    return region


def _counts_by_kind(qs: QuerySet[Venue]) -> list[tuple[str, str, int]]:
    labels = dict(VenueKind.choices)
    rows = qs.order_by().values("kind").annotate(n=Count("pk")).order_by("-n", "kind")
    return [(r["kind"], str(labels.get(r["kind"], r["kind"])), r["n"]) for r in rows]


def _counts_by_subregion(qs: QuerySet[Venue], subregions: list[Region]) -> list[RegionCount]:
    """Venues per sub-region: one GROUP BY on the code prefix per prefix length."""
    counts: dict[str, int] = {}
    for length in {len(r.prefix) for r in subregions}:
        if length == 0:
            counts[""] = qs.count()
            continue
        rows = (
            qs.order_by()
            .annotate(p=Substr("region_id", 1, length))
            .values("p")
            .annotate(n=Count("pk"))
        )
        counts.update({r["p"]: r["n"] for r in rows})
    return [RegionCount(r, counts.get(r.prefix, 0)) for r in subregions]


def venue_overview(
    user: Any, *, q: str = "", region_code: str | None = None, kind: str | None = None
) -> ScopeOverview:
    """The back-office dashboard of ``user``: figures for a region of theirs and the venue list.

    Officials look at one region of their scope at a time (their own by default):
    its total, counts per type and per child region, and the matching venues.
    Staff and managers get the venues they hold a membership at.
    """
    if kind and kind not in VenueKind.values:
        raise validation_error("kind", _("未知的场馆类型。"), "kind_invalid")
    scope = scope_for(user)
    roots = _root_regions(user)
    region = _selected_region(roots, region_code) if roots else None
    code = region.code if region else None
    stats = venues_in_scope(user, region_code=code)
    if region is not None:
        subregions = list(region_children(region.code))
        trail = [r for r in region_path(region) if any(x.contains_code(r.code) for x in roots)]
    else:
        subregions, trail = roots, []
    venues = venues_in_scope(user, q=q, region_code=code)
    if kind:
        venues = venues.filter(kind=kind)
    own: list[Venue] = []
    if scope.venue_ids:
        own = list(venues_in_scope(user).filter(pk__in=sorted(scope.venue_ids)))
    managed = (
        frozenset(restrict(Venue.objects.all(), user, manage=True).values_list("pk", flat=True))
        if not scope.everything
        else frozenset()
    )
    return ScopeOverview(
        roots=roots,
        region=region,
        trail=trail,
        total=stats.count(),
        by_kind=_counts_by_kind(stats),
        by_subregion=_counts_by_subregion(stats, subregions),
        own_venues=own,
        managed_ids=managed,
        venues=venues,
    )


def venue_dossier(user: Any, venue_id: int, *, manage: bool = False) -> Venue:
    """A venue in the user's scope with everything its back-office page shows, or 404."""
    qs = Venue.objects.select_related("region", "region__parent").prefetch_related(
        "sports",
        "opening_hours",
        "photos",
        "documents",
        "equipment",
        Prefetch(
            "courts", queryset=Court.objects.select_related("parent").prefetch_related("sports")
        ),
        Prefetch("closures", queryset=Closure.objects.order_by("-starts_on", "-pk")),
        Prefetch("market_prices", queryset=MarketPrice.objects.select_related("sport")),
    )
    return get_scoped(qs, user, manage=manage, pk=venue_id)


def venue_can_manage(user: Any, venue_id: int) -> bool:
    """Whether ``user`` may change the venue (its managers and platform admins)."""
    return restrict(Venue.objects.all(), user, manage=True).filter(pk=venue_id).exists()
