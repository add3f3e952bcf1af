"""Courts, hours, a closure and equipment on top of the test world, through the services."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import time, timedelta
from typing import Any

from django.utils import timezone


@dataclass
class Furnished:
    """What :func:`furnish` added, for assertions."""

    hall: Any
    parts: list[Any]
    court: Any
    closure: Any
    bench: Any
    bars: Any


def furnish(world: Any) -> Furnished:
    """Give the Wuhou hall courts, weekly hours and a closure; the Zigong path equipment."""
    from tiyu.venues.models import EquipmentItem, EquipmentStatus
    from tiyu.venues.services import closure_add, court_save, equipment_add, opening_hours_set

    admin, hall_venue, park = world.admin, world.wuhou_hall, world.zigong_park
    hall = court_save(actor=admin, venue_id=hall_venue.pk, name="1号馆", sport_codes=["badminton"])
    parts = [
        court_save(
            actor=admin,
            venue_id=hall_venue.pk,
            name=f"羽毛球{i}号场",
            sport_codes=["badminton"],
            parent_id=hall.pk,
        )
        for i in (1, 2)
    ]
    court = court_save(
        actor=admin, venue_id=hall_venue.pk, name="乒乓球A台", sport_codes=["table_tennis"]
    )
    periods = [(d, time(9), time(12)) for d in range(7)]
    periods += [(d, time(14), time(21, 30)) for d in range(5)]
    opening_hours_set(actor=admin, venue_id=hall_venue.pk, periods=periods)
    start = timezone.localdate() + timedelta(days=10)
    closure = closure_add(
        actor=admin,
        venue_id=hall_venue.pk,
        starts_on=start,
        ends_on=start + timedelta(days=2),
        reason="地板翻新",
    )
    bench = equipment_add(actor=admin, venue_id=park.pk, name="仰卧起坐板", model_no="YW-02")
    bars = equipment_add(actor=admin, venue_id=park.pk, name="双杠")
    # Status changes belong to the repair workflow (upkeep), which is not built yet.
    EquipmentItem.objects.filter(pk=bars.pk).update(status=EquipmentStatus.FAULTY)
    bars.refresh_from_db()
    return Furnished(hall=hall, parts=parts, court=court, closure=closure, bench=bench, bars=bars)
