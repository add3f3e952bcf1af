"""Venue registry write actions. Every create or change of registry data goes through here."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, time
from typing import IO, Any

from django.core.files import File
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from tiyu.core import audit
from tiyu.core.errors import DomainError, NotFound, PermissionDenied, validation_error
from tiyu.core.uploads import check_upload
from tiyu.regions.geo import Crs, point_in_region, to_wgs84
from tiyu.regions.models import Level, Region
from tiyu.regions.scope import get_scoped, region_in_scope, scope_for
from tiyu.venues.models import (
    Closure,
    Court,
    DocumentKind,
    EquipmentItem,
    EquipmentStatus,
    MarketPrice,
    OpeningHours,
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
    """The venue if ``user`` may change it (its managers, platform admins), else 404."""
    return get_scoped(Venue.objects.all(), user, manage=True, pk=venue_id)


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
    """Declare the market price of a sport (the basis of the 70% / 50% price caps)."""
    venue = venue_for_change(user=actor, venue_id=venue_id)
    sport = Sport.objects.filter(code=sport_code).first()
    if sport is None:
        raise validation_error("sport_code", _("未知的运动项目。"), "sport_unknown")
    if price_fen < 0 or price_fen > 10_000_000:
        raise validation_error("price_fen", _("价格不合理。"), "price_invalid")
    price, _created = MarketPrice.objects.update_or_create(
        venue=venue, sport=sport, unit=unit, defaults={"price_fen": price_fen}
    )
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
