"""``/api/v1/venues``: search, nearest, detail, sports; scoped management endpoints."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Query, Router, Schema
from pydantic import Field

from tiyu.accounts.api_auth import require_user
from tiyu.core.idempotency import run_idempotent
from tiyu.venues.links import navigation_url
from tiyu.venues.models import Venue
from tiyu.venues.schemas import (
    CourtOut,
    EquipmentOut,
    HoursOut,
    SportOut,
    VenueCard,
    VenueDetail,
    VenueIn,
    VenueList,
)
from tiyu.venues.selectors import (
    VenueFilter,
    sports_all,
    venue_public_get,
    venue_scoped_get,
    venues_in_scope,
    venues_nearest,
    venues_search,
)
from tiyu.venues.services import VenueData, venue_create, venue_update

router = Router(tags=["venues"])
ERRORS = {400: dict, 404: dict, 422: dict}


def _distance(v: Venue) -> float | None:
    """The distance the nearest search annotated, rounded to decimetres."""
    distance = getattr(v, "distance_m", None)
    return None if distance is None else round(distance, 1)


def card(v: Venue) -> VenueCard:
    """The list shape of a venue."""
    return VenueCard(
        id=v.pk,
        name=v.name,
        kind=v.kind,
        kind_label=str(v.get_kind_display()),
        region_code=v.region_id,
        region_name=v.region.name,
        address=v.address,
        lat=v.lat,
        lng=v.lng,
        star_rating=v.star_rating,
        free_low_cost=v.free_low_cost,
        distance_m=_distance(v),
    )


class SearchParams(Schema):
    """Query string of the search endpoints."""

    q: str = Field("", max_length=100)
    region: str | None = Field(None, pattern=r"^\d{6}$")
    sport: str | None = Field(None, max_length=32)
    kind: str | None = Field(None, max_length=24)
    lat: float | None = Field(None, ge=-90, le=90)
    lng: float | None = Field(None, ge=-180, le=180)
    limit: int = Field(20, ge=1, le=100)
    offset: int = Field(0, ge=0, le=10_000)

    def to_filter(self) -> VenueFilter:
        return VenueFilter(q=self.q, region_code=self.region, sport=self.sport, kind=self.kind)


@router.get(
    "", response={200: VenueList, **ERRORS}, summary="Search venues (nearest first with lat/lng)"
)
def search(request: HttpRequest, params: Query[SearchParams]) -> VenueList:
    """By name (Chinese, full pinyin or initials), region at any level, sport and type.

    With ``lat`` and ``lng`` the results are nearest first with ``distance_m``.
    """
    f = params.to_filter()
    if params.lat is not None and params.lng is not None:
        rows = venues_nearest(
            f, lat=params.lat, lng=params.lng, limit=params.limit, offset=params.offset
        )
        return VenueList(count=None, results=[card(v) for v in rows])
    total, rows = venues_search(f, limit=params.limit, offset=params.offset)
    return VenueList(count=total, results=[card(v) for v in rows])


@router.get("/sports", response=list[SportOut], summary="All sports")
def sports(request: HttpRequest) -> list[SportOut]:
    return [SportOut(code=s.code, name=s.name, name_en=s.name_en) for s in sports_all()]


@router.get(
    "/managed",
    response={200: VenueList, 401: dict, **ERRORS},
    summary="Venues in my data scope (staff, managers, officials)",
)
def managed(
    request: HttpRequest,
    q: str = Query("", max_length=100),
    region: str | None = Query(None, pattern=r"^\d{6}$"),
    limit: int = Query(50, ge=1, le=200),
    offset: int = Query(0, ge=0, le=100_000),
) -> VenueList:
    user = require_user(request)
    qs = venues_in_scope(user, q=q, region_code=region)
    return VenueList(count=qs.count(), results=[card(v) for v in qs[offset : offset + limit]])


@router.get("/{venue_id}", response={200: VenueDetail, **ERRORS}, summary="One venue")
def detail(request: HttpRequest, venue_id: int) -> VenueDetail:
    v = venue_public_get(venue_id)
    base = card(v)
    return VenueDetail(
        **base.dict(),
        owner=v.owner,
        operator=v.operator,
        phone=v.phone,
        area_m2=v.area_m2,
        year_built=v.year_built,
        description=v.description,
        is_public=v.is_public,
        capacity=v.capacity,
        sports=[SportOut(code=s.code, name=s.name, name_en=s.name_en) for s in v.sports.all()],
        opening_hours=[
            HoursOut(weekday=h.weekday, opens=h.opens, closes=h.closes)
            for h in v.opening_hours.all()
        ],
        courts=[
            CourtOut(
                id=c.pk,
                name=c.name,
                parent_id=c.parent_id,
                sports=[s.code for s in c.sports.all()],
                is_indoor=c.is_indoor,
                slot_minutes=c.slot_minutes,
            )
            for c in v.courts.all()
        ],
        photos=[p.image.url for p in v.photos.all()],
        equipment=[
            EquipmentOut(code=e.code, name=e.name, status=e.status) for e in v.equipment.all()
        ],
        navigation_url=navigation_url(v),
    )


def _data(payload: VenueIn) -> VenueData:
    return VenueData(**payload.dict())


@router.post(
    "",
    response={201: VenueCard, 401: dict, 403: dict, 409: dict, **ERRORS},
    summary="Register a venue (platform admins; officials in their region)",
)
def create(request: HttpRequest, payload: VenueIn) -> tuple[int, dict]:
    """Honours ``Idempotency-Key``: a retry returns the first answer and creates nothing."""
    user = require_user(request)

    def action() -> tuple[int, dict]:
        venue = venue_create(actor=user, data=_data(payload))
        return 201, card(venue).dict()

    return run_idempotent(
        key=request.headers.get("Idempotency-Key"),
        scope="venue.create",
        user=user,
        payload=payload.dict(),
        action=action,
    )


@router.put(
    "/{venue_id}",
    response={200: VenueCard, 401: dict, 403: dict, **ERRORS},
    summary="Change a venue (its managers, platform admins)",
)
def update(request: HttpRequest, venue_id: int, payload: VenueIn) -> VenueCard:
    user = require_user(request)
    return card(venue_update(actor=user, venue_id=venue_id, data=_data(payload)))


@router.get(
    "/managed/{venue_id}",
    response={200: VenueCard, 401: dict, **ERRORS},
    summary="One venue in my data scope",
)
def managed_one(request: HttpRequest, venue_id: int) -> VenueCard:
    return card(venue_scoped_get(require_user(request), venue_id))
