"""API shapes for venues."""

from __future__ import annotations

from datetime import date, time

from ninja import Schema
from pydantic import Field


class SportOut(Schema):
    code: str
    name: str
    name_en: str


class VenueCard(Schema):
    id: int
    name: str
    kind: str
    kind_label: str
    region_code: str
    region_name: str
    address: str
    lat: float
    lng: float
    star_rating: int
    free_low_cost: bool
    distance_m: float | None = None


class VenueList(Schema):
    count: int | None
    results: list[VenueCard]


class HoursOut(Schema):
    weekday: int
    opens: time
    closes: time


class CourtOut(Schema):
    id: int
    name: str
    parent_id: int | None
    sports: list[str]
    is_indoor: bool
    slot_minutes: int


class EquipmentOut(Schema):
    code: str
    name: str
    status: str


class VenueDetail(VenueCard):
    owner: str
    operator: str
    phone: str
    area_m2: int | None
    year_built: int | None
    description: str
    is_public: bool
    capacity: int | None
    sports: list[SportOut]
    opening_hours: list[HoursOut]
    courts: list[CourtOut]
    photos: list[str]
    equipment: list[EquipmentOut]
    navigation_url: str


class VenueIn(Schema):
    name: str = Field(min_length=1, max_length=100)
    kind: str = Field(max_length=24)
    region_code: str = Field(pattern=r"^\d{6}$")
    address: str = Field(min_length=1, max_length=200)
    lat: float = Field(ge=-90, le=90)
    lng: float = Field(ge=-180, le=180)
    crs: str = Field("wgs84", pattern="^(wgs84|gcj02)$")
    owner: str = Field("", max_length=100)
    operator: str = Field("", max_length=100)
    phone: str = Field("", max_length=32)
    area_m2: int | None = Field(None, ge=0, le=10_000_000)
    year_built: int | None = Field(None, ge=1900, le=2100)
    description: str = Field("", max_length=5000)
    sport_codes: list[str] = Field(default_factory=list, max_length=40)
    star_rating: int = Field(0, ge=0, le=5)
    is_public: bool = True
    free_low_cost: bool = False
    capacity: int | None = Field(None, ge=0, le=1_000_000)
    is_published: bool = True


# --- Prices -------------------------------------------------------------------------


class HolidayOut(Schema):
    date: date
    kind: str
    name: str


class HolidayIn(Schema):
    date: date
    kind: str = Field(pattern="^(holiday|workday)$")
    name: str = Field(min_length=1, max_length=32)


class PriceRuleOut(Schema):
    id: int
    court_id: int
    weekdays: str
    day_type: str
    starts: time
    ends: time
    price_fen: int
    member_price_fen: int | None
    concession_price_fen: int | None
    band: str
    priority: int
    date_from: date | None
    date_to: date | None


class PriceRuleIn(Schema):
    """Prices in fen per slot of the court; ``weekdays`` is a 0/1 mask, Monday first."""

    starts: time
    ends: time
    price_fen: int = Field(ge=0, le=1_000_000)
    weekdays: str = Field("1111111", pattern="^[01]{7}$")
    day_type: str = Field("", pattern="^(|workday|weekend|holiday)$")
    member_price_fen: int | None = Field(None, ge=0, le=1_000_000)
    concession_price_fen: int | None = Field(None, ge=0, le=1_000_000)
    band: str = Field("regular", pattern="^(regular|low_cost|free)$")
    priority: int = Field(0, ge=-1000, le=1000)
    date_from: date | None = None
    date_to: date | None = None


class PriceRulesCopyIn(Schema):
    to_court_ids: list[int] = Field(min_length=1, max_length=200)


class PriceRulesCopyOut(Schema):
    copied: int
