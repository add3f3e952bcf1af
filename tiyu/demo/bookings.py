"""Demo bookings at the staff venue, so the grid, "my bookings" and the desk show life.

Everything goes through the booking and payment services. Times are relative to the
moment of seeding (tomorrow evening, today's later slots), so a demo started on any
day looks the same.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django.utils import timezone

from tiyu.accounts.models import User
from tiyu.accounts.services import user_create
from tiyu.booking.desk import BlockData, block_add, walk_in_book
from tiyu.booking.series import SeriesData, series_create
from tiyu.booking.services import SlotChoice, booking_hold, booking_pay
from tiyu.core.errors import DomainError
from tiyu.payments.services import topup_cash
from tiyu.venues.models import Court, Venue

CLUB_PHONE = "13800000002"


def _at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=timezone.get_current_timezone())


def _club(admin: User, password: str) -> User:
    existing = User.objects.filter(phone=CLUB_PHONE).first()
    return existing or user_create(
        username="demo-club",
        password=password,
        phone=CLUB_PHONE,
        display_name="川大羽毛球协会",
        actor=admin,
    )


def seed_bookings(*, admin: User, resident: User, venue: Venue, password: str) -> list[str]:
    """A paid resident booking, a walk-in, a club's weekly series and a block; returns notes."""
    notes: list[str] = []
    now = timezone.now()
    today = timezone.localdate()
    tomorrow = today + timedelta(days=1)
    parts = list(Court.objects.filter(venue=venue, parent__isnull=False, sports="badminton"))
    tables = list(Court.objects.filter(venue=venue, sports="table_tennis").order_by("id"))
    topup_cash(user=resident, venue=venue, amount_fen=30000, actor=admin)
    steps = [
        ("resident booking", lambda: _resident_booking(resident, venue, parts, tomorrow)),
        (
            "walk-in",
            lambda: walk_in_book(
                actor=admin,
                venue_id=venue.pk,
                slots=[SlotChoice(parts[1].pk, _at(tomorrow, 10))],
                method="cash",
                customer_name="王先生",
            ),
        ),
        (
            "club series",
            lambda: series_create(
                actor=admin,
                venue_id=venue.pk,
                data=SeriesData(
                    court_id=parts[2].pk,
                    title="川大羽毛球协会 周三训练",
                    weekday=2,
                    starts=time(19),
                    ends=time(21),
                    first_date=tomorrow,
                    last_date=tomorrow + timedelta(weeks=12),
                    customer_phone=_club(admin, password).phone or "",
                ),
                now=now,
            ),
        ),
        (
            "block",
            lambda: block_add(
                actor=admin,
                venue_id=venue.pk,
                data=BlockData(
                    court_id=tables[0].pk,
                    starts_at=_at(tomorrow, 8),
                    ends_at=_at(tomorrow, 12),
                    kind="maintenance",
                    reason="球台更换台面",
                ),
                now=now,
            ),
        ),
    ]
    for name, step in steps:
        try:
            step()
            notes.append(name)
        except (DomainError, IndexError) as exc:
            notes.append(f"{name} skipped: {exc}")
    return notes


def _resident_booking(resident: User, venue: Venue, parts: list[Court], day: date) -> None:
    booking = booking_hold(
        user=resident,
        venue_id=venue.pk,
        slots=[SlotChoice(parts[0].pk, _at(day, 19)), SlotChoice(parts[0].pk, _at(day, 20))],
    )
    booking_pay(user=resident, number=booking.number, method="stored_value")
