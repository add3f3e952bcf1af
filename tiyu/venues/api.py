"""``/api/v1/venues``: search, nearest, detail, sports; scoped management endpoints."""

from __future__ import annotations

from datetime import date

from django.http import HttpRequest
from ninja import Query, Router, Schema
from pydantic import Field

from tiyu.accounts.api_auth import require_user
from tiyu.core.idempotency import run_idempotent
from tiyu.venues.links import navigation_url
from tiyu.venues.models import Holiday, PriceRule, Venue
from tiyu.venues.pricing import court_public_get, court_rules, holidays_in_year
from tiyu.venues.schemas import (
    CourtOut,
    EquipmentOut,
    HolidayIn,
    HolidayOut,
    HoursOut,
    PriceRuleIn,
    PriceRuleOut,
    PriceRulesCopyIn,
    PriceRulesCopyOut,
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
from tiyu.venues.services import (
    PriceRuleData,
    VenueData,
    holiday_remove,
    holiday_set,
    price_rule_remove,
    price_rule_save,
    price_rules_copy,
    venue_create,
    venue_update,
)

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


@router.get("/{int:venue_id}", response={200: VenueDetail, **ERRORS}, summary="One venue")
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
    "/{int:venue_id}",
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


# --- Prices: the holiday calendar and price rules ---------------------------------------


def holiday_out(h: Holiday) -> HolidayOut:
    return HolidayOut(date=h.date, kind=h.kind, name=h.name)


@router.get("/holidays", response={200: list[HolidayOut], **ERRORS}, summary="Holiday calendar")
def holidays(request: HttpRequest, year: int = Query(..., ge=2000, le=2100)) -> list[HolidayOut]:
    """Public holidays (``holiday``) and make-up working days (``workday``) of a year."""
    return [holiday_out(h) for h in holidays_in_year(year)]


@router.post(
    "/holidays",
    response={200: HolidayOut, 401: dict, 403: dict, **ERRORS},
    summary="Set a calendar date (platform admins)",
)
def holiday_put(request: HttpRequest, payload: HolidayIn) -> HolidayOut:
    """Upsert by date: sending the same date again changes its kind or name."""
    user = require_user(request)
    return holiday_out(
        holiday_set(actor=user, date=payload.date, kind=payload.kind, name=payload.name)
    )


@router.delete(
    "/holidays/{day}",
    response={204: None, 401: dict, 403: dict, **ERRORS},
    summary="Remove a calendar date (platform admins)",
)
def holiday_delete(request: HttpRequest, day: date) -> tuple[int, None]:
    holiday_remove(actor=require_user(request), date=day)
    return 204, None


def rule_out(r: PriceRule) -> PriceRuleOut:
    return PriceRuleOut(
        id=r.pk,
        court_id=r.court_id,
        weekdays=r.weekdays,
        day_type=r.day_type,
        starts=r.starts,
        ends=r.ends,
        price_fen=r.price_fen,
        member_price_fen=r.member_price_fen,
        concession_price_fen=r.concession_price_fen,
        band=r.band,
        priority=r.priority,
        date_from=r.date_from,
        date_to=r.date_to,
    )


RULES = "/{int:venue_id}/courts/{int:court_id}/price-rules"


@router.get(
    RULES,
    response={200: list[PriceRuleOut], **ERRORS},
    summary="Price rules of a court, in winner order",
)
def price_rules(request: HttpRequest, venue_id: int, court_id: int) -> list[PriceRuleOut]:
    """Public: the first rule that covers a slot (highest priority, newest) prices it."""
    return [rule_out(r) for r in court_rules(court_public_get(venue_id, court_id))]


@router.post(
    RULES,
    response={201: PriceRuleOut, 401: dict, 403: dict, 409: dict, **ERRORS},
    summary="Add a price rule (venue managers)",
)
def price_rule_create(
    request: HttpRequest, venue_id: int, court_id: int, payload: PriceRuleIn
) -> tuple[int, dict]:
    """Honours ``Idempotency-Key``. Programme venues: the 70% / 50% caps apply (400)."""
    user = require_user(request)

    def action() -> tuple[int, dict]:
        rule = price_rule_save(
            actor=user,
            venue_id=venue_id,
            court_id=court_id,
            data=PriceRuleData(**payload.dict()),
        )
        return 201, rule_out(rule).model_dump(mode="json")

    return run_idempotent(
        key=request.headers.get("Idempotency-Key"),
        scope=f"price_rule.create:{venue_id}:{court_id}",
        user=user,
        payload=payload.dict(),
        action=action,
    )


@router.put(
    RULES + "/{int:rule_id}",
    response={200: PriceRuleOut, 401: dict, 403: dict, **ERRORS},
    summary="Change a price rule (venue managers)",
)
def price_rule_update(
    request: HttpRequest, venue_id: int, court_id: int, rule_id: int, payload: PriceRuleIn
) -> PriceRuleOut:
    rule = price_rule_save(
        actor=require_user(request),
        venue_id=venue_id,
        court_id=court_id,
        rule_id=rule_id,
        data=PriceRuleData(**payload.dict()),
    )
    return rule_out(rule)


@router.delete(
    RULES + "/{int:rule_id}",
    response={204: None, 401: dict, 403: dict, **ERRORS},
    summary="Remove a price rule (venue managers)",
)
def price_rule_delete(
    request: HttpRequest, venue_id: int, court_id: int, rule_id: int
) -> tuple[int, None]:
    price_rule_remove(
        actor=require_user(request), venue_id=venue_id, court_id=court_id, rule_id=rule_id
    )
    return 204, None


@router.post(
    RULES + "/copy",
    response={200: PriceRulesCopyOut, 401: dict, 403: dict, **ERRORS},
    summary="Copy a court's rules to other courts of the venue, replacing theirs",
)
def price_rules_copy_to(
    request: HttpRequest, venue_id: int, court_id: int, payload: PriceRulesCopyIn
) -> PriceRulesCopyOut:
    copied = price_rules_copy(
        actor=require_user(request),
        venue_id=venue_id,
        from_court_id=court_id,
        to_court_ids=payload.to_court_ids,
    )
    return PriceRulesCopyOut(copied=copied)
