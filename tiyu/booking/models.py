"""Bookings of court slots, the occupancy rows that make double selling impossible,
blocks, recurring series, venue booking policies, members and concessions.

The guarantee (ARCHITECTURE rule 3): every occupied 30-minute unit of a leaf court
is one ``Occupancy`` row with ``UNIQUE(court, starts_at)``. A hall's slot writes
rows for each of its parts, a part's slot for itself, so a hall and its parts
block each other in the database, on SQLite and PostgreSQL alike. A hold's rows
carry its expiry: once past it, the next request may take them over at once.
"""

from __future__ import annotations

import secrets
from datetime import timedelta

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from tiyu.core.models import TimeStampedModel

GRANULE = timedelta(minutes=30)


def default_cancel_tiers() -> list[list[int]]:
    """[hours before start, fee percent]: 24 h or more free, 2–24 h 20 %, under 2 h 50 %."""
    return [[24, 0], [2, 20], [0, 50]]


class BookingPolicy(models.Model):
    """A venue's booking rules; a venue without a row uses the defaults below."""

    scope_fields = {"region": "venue__region__code", "venue": "venue_id"}

    venue = models.OneToOneField(
        "venues.Venue", on_delete=models.CASCADE, related_name="booking_policy"
    )
    hold_minutes = models.PositiveSmallIntegerField(_("锁定时长（分钟）"), default=10)
    advance_days = models.PositiveSmallIntegerField(_("可提前预订天数"), default=7)
    release_hour = models.PositiveSmallIntegerField(_("每日放号时间（时）"), default=8)
    max_active_bookings = models.PositiveSmallIntegerField(_("每人未使用预订上限"), default=4)
    max_hours_per_day = models.PositiveSmallIntegerField(_("每人每天预订小时上限"), default=4)
    cancel_tiers = models.JSONField(_("退订规则"), default=default_cancel_tiers)
    checkin_before_minutes = models.PositiveSmallIntegerField(_("提前核销（分钟）"), default=30)
    no_show_limit = models.PositiveSmallIntegerField(_("爽约次数上限"), default=3)
    no_show_window_days = models.PositiveSmallIntegerField(_("爽约统计天数"), default=30)
    no_show_ban_days = models.PositiveSmallIntegerField(_("爽约停订天数"), default=14)

    class Meta:
        verbose_name = _("预订规则")
        verbose_name_plural = _("预订规则")
        constraints = [
            models.CheckConstraint(
                name="booking_policy_release_hour", condition=models.Q(release_hour__lte=23)
            ),
            models.CheckConstraint(
                name="booking_policy_hold_minutes",
                condition=models.Q(hold_minutes__gte=1, hold_minutes__lte=60),
            ),
        ]

    def __str__(self) -> str:
        return str(self.venue)


class BookingStatus(models.TextChoices):
    """An order of slots: held while paying, then confirmed, or cancelled / expired."""

    HELD = "held", _("待支付")
    CONFIRMED = "confirmed", _("已预订")
    CANCELLED = "cancelled", _("已取消")
    EXPIRED = "expired", _("已过期")


class Channel(models.TextChoices):
    """Where a booking was made."""

    ONLINE = "online", _("线上")
    FRONT_DESK = "front_desk", _("前台")
    SERIES = "series", _("长期预订")


def new_entry_code() -> str:
    """Twelve hex characters (48 random bits): unguessable, easy to read out and type."""
    return secrets.token_hex(7).upper()[:12]


def new_booking_number() -> str:
    """A human-friendly booking number."""
    return "B" + secrets.token_hex(6).upper()


class Booking(TimeStampedModel):
    """An order of one or more court slots at one venue, by one resident.

    ``cancel_tiers`` is the venue's cancellation policy copied when the booking
    was made, so a later policy change never alters what the resident agreed to.
    """

    scope_fields = {"region": "venue__region__code", "venue": "venue_id"}

    number = models.CharField(_("订单号"), max_length=16, unique=True, default=new_booking_number)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="bookings"
    )
    venue = models.ForeignKey("venues.Venue", on_delete=models.PROTECT, related_name="bookings")
    status = models.CharField(
        _("状态"), max_length=16, choices=BookingStatus.choices, default=BookingStatus.HELD
    )
    channel = models.CharField(
        _("渠道"), max_length=16, choices=Channel.choices, default=Channel.ONLINE
    )
    hold_expires_at = models.DateTimeField(_("锁定截止"), null=True, blank=True)
    total_fen = models.PositiveIntegerField(_("金额（分）"), default=0)
    refunded_fen = models.PositiveIntegerField(_("已退款（分）"), default=0)
    payment = models.ForeignKey(
        "payments.Payment",
        verbose_name=_("支付"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    entry_code = models.CharField(
        _("入场码"), max_length=12, unique=True, default=new_entry_code, editable=False
    )
    cancel_tiers = models.JSONField(_("退订规则"), default=list)
    series = models.ForeignKey(
        "booking.Series", null=True, blank=True, on_delete=models.PROTECT, related_name="bookings"
    )
    customer_name = models.CharField(_("客户"), max_length=50, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("预订")
        verbose_name_plural = _("预订")
        ordering = ["-id"]
        indexes = [
            models.Index(fields=["user", "status"], name="booking_user_status"),
            models.Index(fields=["status", "hold_expires_at"], name="booking_hold_expiry"),
        ]
        constraints = [
            models.CheckConstraint(
                name="booking_refund_within_total",
                condition=models.Q(refunded_fen__lte=models.F("total_fen")),
            ),
        ]

    def __str__(self) -> str:
        return self.number


class SlotStatus(models.TextChoices):
    """One court slot of a booking."""

    HELD = "held", _("待支付")
    CONFIRMED = "confirmed", _("待使用")
    CHECKED_IN = "checked_in", _("已核销")
    NO_SHOW = "no_show", _("爽约")
    CANCELLED = "cancelled", _("已取消")
    EXPIRED = "expired", _("已过期")


LIVE_SLOT_STATUSES = (SlotStatus.HELD, SlotStatus.CONFIRMED, SlotStatus.CHECKED_IN)


class BookingSlot(models.Model):
    """One court for one time slot within a booking, at the price charged for it."""

    scope_fields = {"region": "booking__venue__region__code", "venue": "booking__venue_id"}

    booking = models.ForeignKey(Booking, on_delete=models.CASCADE, related_name="slots")
    court = models.ForeignKey("venues.Court", on_delete=models.PROTECT, related_name="+")
    starts_at = models.DateTimeField(_("开始"))
    ends_at = models.DateTimeField(_("结束"))
    price_fen = models.PositiveIntegerField(_("价格（分）"))
    band = models.CharField(_("时段类别"), max_length=8, default="regular")
    status = models.CharField(
        _("状态"), max_length=16, choices=SlotStatus.choices, default=SlotStatus.HELD
    )
    checked_in_at = models.DateTimeField(_("核销时间"), null=True, blank=True)
    checked_in_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    refund_fen = models.PositiveIntegerField(_("退款（分）"), default=0)
    cancelled_at = models.DateTimeField(_("取消时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("预订时段")
        verbose_name_plural = _("预订时段")
        ordering = ["starts_at", "court_id"]
        indexes = [
            models.Index(fields=["court", "starts_at"], name="booking_slot_court_start"),
            models.Index(fields=["status", "ends_at"], name="booking_slot_status_end"),
        ]
        constraints = [
            models.CheckConstraint(
                name="booking_slot_time_order",
                condition=models.Q(starts_at__lt=models.F("ends_at")),
            ),
            models.CheckConstraint(
                name="booking_slot_refund_within_price",
                condition=models.Q(refund_fen__lte=models.F("price_fen")),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.court_id}@{self.starts_at:%Y-%m-%d %H:%M}"


class BlockKind(models.TextChoices):
    """Why staff took slots off sale."""

    MAINTENANCE = "maintenance", _("维护")
    EVENT = "event", _("活动")


class Block(TimeStampedModel):
    """Slots of a court taken off sale by staff (maintenance, an event)."""

    scope_fields = {"region": "venue__region__code", "venue": "venue_id"}

    venue = models.ForeignKey("venues.Venue", on_delete=models.CASCADE, related_name="blocks")
    court = models.ForeignKey("venues.Court", on_delete=models.CASCADE, related_name="+")
    starts_at = models.DateTimeField(_("开始"))
    ends_at = models.DateTimeField(_("结束"))
    kind = models.CharField(_("类别"), max_length=16, choices=BlockKind.choices)
    reason = models.CharField(_("说明"), max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("场地占用")
        verbose_name_plural = _("场地占用")
        ordering = ["starts_at"]
        constraints = [
            models.CheckConstraint(
                name="block_time_order", condition=models.Q(starts_at__lt=models.F("ends_at"))
            ),
        ]

    def __str__(self) -> str:
        return f"{self.court_id} {self.starts_at:%Y-%m-%d %H:%M} {self.reason}"


class Occupancy(models.Model):
    """One occupied 30-minute unit of a leaf court: by a booking slot or by a block.

    ``hold_expires_at`` is set while the slot is only held; a row whose expiry has
    passed is free for the taking by the next request, before any job runs.
    """

    court = models.ForeignKey("venues.Court", on_delete=models.CASCADE, related_name="+")
    starts_at = models.DateTimeField()
    slot = models.ForeignKey(
        BookingSlot, null=True, blank=True, on_delete=models.CASCADE, related_name="occupancy"
    )
    block = models.ForeignKey(
        Block, null=True, blank=True, on_delete=models.CASCADE, related_name="occupancy"
    )
    hold_expires_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("占用单元")
        verbose_name_plural = _("占用单元")
        constraints = [
            models.UniqueConstraint(fields=["court", "starts_at"], name="occupancy_once"),
            models.CheckConstraint(
                name="occupancy_one_owner",
                condition=(models.Q(slot__isnull=False) & models.Q(block__isnull=True))
                | (models.Q(slot__isnull=True) & models.Q(block__isnull=False)),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.court_id}@{self.starts_at:%Y-%m-%d %H:%M}"


class SeriesStatus(models.TextChoices):
    """A recurring booking is active until cancelled as a whole."""

    ACTIVE = "active", _("进行中")
    CANCELLED = "cancelled", _("已取消")


class Series(TimeStampedModel):
    """A club's weekly booking of one court for a term; each date is its own booking."""

    scope_fields = {"region": "venue__region__code", "venue": "venue_id"}

    venue = models.ForeignKey("venues.Venue", on_delete=models.PROTECT, related_name="series")
    court = models.ForeignKey("venues.Court", on_delete=models.PROTECT, related_name="+")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="booking_series"
    )
    title = models.CharField(_("名称"), max_length=100)
    weekday = models.PositiveSmallIntegerField(_("星期"))
    starts = models.TimeField(_("开始时间"))
    ends = models.TimeField(_("结束时间"))
    first_date = models.DateField(_("首次日期"))
    last_date = models.DateField(_("末次日期"))
    status = models.CharField(
        _("状态"), max_length=16, choices=SeriesStatus.choices, default=SeriesStatus.ACTIVE
    )
    skipped = models.JSONField(_("冲突跳过的日期"), default=list)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("长期预订")
        verbose_name_plural = _("长期预订")
        ordering = ["-id"]
        constraints = [
            models.CheckConstraint(
                name="series_date_order", condition=models.Q(first_date__lte=models.F("last_date"))
            ),
            models.CheckConstraint(
                name="series_time_order", condition=models.Q(starts__lt=models.F("ends"))
            ),
        ]

    def __str__(self) -> str:
        return self.title


class VenueMember(TimeStampedModel):
    """A resident's membership of a venue, which unlocks member prices until it lapses."""

    scope_fields = {"region": "venue__region__code", "venue": "venue_id"}

    venue = models.ForeignKey("venues.Venue", on_delete=models.CASCADE, related_name="members")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="venue_memberships"
    )
    valid_until = models.DateField(_("有效期至"))

    class Meta:
        verbose_name = _("场馆会员")
        verbose_name_plural = _("场馆会员")
        constraints = [models.UniqueConstraint(fields=["venue", "user"], name="venue_member_once")]

    def __str__(self) -> str:
        return f"{self.user} @ {self.venue}"


class ConcessionGroup(models.TextChoices):
    """Groups the free/low-cost programme prices at no more than half the market price."""

    ELDERLY = "elderly", _("老年人")
    DISABLED = "disabled", _("残疾人")
    STUDENT = "student", _("学生")
    MILITARY = "military", _("军人")


class Concession(TimeStampedModel):
    """A concession group a resident belongs to, verified by venue staff from papers."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="concessions"
    )
    group = models.CharField(_("优待类别"), max_length=16, choices=ConcessionGroup.choices)
    valid_until = models.DateField(_("有效期至"))
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("优待资格")
        verbose_name_plural = _("优待资格")
        constraints = [models.UniqueConstraint(fields=["user", "group"], name="concession_once")]

    def __str__(self) -> str:
        return f"{self.user} {self.group}"
