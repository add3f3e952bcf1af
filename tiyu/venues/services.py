"""Venue registry write actions. Every create or change of registry data goes through here."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, time
from typing import IO, Any

from django.core.files import File
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from tiyu.core import audit
from tiyu.core.errors import Conflict, DomainError, NotFound, PermissionDenied, validation_error
from tiyu.core.uploads import check_upload
from tiyu.regions.geo import Crs, point_in_region, to_wgs84
from tiyu.regions.models import Level, Region
from tiyu.regions.scope import get_scoped, region_in_scope, scope_for
from tiyu.venues.config import holidays_changed, venue_config_changed
from tiyu.venues.models import (
    Closure,
    Court,
    DayType,
    DocumentKind,
    EquipmentItem,
    EquipmentStatus,
    Holiday,
    HolidayKind,
    MarketPrice,
    OpeningHours,
    PriceBand,
    PriceRule,
    Sport,
    Venue,
    VenueDocument,
    VenueKind,
    VenuePhoto,
)
from tiyu.venues.pinyin import pinyin_keys

PHOTO_TYPES = {"jpg", "png", "webp"}
DOCUMENT_TYPES = {"pdf", "jpg", "png", "webp"}


@dataclass
class VenueData:
    """The editable fields of a venue, as a form or the API hands them over."""

    name: str
    kind: str
    region_code: str
    address: str
    lat: float
    lng: float
    crs: Crs = "wgs84"
    owner: str = ""
    operator: str = ""
    phone: str = ""
    area_m2: int | None = None
    year_built: int | None = None
    description: str = ""
    sport_codes: list[str] = field(default_factory=list)
    star_rating: int = 0
    is_public: bool = True
    free_low_cost: bool = False
    capacity: int | None = None
    is_published: bool = True


def venue_for_change(*, user: Any, venue_id: int) -> Venue:
    """The venue if ``user`` may change it (its managers, platform admins), else 404.

    Every change to a venue passes here, so its cached booking configuration is
    dropped once the change commits.
    """
    venue = get_scoped(Venue.objects.all(), user, manage=True, pk=venue_id)
    venue_config_changed(venue.pk)
    return venue


def _clean(data: VenueData) -> tuple[Region, float, float, list[Sport]]:
    """Validate a venue's data; return its region, WGS-84 point and sports."""
    name = data.name.strip()
    if not name or len(name) > 100:
        raise validation_error("name", _("请填写名称（最多 100 个字）。"), "name_invalid")
    if data.kind not in VenueKind.values:
        raise validation_error("kind", _("未知的场馆类型。"), "kind_invalid")
    if not (-90 <= data.lat <= 90 and -180 <= data.lng <= 180):
        raise validation_error("lat", _("坐标超出范围。"), "coordinates_out_of_range")
    region = Region.objects.filter(code=data.region_code).first()
    if region is None:
        raise validation_error("region_code", _("未知的行政区划代码。"), "region_unknown")
    if region.level < Level.PREFECTURE or (
        region.level == Level.PREFECTURE and region.children.exists()
    ):
        raise validation_error("region_code", _("请选择到区县一级。"), "region_not_county")
    lat, lng = to_wgs84(data.lat, data.lng, data.crs)
    if not point_in_region(lat, lng, region.code):
        raise validation_error(
            "lat",
            _("坐标不在所选区县（%(name)s）范围内，请检查位置或区县。") % {"name": region.name},
            "coordinates_outside_region",
        )
    if data.year_built is not None and not 1900 <= data.year_built <= date.today().year + 5:
        raise validation_error("year_built", _("建成年份不合理。"), "year_built_invalid")
    for attr, limit in (("area_m2", 10_000_000), ("capacity", 1_000_000)):
        value = getattr(data, attr)
        if value is not None and not 0 <= value <= limit:
            raise validation_error(attr, _("数值超出合理范围。"), f"{attr}_invalid")
    if not 0 <= data.star_rating <= 5:
        raise validation_error("star_rating", _("星级应在 0 到 5 之间。"), "star_rating_invalid")
    sports = list(Sport.objects.filter(code__in=data.sport_codes))
    if len(sports) != len(set(data.sport_codes)):
        raise validation_error("sport_codes", _("包含未知的运动项目。"), "sport_unknown")
    return region, lat, lng, sports


def _apply(venue: Venue, data: VenueData, region: Region, lat: float, lng: float) -> None:
    venue.name = data.name.strip()
    venue.name_pinyin, venue.name_initials = pinyin_keys(venue.name)
    venue.kind = data.kind
    venue.region = region
    venue.lat, venue.lng = lat, lng
    for attr in (
        "address",
        "owner",
        "operator",
        "phone",
        "area_m2",
        "year_built",
        "description",
        "star_rating",
        "is_public",
        "free_low_cost",
        "capacity",
        "is_published",
    ):
        setattr(venue, attr, getattr(data, attr))


@transaction.atomic
def venue_create(*, actor: Any, data: VenueData) -> Venue:
    """Register a venue; platform admins anywhere, officials inside their region."""
    region, lat, lng, sports = _clean(data)
    scope = scope_for(actor)
    if not (scope.everything or region_in_scope(actor, region.code)):
        raise PermissionDenied("venue_create_forbidden", _("您不能在该区域登记场馆。"))
    venue = Venue()
    _apply(venue, data, region, lat, lng)
    venue.save()
    venue.sports.set(sports)
    audit.log("venue.created", actor, venue, {"name": venue.name, "region": region.code})
    return venue


@transaction.atomic
def venue_update(*, actor: Any, venue_id: int, data: VenueData) -> Venue:
    """Change a venue's registry data (its managers and platform admins)."""
    venue = venue_for_change(user=actor, venue_id=venue_id)
    region, lat, lng, sports = _clean(data)
    before = {"name": venue.name, "region": venue.region_id, "lat": venue.lat, "lng": venue.lng}
    _apply(venue, data, region, lat, lng)
    venue.save()
    venue.sports.set(sports)
    audit.log("venue.updated", actor, venue, {"before": before, "name": venue.name})
    return venue


@transaction.atomic
def opening_hours_set(
    *, actor: Any, venue_id: int, periods: list[tuple[int, time, time]]
) -> list[OpeningHours]:
    """Replace the weekly opening hours with ``(weekday, opens, closes)`` periods."""
    venue = venue_for_change(user=actor, venue_id=venue_id)
    for weekday, opens, closes in periods:
        if not 0 <= weekday <= 6:
            raise validation_error("weekday", _("星期应在 0 到 6 之间。"), "weekday_invalid")
        if opens >= closes:
            raise validation_error("closes", _("关门时间必须晚于开门时间。"), "hours_order")
    by_day: dict[int, list[tuple[time, time]]] = {}
    for weekday, opens, closes in sorted(periods):
        day = by_day.setdefault(weekday, [])
        if day and day[-1][1] > opens:
            raise validation_error("opens", _("同一天的开放时段不能重叠。"), "hours_overlap")
        day.append((opens, closes))
    venue.opening_hours.all().delete()
    rows = OpeningHours.objects.bulk_create(
        OpeningHours(venue=venue, weekday=w, opens=o, closes=c) for w, o, c in sorted(periods)
    )
    audit.log("venue.hours_set", actor, venue, {"periods": len(rows)})
    return rows


@transaction.atomic
def closure_add(
    *, actor: Any, venue_id: int, starts_on: date, ends_on: date, reason: str
) -> Closure:
    """Announce a dated closure; the announcement time is kept for compliance."""
    venue = venue_for_change(user=actor, venue_id=venue_id)
    if starts_on > ends_on:
        raise validation_error("ends_on", _("结束日期不能早于开始日期。"), "closure_order")
    if not reason.strip():
        raise validation_error("reason", _("请填写闭馆原因。"), "closure_reason_missing")
    closure = Closure.objects.create(
        venue=venue, starts_on=starts_on, ends_on=ends_on, reason=reason.strip()[:200]
    )
    audit.log("venue.closure_added", actor, closure, {"from": starts_on, "to": ends_on})
    return closure


@transaction.atomic
def court_save(
    *,
    actor: Any,
    venue_id: int,
    name: str,
    sport_codes: list[str],
    court_id: int | None = None,
    parent_id: int | None = None,
    is_indoor: bool = True,
    slot_minutes: int = 60,
    capacity: int = 4,
) -> Court:
    """Create or change a court; a part must belong to a court of the same venue."""
    venue = venue_for_change(user=actor, venue_id=venue_id)
    if not name.strip() or len(name) > 64:
        raise validation_error("name", _("请填写场地名称（最多 64 个字）。"), "name_invalid")
    if slot_minutes not in (30, 60):
        raise validation_error("slot_minutes", _("时段长度只能是 30 或 60 分钟。"), "slot_invalid")
    if not 1 <= capacity <= 10_000:
        raise validation_error("capacity", _("数值超出合理范围。"), "capacity_invalid")
    court = Court(venue=venue) if court_id is None else venue.courts.filter(pk=court_id).first()
    if court is None:
        raise NotFound()
    parent = None
    if parent_id is not None:
        parent = venue.courts.filter(pk=parent_id, parent__isnull=True).first()
        if parent is None or parent.pk == court.pk:
            raise validation_error("parent_id", _("上级场地无效。"), "court_parent_invalid")
    sports = list(Sport.objects.filter(code__in=sport_codes))
    if len(sports) != len(set(sport_codes)):
        raise validation_error("sport_codes", _("包含未知的运动项目。"), "sport_unknown")
    court.name, court.parent = name.strip(), parent
    court.is_indoor, court.slot_minutes, court.capacity = is_indoor, slot_minutes, capacity
    court.save()
    court.sports.set(sports)
    audit.log("court.saved", actor, court, {"venue": venue.pk, "name": court.name})
    return court


@transaction.atomic
def market_price_set(
    *, actor: Any, venue_id: int, sport_code: str, price_fen: int, unit: str = "hour"
) -> MarketPrice:
    """Declare the market price of a sport (the basis of the 70% / 50% price caps).

    A programme venue cannot lower it below what its price rules need: the change
    is refused with the list of rules to lower first.
    """
    venue = venue_for_change(user=actor, venue_id=venue_id)
    _lock_venue(venue)
    sport = Sport.objects.filter(code=sport_code).first()
    if sport is None:
        raise validation_error("sport_code", _("未知的运动项目。"), "sport_unknown")
    if price_fen < 0 or price_fen > 10_000_000:
        raise validation_error("price_fen", _("价格不合理。"), "price_invalid")
    price, _created = MarketPrice.objects.update_or_create(
        venue=venue, sport=sport, unit=unit, defaults={"price_fen": price_fen}
    )
    _check_market_price_keeps_rules(venue)
    audit.log("venue.market_price_set", actor, price, {"sport": sport_code, "fen": price_fen})
    return price


@transaction.atomic
def photo_add(
    *, actor: Any, venue_id: int, upload: IO[bytes], size: int, caption: str = ""
) -> VenuePhoto:
    """Attach a photo (JPEG, PNG or WebP, within the size limit)."""
    venue = venue_for_change(user=actor, venue_id=venue_id)
    check_upload(upload, size=size, allowed=PHOTO_TYPES, field="image")
    photo = VenuePhoto(venue=venue, caption=caption[:100])
    photo.image.save(getattr(upload, "name", "photo"), File(upload), save=True)
    audit.log("venue.photo_added", actor, photo, {"venue": venue.pk})
    return photo


@transaction.atomic
def document_add(
    *, actor: Any, venue_id: int, kind: str, title: str, upload: IO[bytes], size: int
) -> VenueDocument:
    """Attach a registry document (PDF or image) of a known kind."""
    venue = venue_for_change(user=actor, venue_id=venue_id)
    if kind not in DocumentKind.values:
        raise validation_error("kind", _("未知的文件类别。"), "document_kind_invalid")
    if not title.strip():
        raise validation_error("title", _("请填写文件标题。"), "document_title_missing")
    check_upload(upload, size=size, allowed=DOCUMENT_TYPES)
    doc = VenueDocument(venue=venue, kind=kind, title=title.strip()[:100])
    doc.file.save(getattr(upload, "name", "document"), File(upload), save=True)
    audit.log("venue.document_added", actor, doc, {"venue": venue.pk, "kind": kind})
    return doc


@transaction.atomic
def equipment_add(
    *,
    actor: Any,
    venue_id: int,
    name: str,
    model_no: str = "",
    maker: str = "",
    installed_on: date | None = None,
) -> EquipmentItem:
    """Register an equipment item at an outdoor facility; it gets its QR code."""
    venue = venue_for_change(user=actor, venue_id=venue_id)
    if not venue.is_facility:
        raise DomainError("equipment_needs_facility", _("只有户外健身设施可以登记健身器材。"))
    if not name.strip():
        raise validation_error("name", _("请填写器材名称。"), "name_invalid")
    item = EquipmentItem.objects.create(
        venue=venue,
        name=name.strip()[:64],
        model_no=model_no[:64],
        maker=maker[:100],
        installed_on=installed_on,
    )
    audit.log("equipment.added", actor, item, {"venue": venue.pk})
    return item


def _delete_file_after_commit(field_file: Any) -> None:
    """Remove a stored file once the row that pointed to it is gone for good."""
    storage, name = field_file.storage, field_file.name
    if name:
        transaction.on_commit(lambda: storage.delete(name))


@transaction.atomic
def closure_remove(*, actor: Any, venue_id: int, closure_id: int, today: date) -> None:
    """Withdraw a closure that has not started yet; past ones stay on record."""
    venue = venue_for_change(user=actor, venue_id=venue_id)
    closure = venue.closures.filter(pk=closure_id).first()
    if closure is None:
        raise NotFound()
    if closure.starts_on <= today:
        raise DomainError(
            "closure_already_started", _("已开始或已结束的闭馆安排不能撤销，它们需留档备查。")
        )
    audit.log(
        "venue.closure_removed",
        actor,
        closure,
        {"venue": venue.pk, "from": closure.starts_on, "to": closure.ends_on},
    )
    closure.delete()


@transaction.atomic
def photo_remove(*, actor: Any, venue_id: int, photo_id: int) -> None:
    """Delete a venue photo (the file goes after commit)."""
    venue = venue_for_change(user=actor, venue_id=venue_id)
    photo = venue.photos.filter(pk=photo_id).first()
    if photo is None:
        raise NotFound()
    audit.log("venue.photo_removed", actor, photo, {"venue": venue.pk, "file": photo.image.name})
    _delete_file_after_commit(photo.image)
    photo.delete()


@transaction.atomic
def document_remove(*, actor: Any, venue_id: int, document_id: int) -> None:
    """Delete a registry document (the file goes after commit)."""
    venue = venue_for_change(user=actor, venue_id=venue_id)
    doc = venue.documents.filter(pk=document_id).first()
    if doc is None:
        raise NotFound()
    audit.log(
        "venue.document_removed",
        actor,
        doc,
        {"venue": venue.pk, "kind": doc.kind, "title": doc.title},
    )
    _delete_file_after_commit(doc.file)
    doc.delete()


@transaction.atomic
def equipment_status_set(*, actor: Any, venue_id: int, item_id: int, status: str) -> EquipmentItem:
    """Mark an equipment item as working, faulty or retired."""
    venue = venue_for_change(user=actor, venue_id=venue_id)
    item = venue.equipment.filter(pk=item_id).first()
    if item is None:
        raise NotFound()
    if status not in EquipmentStatus.values:
        raise validation_error("status", _("未知的器材状态。"), "equipment_status_invalid")
    before = item.status
    if before != status:
        item.status = status
        item.save(update_fields=["status", "updated_at"])
        audit.log("equipment.status_set", actor, item, {"from": before, "to": status})
    return item


# --- Prices: the holiday calendar, price rules and their compliance caps ----------------

# Caps of the free/low-cost opening programme, in percent of the declared market price.
CAP_REGULAR_PERCENT = 70
CAP_CONCESSION_PERCENT = 50
MAX_SLOT_PRICE_FEN = 1_000_000  # ¥10,000 a slot: anything above is a typo
MAX_PRIORITY = 1000
COPY_MAX_COURTS = 200
MAX_RULES_PER_COURT = 100


def _require_platform_admin(actor: Any) -> None:
    """Only platform admins keep the national holiday calendar."""
    if not scope_for(actor).everything:
        raise PermissionDenied("holiday_forbidden", _("只有平台管理员可以维护节假日日历。"))


@transaction.atomic
def holiday_set(*, actor: Any, date: date, kind: str, name: str) -> Holiday:
    """Mark ``date`` as a public holiday or a make-up workday (platform admins; upsert)."""
    _require_platform_admin(actor)
    if kind not in HolidayKind.values:
        raise validation_error("kind", _("未知的日期类别。"), "holiday_kind_invalid")
    name = name.strip()
    if not name or len(name) > 32:
        raise validation_error("name", _("请填写名称（最多 32 个字）。"), "name_invalid")
    holiday = Holiday.objects.filter(date=date).first()
    before = None if holiday is None else {"kind": holiday.kind, "name": holiday.name}
    holiday = holiday or Holiday(date=date)
    holiday.kind, holiday.name = kind, name
    holiday.save()
    holidays_changed()
    audit.log(
        "holiday.set", actor, holiday, {"date": date, "kind": kind, "name": name, "before": before}
    )
    return holiday


@transaction.atomic
def holiday_remove(*, actor: Any, date: date) -> None:
    """Take ``date`` off the calendar: it prices as its plain weekday again."""
    _require_platform_admin(actor)
    holiday = Holiday.objects.filter(date=date).first()
    if holiday is None:
        raise NotFound("holiday_not_found", _("该日期不在节假日日历中。"))
    holidays_changed()
    audit.log(
        "holiday.removed",
        actor,
        holiday,
        {"date": date, "kind": holiday.kind, "name": holiday.name},
    )
    holiday.delete()


@dataclass
class PriceRuleData:
    """The editable fields of a price rule; prices in fen per slot of the court."""

    starts: time
    ends: time
    price_fen: int
    weekdays: str = "1111111"
    day_type: str = ""
    member_price_fen: int | None = None
    concession_price_fen: int | None = None
    band: str = PriceBand.REGULAR
    priority: int = 0
    date_from: date | None = None
    date_to: date | None = None

    @classmethod
    def of(cls, rule: PriceRule) -> PriceRuleData:
        """The data of an existing rule (to copy it, or to check it again)."""
        return cls(**{f: getattr(rule, f) for f in cls.__dataclass_fields__})


def _fen_text(fen: int) -> str:
    return f"{fen // 100}.{fen % 100:02d}"


def _on_grid(t: time, slot_minutes: int) -> bool:
    return t.second == 0 and t.microsecond == 0 and (t.hour * 60 + t.minute) % slot_minutes == 0


def _check_rule_shape(court: Court, data: PriceRuleData) -> None:
    """Everything about a rule that does not depend on the venue's programme."""
    if len(data.weekdays) != 7 or set(data.weekdays) - {"0", "1"} or "1" not in data.weekdays:
        raise validation_error(
            "weekdays", _("请至少选择一天（七位 0/1，周一在前）。"), "weekdays_invalid"
        )
    if data.day_type not in ("", *DayType.values):
        raise validation_error("day_type", _("未知的日期类型。"), "day_type_invalid")
    if data.band not in PriceBand.values:
        raise validation_error("band", _("未知的时段类别。"), "band_invalid")
    if not -MAX_PRIORITY <= data.priority <= MAX_PRIORITY:
        raise validation_error("priority", _("优先级应在 -1000 到 1000 之间。"), "priority_invalid")
    if data.starts >= data.ends:
        raise validation_error("ends", _("结束时间必须晚于开始时间。"), "rule_time_order")
    for name, value in (("starts", data.starts), ("ends", data.ends)):
        if not _on_grid(value, court.slot_minutes):
            raise validation_error(
                name,
                _("时间须落在该场地 %(m)s 分钟的时段网格上（如 08:00、%(example)s）。")
                % {
                    "m": court.slot_minutes,
                    "example": "08:30" if court.slot_minutes == 30 else "09:00",
                },
                "rule_time_off_grid",
            )
    if data.date_from and data.date_to and data.date_from > data.date_to:
        raise validation_error("date_to", _("截止日期不能早于起始日期。"), "rule_date_order")
    for name, fen in (
        ("price_fen", data.price_fen),
        ("member_price_fen", data.member_price_fen),
        ("concession_price_fen", data.concession_price_fen),
    ):
        if fen is not None and not 0 <= fen <= MAX_SLOT_PRICE_FEN:
            raise validation_error(name, _("价格应在 ¥0 到 ¥10000 之间。"), "price_invalid")
    if data.member_price_fen is not None and data.member_price_fen > data.price_fen:
        raise validation_error(
            "member_price_fen", _("会员价不能高于原价。"), "member_price_above_price"
        )
    if data.concession_price_fen is not None and data.concession_price_fen > data.price_fen:
        raise validation_error(
            "concession_price_fen", _("优待价不能高于原价。"), "concession_price_above_price"
        )
    if data.band == PriceBand.FREE and (
        data.price_fen or data.member_price_fen or data.concession_price_fen
    ):
        raise validation_error("price_fen", _("免费时段的价格必须为 0。"), "free_band_not_free")
    if data.band != PriceBand.FREE and data.price_fen == 0:
        raise validation_error(
            "band", _("价格为 0 的时段请选择“免费时段”。"), "zero_price_not_free"
        )


def court_market_price_fen(court: Court) -> int | None:
    """The declared hourly market price a court's caps are taken from, or None.

    A booking does not name the sport played, so the price must respect the cap of
    every sport of the court that has a declared price: the lowest one counts.
    """
    prices = MarketPrice.objects.filter(
        venue_id=court.venue_id, unit="hour", sport__courts=court
    ).values_list("price_fen", flat=True)
    return min(prices, default=None)


def cap_fen_per_hour(market_fen: int, percent: int) -> int:
    """The cap in fen per hour (rounded down to the fen)."""
    return market_fen * percent // 100


def _over_cap(fen: int, market_fen: int, percent: int, slot_minutes: int) -> bool:
    """Whether a slot price, as a price per hour, exceeds ``percent`` of the market price."""
    return fen * 60 * 100 > market_fen * percent * slot_minutes


def _cap_message(kind: str, percent: int, cap_hour: int, slot_minutes: int) -> str:
    """“价格超过市场价的 70%（上限 ¥42.00/小时）”, with the per-slot cap on 30-minute courts."""
    labels = {
        "price_fen": _("价格"),
        "member_price_fen": _("会员价"),
        "concession_price_fen": _("优待价"),
    }
    text = _("%(what)s超过市场价的 %(pct)s%%（上限 ¥%(cap)s/小时）") % {
        "what": labels[kind],
        "pct": percent,
        "cap": _fen_text(cap_hour),
    }
    if slot_minutes != 60:
        text += str(
            _("，即每 %(m)s 分钟时段 ¥%(slot)s")
            % {"m": slot_minutes, "slot": _fen_text(cap_hour * slot_minutes // 60)}
        )
    return str(text)


def _check_caps(court: Court, data: PriceRuleData, market_fen: int | None) -> None:
    """The caps of the free/low-cost opening programme (only for its venues).

    A free hour is always compliant, with or without a declared market price.
    """
    if not court.venue.free_low_cost or data.band == PriceBand.FREE:
        return
    if market_fen is None:
        sports = "、".join(s.name for s in court.sports.all()) or str(_("未设置"))
        message = _(
            "该场馆参与免费低收费开放，请先在“市场价”中申报该场地运动项目（%(sports)s）的每小时市场价。"
        ) % {"sports": sports}
        raise DomainError("market_price_missing", message, fields={"price_fen": message})
    slot = court.slot_minutes
    for name, fen, percent in (
        ("price_fen", data.price_fen, CAP_REGULAR_PERCENT),
        ("member_price_fen", data.member_price_fen, CAP_REGULAR_PERCENT),
        ("concession_price_fen", data.concession_price_fen, CAP_CONCESSION_PERCENT),
    ):
        if fen is not None and _over_cap(fen, market_fen, percent, slot):
            cap = cap_fen_per_hour(market_fen, percent)
            raise validation_error(
                name, _cap_message(name, percent, cap, slot), name.replace("_fen", "_over_cap")
            )
    if data.concession_price_fen is None and data.price_fen > 0:
        cap = cap_fen_per_hour(market_fen, CAP_CONCESSION_PERCENT)
        raise validation_error(
            "concession_price_fen",
            _(
                "参与免费低收费开放的场馆须设置优待价（老年人、残疾人、学生、军人等），"
                "不高于市场价的 50%%（上限 ¥%(cap)s/小时）。"
            )
            % {"cap": _fen_text(cap)},
            "concession_price_missing",
        )


def _lock_venue(venue: Venue) -> None:
    """Serialise price writes of one venue (a rule checked against a market price being
    lowered at the same moment would slip past its cap)."""
    Venue.objects.select_for_update().filter(pk=venue.pk).values_list("pk", flat=True).first()


def _court_for_pricing(actor: Any, venue_id: int, court_id: int) -> Court:
    """A court of a venue the actor may change, with the venue attached (404 otherwise)."""
    venue = venue_for_change(user=actor, venue_id=venue_id)
    court = venue.courts.filter(pk=court_id).prefetch_related("sports").first()
    if court is None:
        raise NotFound("court_not_found", _("场地不存在。"))
    court.venue = venue
    return court


def _rule_audit(rule: PriceRule) -> dict[str, Any]:
    return {
        "court": rule.court_id,
        "weekdays": rule.weekdays,
        "day_type": rule.day_type,
        "starts": f"{rule.starts:%H:%M}",
        "ends": f"{rule.ends:%H:%M}",
        "fen": rule.price_fen,
        "member_fen": rule.member_price_fen,
        "concession_fen": rule.concession_price_fen,
        "band": rule.band,
        "priority": rule.priority,
        "from": rule.date_from and rule.date_from.isoformat(),
        "to": rule.date_to and rule.date_to.isoformat(),
    }


@transaction.atomic
def price_rule_save(
    *,
    actor: Any,
    venue_id: int,
    court_id: int,
    data: PriceRuleData,
    rule_id: int | None = None,
) -> PriceRule:
    """Create or change a price rule of a court (the venue's managers, platform admins).

    Checked: the weekday mask, times on the court's slot grid, prices and dates in
    order, and for a venue in the free/low-cost programme the 70% / 50% caps.
    """
    court = _court_for_pricing(actor, venue_id, court_id)
    _lock_venue(court.venue)
    rule = PriceRule(court=court)
    if rule_id is not None:
        found = court.price_rules.filter(pk=rule_id).first()
        if found is None:
            raise NotFound("price_rule_not_found", _("价格规则不存在。"))
        rule = found
    _check_rule_shape(court, data)
    _check_caps(court, data, _market_if_capped(court))
    before = None if rule.pk is None else _rule_audit(rule)
    for name in PriceRuleData.__dataclass_fields__:
        setattr(rule, name, getattr(data, name))
    rule.save()
    audit.log("price_rule.saved", actor, rule, {**_rule_audit(rule), "before": before})
    return rule


def _market_if_capped(court: Court) -> int | None:
    """The court's market price when its venue is in the programme (no query otherwise)."""
    return court_market_price_fen(court) if court.venue.free_low_cost else None


@transaction.atomic
def price_rules_set(
    *, actor: Any, venue_id: int, court_id: int, rules: list[PriceRuleData]
) -> list[PriceRule]:
    """Replace every rule of a court by ``rules`` (a whole price list at once).

    Each rule gets the checks of :func:`price_rule_save`; one refusal saves nothing,
    and its message says which rule (counting from 1) was refused.
    """
    court = _court_for_pricing(actor, venue_id, court_id)
    _lock_venue(court.venue)
    if len(rules) > MAX_RULES_PER_COURT:
        raise validation_error(
            "rules",
            _("一个场地最多 %(n)s 条价格规则。") % {"n": MAX_RULES_PER_COURT},
            "too_many_rules",
        )
    market = _market_if_capped(court)
    for number, data in enumerate(rules, start=1):
        try:
            _check_rule_shape(court, data)
            _check_caps(court, data, market)
        except DomainError as error:
            message = _("第 %(n)s 条规则：%(reason)s") % {"n": number, "reason": error.message}
            fields = {name: message for name in error.fields}
            raise DomainError(error.code, message, status=error.status, fields=fields) from error
    court.price_rules.all().delete()
    created = PriceRule.objects.bulk_create(PriceRule(court=court, **vars(d)) for d in rules)
    audit.log("price_rules.set", actor, court, {"rules": len(created)})
    return created


@transaction.atomic
def price_rule_remove(*, actor: Any, venue_id: int, court_id: int, rule_id: int) -> None:
    """Delete a price rule of a court."""
    court = _court_for_pricing(actor, venue_id, court_id)
    rule = court.price_rules.filter(pk=rule_id).first()
    if rule is None:
        raise NotFound("price_rule_not_found", _("价格规则不存在。"))
    audit.log("price_rule.removed", actor, rule, _rule_audit(rule))
    rule.delete()


@transaction.atomic
def price_rules_copy(
    *, actor: Any, venue_id: int, from_court_id: int, to_court_ids: list[int]
) -> int:
    """Replace the rules of other courts of the venue by copies of one court's rules.

    Every copy is checked against its target court (slot grid, the target's market
    price); one refusal copies nothing. Returns the number of rules written.
    """
    source = _court_for_pricing(actor, venue_id, from_court_id)
    _lock_venue(source.venue)
    wanted = sorted(set(to_court_ids) - {source.pk})
    if not wanted or len(wanted) > COPY_MAX_COURTS:
        raise validation_error(
            "to_court_ids", _("请选择要复制到的其他场地。"), "copy_targets_missing"
        )
    targets = list(source.venue.courts.filter(pk__in=wanted).prefetch_related("sports"))
    if len(targets) != len(wanted):
        raise validation_error("to_court_ids", _("包含不属于该场馆的场地。"), "copy_target_invalid")
    rules = [PriceRuleData.of(r) for r in source.price_rules.all()]
    if not rules:
        raise validation_error(
            "from_court_id", _("该场地还没有价格规则可复制。"), "copy_source_empty"
        )
    copies = []
    for target in targets:
        target.venue = source.venue
        market = _market_if_capped(target)
        for data in rules:
            try:
                _check_rule_shape(target, data)
                _check_caps(target, data, market)
            except DomainError as error:
                message = _("复制到“%(court)s”失败：%(reason)s") % {
                    "court": target.name,
                    "reason": error.message,
                }
                raise DomainError(
                    error.code, message, status=error.status, fields={"to_court_ids": message}
                ) from error
            copies.append(PriceRule(court=target, **vars(data)))
    PriceRule.objects.filter(court__in=targets).delete()
    PriceRule.objects.bulk_create(copies)
    for target in targets:
        audit.log(
            "price_rules.copied", actor, target, {"from_court": source.pk, "rules": len(rules)}
        )
    return len(copies)


def market_price_rules_over_cap(venue: Venue) -> list[tuple[PriceRule, str]]:
    """The rules of a programme venue that break a cap under the current market prices,
    each with the reason (used when a market price is lowered)."""
    if not venue.free_low_cost:
        return []
    found = []
    courts = venue.courts.prefetch_related("sports", "price_rules")
    for court in courts:
        court.venue = venue
        market = court_market_price_fen(court)
        if market is None:
            continue
        for rule in court.price_rules.all():
            data = PriceRuleData.of(rule)
            data.concession_price_fen = data.concession_price_fen or 0  # only the caps count
            try:
                _check_caps(court, data, market)
            except DomainError as error:
                found.append((rule, str(error.message)))
    return found


def _check_market_price_keeps_rules(venue: Venue) -> None:
    """Refuse a market price that existing rules exceed, listing them (called after the
    change, inside its transaction, so the refusal rolls it back)."""
    over = market_price_rules_over_cap(venue)
    if not over:
        return
    lines = "；".join(
        f"{rule.court.name} {rule.starts:%H:%M}–{rule.ends:%H:%M} ¥{_fen_text(rule.price_fen)}"
        for rule, _reason in over[:5]
    )
    more = len(over) - 5
    message = _(
        "新的市场价低于 %(n)s 条现有价格规则所需的上限，请先调低这些规则：%(rules)s%(more)s"
    ) % {"n": len(over), "rules": lines, "more": f" …（+{more}）" if more > 0 else ""}
    raise Conflict("market_price_below_rules", message, fields={"price_fen": message})
