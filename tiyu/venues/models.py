"""Venue registry models.

Outdoor fitness facilities (fitness paths, parks, trails, community courts) are
venues of an outdoor kind, so search, the map and the data scope treat every
place alike; their equipment items hang off them.
"""

from __future__ import annotations

import secrets

from django.db import models
from django.db.models.functions import Cast
from django.utils.translation import gettext_lazy as _

from tiyu.core.models import TimeStampedModel


class VenueKind(models.TextChoices):
    """Venue types of PRODUCT.md; the last four are outdoor facilities."""

    GYMNASIUM = "gymnasium", _("体育馆")
    STADIUM = "stadium", _("体育场")
    NATATORIUM = "natatorium", _("游泳馆")
    FITNESS_CENTRE = "fitness_centre", _("全民健身中心")
    TRAINING_HALL = "training_hall", _("训练馆")
    CLUB = "club", _("社会俱乐部")
    SPORTS_PARK = "sports_park", _("体育公园")
    FITNESS_PATH = "fitness_path", _("健身路径")
    TRAIL = "trail", _("登山步道")
    COMMUNITY_COURT = "community_court", _("社区球场")


OUTDOOR_KINDS = frozenset(
    {VenueKind.SPORTS_PARK, VenueKind.FITNESS_PATH, VenueKind.TRAIL, VenueKind.COMMUNITY_COURT}
)


# Nearest-first search reads a box through an index on (lat cell, lng, lat, is_published):
# one index seek per 0.1-degree band of latitude instead of a scan of the whole band.
LAT_CELLS_PER_DEGREE = 10


def lat_cell() -> Cast:
    """The venue's band of latitude as an integer; the nearest index is built on it."""
    return Cast(models.F("lat") * LAT_CELLS_PER_DEGREE, models.IntegerField())


class Sport(models.Model):
    """A sport a venue or court offers (badminton, swimming, …).

    The code is the primary key: the catalogue is small and stable, and link rows
    that carry the code let a sport filter run without looking the sport up first.
    """

    code = models.SlugField(_("代码"), max_length=32, primary_key=True)
    name = models.CharField(_("名称"), max_length=32)
    name_en = models.CharField(_("英文名称"), max_length=48)
    position = models.PositiveSmallIntegerField(_("排序"), default=0)

    class Meta:
        verbose_name = _("运动项目")
        verbose_name_plural = _("运动项目")
        ordering = ["position", "code"]

    def __str__(self) -> str:
        return self.name


class Venue(TimeStampedModel):
    """A sports venue or an outdoor fitness facility, placed in a county-level region.

    Coordinates are WGS-84 and lie inside ``region`` (checked on write against the
    district polygons). ``name_pinyin`` and ``name_initials`` are derived from the
    name by the service, for pinyin search.
    """

    scope_fields = {"region": "region__code", "venue": "pk"}

    name = models.CharField(_("名称"), max_length=100)
    name_pinyin = models.CharField(max_length=400, editable=False, db_index=True)
    name_initials = models.CharField(max_length=100, editable=False, db_index=True)
    kind = models.CharField(_("类型"), max_length=24, choices=VenueKind.choices)
    region = models.ForeignKey(
        "regions.Region", verbose_name=_("所在区县"), on_delete=models.PROTECT, related_name="+"
    )
    address = models.CharField(_("地址"), max_length=200)
    lat = models.FloatField(_("纬度"))
    lng = models.FloatField(_("经度"))
    owner = models.CharField(_("产权单位"), max_length=100, blank=True)
    operator = models.CharField(_("运营单位"), max_length=100, blank=True)
    phone = models.CharField(_("联系电话"), max_length=32, blank=True)
    area_m2 = models.PositiveIntegerField(_("面积（平方米）"), null=True, blank=True)
    year_built = models.PositiveSmallIntegerField(_("建成年份"), null=True, blank=True)
    description = models.TextField(_("简介"), blank=True)
    sports = models.ManyToManyField(Sport, verbose_name=_("运动项目"), related_name="venues")
    star_rating = models.PositiveSmallIntegerField(_("星级"), default=0)
    is_public = models.BooleanField(_("公共场馆"), default=True)
    free_low_cost = models.BooleanField(_("参与免费低收费开放"), default=False)
    capacity = models.PositiveIntegerField(_("最大容纳人数"), null=True, blank=True)
    is_published = models.BooleanField(_("已发布"), default=True)

    class Meta:
        verbose_name = _("场馆")
        verbose_name_plural = _("场馆")
        indexes = [
            models.Index(fields=["lat", "lng"], name="venue_lat_lng"),
            models.Index(lat_cell(), "lng", "lat", "is_published", "id", name="venue_nearest_cell"),
        ]
        constraints = [
            models.CheckConstraint(
                name="venue_coordinates_valid",
                condition=models.Q(lat__gte=-90, lat__lte=90, lng__gte=-180, lng__lte=180),
            ),
            models.CheckConstraint(
                name="venue_star_rating_0_5", condition=models.Q(star_rating__lte=5)
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_facility(self) -> bool:
        """Outdoor fitness facilities: open access, equipment items, no front desk."""
        return self.kind in OUTDOOR_KINDS


class MarketPrice(models.Model):
    """The market price a free/low-cost venue declares per sport and unit (fen)."""

    scope_fields = {"region": "venue__region__code", "venue": "venue_id"}

    venue = models.ForeignKey(Venue, on_delete=models.CASCADE, related_name="market_prices")
    sport = models.ForeignKey(Sport, verbose_name=_("运动项目"), on_delete=models.PROTECT)
    unit = models.CharField(_("计价单位"), max_length=16, default="hour")
    price_fen = models.PositiveIntegerField(_("市场价（分）"))

    class Meta:
        verbose_name = _("市场价")
        verbose_name_plural = _("市场价")
        constraints = [
            models.UniqueConstraint(fields=["venue", "sport", "unit"], name="market_price_unique")
        ]

    def __str__(self) -> str:
        return f"{self.venue} {self.sport} {self.price_fen}"


class Court(TimeStampedModel):
    """A bookable court; a hall may contain smaller courts (``parent``)."""

    scope_fields = {"region": "venue__region__code", "venue": "venue_id"}

    venue = models.ForeignKey(
        Venue, verbose_name=_("场馆"), on_delete=models.CASCADE, related_name="courts"
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("所属场地"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="parts",
    )
    name = models.CharField(_("名称"), max_length=64)
    sports = models.ManyToManyField(Sport, verbose_name=_("运动项目"), related_name="courts")
    is_indoor = models.BooleanField(_("室内"), default=True)
    slot_minutes = models.PositiveSmallIntegerField(
        _("时段长度（分钟）"), default=60, choices=[(30, "30"), (60, "60")]
    )
    capacity = models.PositiveSmallIntegerField(_("容纳人数"), default=4)
    sort_order = models.PositiveSmallIntegerField(default=0)
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("场地")
        verbose_name_plural = _("场地")
        ordering = ["venue", "sort_order", "id"]

    def __str__(self) -> str:
        return self.name


WEEKDAYS = [
    (0, _("周一")),
    (1, _("周二")),
    (2, _("周三")),
    (3, _("周四")),
    (4, _("周五")),
    (5, _("周六")),
    (6, _("周日")),
]


class OpeningHours(models.Model):
    """One opening period on a weekday (0 = Monday); a day may have several."""

    scope_fields = {"region": "venue__region__code", "venue": "venue_id"}

    venue = models.ForeignKey(Venue, on_delete=models.CASCADE, related_name="opening_hours")
    weekday = models.PositiveSmallIntegerField(
        _("星期"),
        choices=WEEKDAYS,
    )
    opens = models.TimeField(_("开门"))
    closes = models.TimeField(_("关门"))

    class Meta:
        verbose_name = _("开放时间")
        verbose_name_plural = _("开放时间")
        ordering = ["weekday", "opens"]
        constraints = [
            models.CheckConstraint(
                name="opening_hours_order", condition=models.Q(opens__lt=models.F("closes"))
            ),
            models.CheckConstraint(
                name="opening_hours_weekday", condition=models.Q(weekday__lte=6)
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_weekday_display()} {self.opens:%H:%M}-{self.closes:%H:%M}"


class Closure(TimeStampedModel):
    """A dated closure (maintenance, events); ``created_at`` is when it was announced."""

    scope_fields = {"region": "venue__region__code", "venue": "venue_id"}

    venue = models.ForeignKey(Venue, on_delete=models.CASCADE, related_name="closures")
    starts_on = models.DateField(_("开始日期"))
    ends_on = models.DateField(_("结束日期"))
    reason = models.CharField(_("原因"), max_length=200)

    class Meta:
        verbose_name = _("闭馆安排")
        verbose_name_plural = _("闭馆安排")
        ordering = ["starts_on"]
        constraints = [
            models.CheckConstraint(
                name="closure_order", condition=models.Q(starts_on__lte=models.F("ends_on"))
            ),
        ]

    def __str__(self) -> str:
        return f"{self.starts_on}–{self.ends_on} {self.reason}"


class DocumentKind(models.TextChoices):
    """Kinds of venue documents the registry keeps."""

    DRAWING = "drawing", _("设计图纸")
    INSPECTION = "inspection", _("检测报告")
    ACCEPTANCE = "acceptance", _("验收报告")
    INDOOR_MAP = "indoor_map", _("室内地图")


def _upload_path(instance: VenuePhoto | VenueDocument, filename: str) -> str:
    ext = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
    return f"venues/{instance.venue_id}/{secrets.token_hex(8)}.{ext}"


class VenuePhoto(TimeStampedModel):
    """A photo shown on the venue page."""

    scope_fields = {"region": "venue__region__code", "venue": "venue_id"}

    venue = models.ForeignKey(Venue, on_delete=models.CASCADE, related_name="photos")
    image = models.FileField(_("图片"), upload_to=_upload_path)
    caption = models.CharField(_("说明"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("场馆照片")
        verbose_name_plural = _("场馆照片")
        ordering = ["id"]

    def __str__(self) -> str:
        return self.caption or self.image.name or ""


class VenueDocument(TimeStampedModel):
    """A registry document: drawings, inspection and acceptance reports, indoor maps."""

    scope_fields = {"region": "venue__region__code", "venue": "venue_id"}

    venue = models.ForeignKey(Venue, on_delete=models.CASCADE, related_name="documents")
    kind = models.CharField(_("类别"), max_length=16, choices=DocumentKind.choices)
    title = models.CharField(_("标题"), max_length=100)
    file = models.FileField(_("文件"), upload_to=_upload_path)

    class Meta:
        verbose_name = _("场馆文件")
        verbose_name_plural = _("场馆文件")
        ordering = ["kind", "id"]

    def __str__(self) -> str:
        return self.title


def new_equipment_code() -> str:
    """An unguessable public code printed in the item's QR."""
    return secrets.token_urlsafe(9)


class EquipmentStatus(models.TextChoices):
    """Condition of an equipment item."""

    OK = "ok", _("正常")
    FAULTY = "faulty", _("故障")
    RETIRED = "retired", _("已报废")


class EquipmentItem(TimeStampedModel):
    """One piece of outdoor fitness equipment; its QR code opens its public page."""

    scope_fields = {"region": "venue__region__code", "venue": "venue_id"}

    venue = models.ForeignKey(
        Venue, verbose_name=_("健身设施"), on_delete=models.CASCADE, related_name="equipment"
    )
    code = models.CharField(max_length=16, unique=True, default=new_equipment_code, editable=False)
    name = models.CharField(_("名称"), max_length=64)
    model_no = models.CharField(_("型号"), max_length=64, blank=True)
    maker = models.CharField(_("生产厂家"), max_length=100, blank=True)
    installed_on = models.DateField(_("安装日期"), null=True, blank=True)
    status = models.CharField(
        _("状态"), max_length=16, choices=EquipmentStatus.choices, default=EquipmentStatus.OK
    )

    class Meta:
        verbose_name = _("健身器材")
        verbose_name_plural = _("健身器材")
        ordering = ["venue", "id"]

    def __str__(self) -> str:
        return self.name


class HolidayKind(models.TextChoices):
    """A calendar date that departs from the plain weekday/weekend pattern."""

    HOLIDAY = "holiday", _("法定节假日")
    WORKDAY = "workday", _("调休上班日")


class Holiday(models.Model):
    """One date of China's public-holiday calendar, edited by platform admins.

    A ``holiday`` date prices as a holiday whatever its weekday; a ``workday`` is a
    make-up working day (调休) that prices as a weekday even on a weekend.
    """

    date = models.DateField(_("日期"), unique=True)
    kind = models.CharField(_("类别"), max_length=8, choices=HolidayKind.choices)
    name = models.CharField(_("名称"), max_length=32)

    class Meta:
        verbose_name = _("节假日")
        verbose_name_plural = _("节假日")
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.date} {self.name}"


class DayType(models.TextChoices):
    """What kind of day a date is, after the holiday calendar has spoken."""

    WORKDAY = "workday", _("工作日")
    WEEKEND = "weekend", _("周末")
    HOLIDAY = "holiday", _("节假日")


class PriceBand(models.TextChoices):
    """Regular hours, or the free / low-cost hours of the public opening programme."""

    REGULAR = "regular", _("常规时段")
    LOW_COST = "low_cost", _("低收费时段")
    FREE = "free", _("免费时段")


class PriceRule(TimeStampedModel):
    """A price per slot for a court: date range x weekdays x day type x time band.

    The ep3-bs shape: every rule that covers a slot competes and the highest
    ``priority`` wins (the newest rule on a tie). ``weekdays`` is a 7-character
    mask, Monday first ("1111100" = Monday to Friday). Member and concession
    prices are optional; a resident pays the lowest price they qualify for.
    """

    scope_fields = {"region": "court__venue__region__code", "venue": "court__venue_id"}

    court = models.ForeignKey(
        Court, verbose_name=_("场地"), on_delete=models.CASCADE, related_name="price_rules"
    )
    date_from = models.DateField(_("起始日期"), null=True, blank=True)
    date_to = models.DateField(_("截止日期"), null=True, blank=True)
    weekdays = models.CharField(_("适用星期"), max_length=7, default="1111111")
    day_type = models.CharField(
        _("日期类型"), max_length=8, choices=DayType.choices, blank=True, default=""
    )
    starts = models.TimeField(_("开始时间"))
    ends = models.TimeField(_("结束时间"))
    price_fen = models.PositiveIntegerField(_("价格（分/时段）"))
    member_price_fen = models.PositiveIntegerField(_("会员价（分）"), null=True, blank=True)
    concession_price_fen = models.PositiveIntegerField(_("优待价（分）"), null=True, blank=True)
    band = models.CharField(
        _("时段类别"), max_length=8, choices=PriceBand.choices, default=PriceBand.REGULAR
    )
    priority = models.SmallIntegerField(_("优先级"), default=0)

    class Meta:
        verbose_name = _("价格规则")
        verbose_name_plural = _("价格规则")
        ordering = ["court", "-priority", "starts"]
        constraints = [
            models.CheckConstraint(
                name="price_rule_time_order", condition=models.Q(starts__lt=models.F("ends"))
            ),
            models.CheckConstraint(
                name="price_rule_date_order",
                condition=models.Q(date_from__isnull=True)
                | models.Q(date_to__isnull=True)
                | models.Q(date_from__lte=models.F("date_to")),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.court} {self.starts:%H:%M}-{self.ends:%H:%M} {self.price_fen}"
