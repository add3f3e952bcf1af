"""Recurring bookings: a club books one court at the same time every week for a term.

Each date becomes its own booking (so check-in, no-shows and cancellation work
per date); dates that clash are skipped and listed; the series is paid as a whole
in one payment and can be cancelled as a whole or one date at a time.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tiyu.booking.desk import _customer, desk_venue
from tiyu.booking.models import Booking, BookingStatus, Channel, Series, SeriesStatus
from tiyu.booking.occupancy import lock_units
from tiyu.booking.services import (
    Plan,
    SlotChoice,
    _confirm,
    _create_held,
    _plan_units,
    booking_cancel,
    plan_slots,
)
from tiyu.booking.timegrid import local_dt
from tiyu.core import audit
from tiyu.core.errors import DomainError, NotFound, validation_error
from tiyu.payments.models import Method, Purpose
from tiyu.payments.services import payment_take_cash, payment_take_stored_value
from tiyu.venues.models import Court

MAX_DATES = 53


@dataclass
class SeriesData:
    """What the desk enters for a club's weekly booking."""

    court_id: int
    title: str
    weekday: int
    starts: time
    ends: time
    first_date: date
    last_date: date
    customer_phone: str
    method: str = Method.CASH


@dataclass
class SeriesResult:
    """The series, the bookings made and the dates skipped with why."""

    series: Series
    bookings: list[Booking] = field(default_factory=list)
    skipped: list[dict[str, str]] = field(default_factory=list)

    @property
    def total_fen(self) -> int:
        return sum(b.total_fen for b in self.bookings)


def series_dates(first: date, last: date, weekday: int) -> list[date]:
    """Every ``weekday`` from ``first`` to ``last``."""
    day = first + timedelta(days=(weekday - first.weekday()) % 7)
    out = []
    while day <= last:
        out.append(day)
        day += timedelta(days=7)
    return out


def _choices(court: Court, day: date, starts: time, ends: time) -> list[SlotChoice]:
    out = []
    moment = local_dt(day, starts)
    end = local_dt(day, ends)
    step = timedelta(minutes=court.slot_minutes)
    while moment + step <= end:
        out.append(SlotChoice(court.pk, moment))
        moment += step
    return out


def _validate(data: SeriesData, court: Court | None) -> Court:
    if court is None:
        raise validation_error("court_id", _("该场地不属于本场馆。"), "court_unknown")
    if not data.title.strip():
        raise validation_error("title", _("请填写名称。"), "title_required")
    if not 0 <= data.weekday <= 6:
        raise validation_error("weekday", _("星期取值 0–6。"), "weekday_invalid")
    if data.ends <= data.starts:
        raise validation_error("ends", _("结束时间必须晚于开始时间。"), "series_time_order")
    if data.last_date < data.first_date:
        raise validation_error("last_date", _("末次日期不能早于首次日期。"), "series_date_order")
    if data.method not in (Method.CASH, Method.STORED_VALUE):
        raise validation_error("method", _("前台只支持现金或一卡通。"), "method_invalid")
    return court


def series_create(
    *, actor: Any, venue_id: int, data: SeriesData, now: datetime | None = None
) -> SeriesResult:
    """Book every date of the term that is free, skip and list the rest, take one payment."""
    now = now or timezone.now()
    venue = desk_venue(actor, venue_id)
    court = _validate(data, Court.objects.filter(venue=venue, pk=data.court_id).first())
    customer = _customer(None, data.customer_phone) if data.customer_phone else None
    if customer is None:
        raise validation_error(
            "customer_phone", _("请填写俱乐部账号的手机号。"), "customer_required"
        )
    dates = series_dates(data.first_date, data.last_date, data.weekday)
    if not dates or len(dates) > MAX_DATES:
        raise validation_error("last_date", _("一个长期预订包含 1–53 次。"), "series_size")
    result = SeriesResult(series=Series())
    plans: list[tuple[date, Plan]] = []
    for day in dates:
        choices = _choices(court, day, data.starts, data.ends)
        try:
            plans.append(
                (
                    day,
                    plan_slots(
                        venue=venue, choices=choices, user=customer, now=now, front_desk=True
                    ),
                )
            )
        except DomainError as exc:
            result.skipped.append({"date": day.isoformat(), "reason": str(exc.message)})
    with transaction.atomic():
        lock_units([u for _, plan in plans for u in _plan_units(plan)], user_id=customer.pk)
        series = Series.objects.create(
            venue=venue,
            court=court,
            user=customer,
            title=data.title.strip()[:100],
            weekday=data.weekday,
            starts=data.starts,
            ends=data.ends,
            first_date=data.first_date,
            last_date=data.last_date,
            created_by=actor,
        )
        result.series = series
        for day, plan in plans:
            try:
                with transaction.atomic():
                    booking = _create_held(
                        plan, user=customer, now=now, channel=Channel.SERIES, actor=actor
                    )
            except DomainError as exc:
                result.skipped.append({"date": day.isoformat(), "reason": str(exc.message)})
                continue
            booking.series = series
            booking.save(update_fields=["series"])
            result.bookings.append(booking)
        if not result.bookings:
            raise DomainError("series_all_taken", _("所有日期都有冲突，未能预订。"), status=409)
        payment = _take_payment(actor, series, customer, result.total_fen, data.method)
        for booking in result.bookings:
            _confirm(booking, payment, actor=actor)
        series.skipped = sorted(result.skipped, key=lambda s: s["date"])
        series.save(update_fields=["skipped"])
        audit.log(
            "series.created",
            actor,
            series,
            {
                "bookings": len(result.bookings),
                "skipped": len(result.skipped),
                "total_fen": result.total_fen,
            },
        )
    result.skipped.sort(key=lambda s: s["date"])
    return result


def _take_payment(actor: Any, series: Series, customer: Any, total: int, method: str) -> Any:
    if total == 0:
        return None
    take = payment_take_cash if method == Method.CASH else payment_take_stored_value
    return take(
        user=customer,
        venue=series.venue,
        purpose=Purpose.BOOKING,
        reference=f"S{series.pk}",
        amount_fen=total,
        actor=actor,
    )


def series_cancel(
    *,
    actor: Any,
    venue_id: int,
    series_id: int,
    on: date | None = None,
    now: datetime | None = None,
) -> Series:
    """Cancel one date (``on``) or every future date of a series; refunds without fee."""
    now = now or timezone.now()
    venue = desk_venue(actor, venue_id)
    series = Series.objects.filter(pk=series_id, venue=venue).first()
    if series is None:
        raise NotFound("series_not_found", _("未找到该长期预订。"))
    bookings = series.bookings.filter(
        status=BookingStatus.CONFIRMED, slots__starts_at__gt=now
    ).distinct()
    if on is not None:
        bookings = bookings.filter(
            slots__starts_at__gte=local_dt(on, time(0)),
            slots__starts_at__lt=local_dt(on, time(0)) + timedelta(days=1),
        )
    targets = list(bookings.order_by("id"))
    if not targets:
        raise DomainError("series_nothing_to_cancel", _("没有可取消的日期。"), status=409)
    with transaction.atomic():
        for booking in targets:
            booking_cancel(
                actor=actor, booking=booking, by_venue=True, reason="series_cancelled", now=now
            )
        if on is None:
            series.status = SeriesStatus.CANCELLED
            series.save(update_fields=["status", "updated_at"])
        audit.log("series.cancelled", actor, series, {"on": on, "bookings": len(targets)})
    return series
