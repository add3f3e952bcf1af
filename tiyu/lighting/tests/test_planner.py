"""The planner: merged intervals, lead and grace, idempotent runs, cancellations, halls."""

from __future__ import annotations

import pytest

from tiyu.booking.models import BookingSlot
from tiyu.booking.services import booking_cancel
from tiyu.core.models import AuditEntry
from tiyu.devices.models import CommandStatus, DeviceCommand
from tiyu.devices.services import device_revoke
from tiyu.lighting.jobs import lights_plan
from tiyu.lighting.services import zone_save
from tiyu.lighting.tests.conftest import at

pytestmark = pytest.mark.django_db


def live(lit, zone):
    return [(c.action, c.due_at) for c in lit.commands(zone) if c.status != CommandStatus.CANCELLED]


def test_back_to_back_slots_are_one_interval_with_lead(lit):
    lit.book(lit.arena.part1, at(1, 18), at(1, 19))
    result = lights_plan(now=at(1, 17, 30))
    assert result.issued == 2 and result.errors == {}
    zone = lit.part1_zone
    assert live(lit, zone) == [("light_on", at(1, 17, 55)), ("light_off", at(1, 20))]
    keys = [c.key for c in lit.commands(zone)]
    assert keys == [
        f"light:{zone.pk}:on:{at(1, 18).astimezone(tz_utc()).strftime('%Y-%m-%dT%H:%M:%SZ')}",
        f"light:{zone.pk}:off:{at(1, 20).astimezone(tz_utc()).strftime('%Y-%m-%dT%H:%M:%SZ')}",
    ]
    on = lit.commands(zone)[0]
    assert on.device_id == lit.controller.pk and on.payload == {"zone": zone.pk, "channel": "1"}
    assert on.created_by is None  # the platform's own job


def tz_utc():
    from datetime import UTC

    return UTC


def test_separate_slots_give_two_intervals_and_grace_delays_the_off(lit):
    court3 = lit.arena.court3
    lit.book(court3, at(1, 18))
    lit.book(court3, at(1, 20))
    lights_plan(now=at(1, 17, 45), horizon_minutes=180)
    assert live(lit, lit.court3_zone) == [
        ("light_on", at(1, 17, 50)),  # lead 10
        ("light_off", at(1, 19, 5)),  # grace 5
        ("light_on", at(1, 19, 50)),
        ("light_off", at(1, 21, 5)),
    ]
    assert live(lit, lit.part1_zone) == []  # nobody booked 1号场


def test_lead_and_grace_that_meet_keep_the_lights_on(lit):
    court3 = lit.arena.court3
    zone_save(
        actor=lit.arena.world.manager,
        venue_id=lit.arena.venue.pk,
        zone_id=lit.court3_zone.pk,
        name="3号场灯组",
        controller_id=lit.controller.pk,
        court_ids=[court3.pk],
        lead_minutes=30,
        grace_minutes=30,
    )
    lit.book(court3, at(1, 18))
    lit.book(court3, at(1, 20))  # one free hour between: off 19:30, on 19:30 -> stay on
    lights_plan(now=at(1, 17, 0), horizon_minutes=240)
    assert live(lit, lit.court3_zone) == [("light_on", at(1, 17, 30)), ("light_off", at(1, 21, 30))]


def test_only_what_starts_within_the_horizon_is_planned(lit):
    lit.book(lit.arena.court3, at(1, 18))
    assert lights_plan(now=at(1, 16, 0)).issued == 0  # on due 17:50, horizon ends 17:00
    assert lights_plan(now=at(1, 16, 51)).issued == 2


def test_running_twice_issues_nothing_new(lit):
    lit.book(lit.arena.part1, at(1, 18), at(1, 19))
    lit.book(lit.arena.court3, at(1, 18))
    first = lights_plan(now=at(1, 17, 30))
    audits = AuditEntry.objects.count()
    commands = DeviceCommand.objects.count()
    again = lights_plan(now=at(1, 17, 30))
    later = lights_plan(now=at(1, 17, 40))
    assert first.issued == 4
    assert (again.issued, again.cancelled, later.issued, later.cancelled) == (0, 0, 0, 0)
    assert DeviceCommand.objects.count() == commands and AuditEntry.objects.count() == audits


def test_a_hold_does_not_light_anything(lit):
    from tiyu.booking.services import SlotChoice, booking_hold

    booking_hold(
        user=lit.arena.world.resident,
        venue_id=lit.arena.venue.pk,
        slots=[SlotChoice(lit.arena.court3.pk, at(1, 18))],
    )
    assert lights_plan(now=at(1, 17, 30)).issued == 0


def test_cancelling_a_booking_cancels_its_unsent_commands(lit):
    booking = lit.book(lit.arena.court3, at(1, 18))
    lights_plan(now=at(1, 17, 0))
    assert len(live(lit, lit.court3_zone)) == 2
    booking_cancel(actor=lit.arena.world.staff, booking=booking, by_venue=True, now=at(1, 17, 10))
    result = lights_plan(now=at(1, 17, 11))
    assert result.cancelled == 2 and result.issued == 0
    assert {c.status for c in lit.commands(lit.court3_zone)} == {CommandStatus.CANCELLED}
    # Booked again at the same time: new commands (a revision of the key), lit again.
    lit.book(lit.arena.court3, at(1, 18))
    lights_plan(now=at(1, 17, 12))
    assert live(lit, lit.court3_zone) == [("light_on", at(1, 17, 50)), ("light_off", at(1, 19, 5))]
    assert all(
        c.key.endswith(":r2") for c in lit.commands(lit.court3_zone) if c.status == "pending"
    )


def test_cancelling_the_second_of_two_slots_moves_the_off(lit):
    booking = lit.book(lit.arena.part1, at(1, 18), at(1, 19))
    lights_plan(now=at(1, 17, 30))
    second = BookingSlot.objects.get(booking=booking, starts_at=at(1, 19))
    booking_cancel(
        actor=lit.arena.world.staff,
        booking=booking,
        slot_ids=[second.pk],
        by_venue=True,
        now=at(1, 17, 40),
    )
    result = lights_plan(now=at(1, 17, 41))
    assert (result.issued, result.cancelled) == (1, 1)
    assert live(lit, lit.part1_zone) == [("light_on", at(1, 17, 55)), ("light_off", at(1, 19))]


def test_a_later_back_to_back_booking_extends_the_interval(lit):
    lit.book(lit.arena.part1, at(1, 18))
    lights_plan(now=at(1, 17, 30))
    lit.book(lit.arena.part1, at(1, 19))
    lights_plan(now=at(1, 18, 10))
    assert live(lit, lit.part1_zone) == [("light_on", at(1, 17, 55)), ("light_off", at(1, 20))]


def test_a_booking_cancelled_after_its_lights_went_on_still_gets_its_off(lit):
    booking = lit.book(lit.arena.court3, at(1, 18))
    lights_plan(now=at(1, 17, 45))
    on = lit.commands(lit.court3_zone)[0]
    lit.ack(on.key, at(1, 17, 50))  # sent and acknowledged: the lights are on
    booking_cancel(actor=lit.arena.world.staff, booking=booking, by_venue=True, now=at(1, 18, 5))
    result = lights_plan(now=at(1, 18, 6))
    assert result.cancelled == 0
    off = lit.commands(lit.court3_zone)[1]
    assert off.action == "light_off" and off.status == CommandStatus.PENDING


def test_a_hall_booking_lights_the_zone_over_its_part(lit):
    lit.book(lit.arena.hall, at(1, 10))
    lights_plan(now=at(1, 9, 30))
    assert live(lit, lit.part1_zone) == [("light_on", at(1, 9, 55)), ("light_off", at(1, 11))]
    assert live(lit, lit.court3_zone) == []


def test_a_part_booking_lights_a_zone_over_the_whole_hall(lit):
    hall_zone = zone_save(
        actor=lit.arena.world.manager,
        venue_id=lit.arena.venue.pk,
        name="主馆顶灯",
        controller_id=lit.controller.pk,
        court_ids=[lit.arena.hall.pk],
        lead_minutes=0,
    )
    lit.book(lit.arena.part2, at(1, 10))
    lights_plan(now=at(1, 9, 30))
    assert live(lit, hall_zone) == [("light_on", at(1, 10)), ("light_off", at(1, 11))]
    assert live(lit, lit.part1_zone) == []  # 2号场 is not under the 1号场 lights


def test_changing_the_lead_moves_unsent_commands(lit):
    lit.book(lit.arena.court3, at(1, 18))
    lights_plan(now=at(1, 17, 0))
    zone_save(
        actor=lit.arena.world.manager,
        venue_id=lit.arena.venue.pk,
        zone_id=lit.court3_zone.pk,
        name="3号场灯组",
        controller_id=lit.controller.pk,
        court_ids=[lit.arena.court3.pk],
        lead_minutes=15,
        grace_minutes=5,
    )
    lights_plan(now=at(1, 17, 1))
    assert live(lit, lit.court3_zone) == [("light_on", at(1, 17, 45)), ("light_off", at(1, 19, 5))]


def test_a_revoked_controller_is_reported_and_other_zones_go_on(lit):
    from tiyu.devices.services import device_register

    other, _s = device_register(
        actor=lit.arena.world.manager,
        venue_id=lit.arena.venue.pk,
        kind="light_controller",
        name="备用灯控",
    )
    zone_save(
        actor=lit.arena.world.manager,
        venue_id=lit.arena.venue.pk,
        zone_id=lit.court3_zone.pk,
        name="3号场灯组",
        controller_id=other.pk,
        court_ids=[lit.arena.court3.pk],
    )
    device_revoke(actor=lit.arena.world.manager, device_id=other.pk)
    lit.book(lit.arena.court3, at(1, 18))
    lit.book(lit.arena.part1, at(1, 18))
    result = lights_plan(now=at(1, 17, 30))
    assert result.errors == {lit.court3_zone.pk: "device_revoked"}
    assert result.issued == 2 and live(lit, lit.court3_zone) == []
    assert len(live(lit, lit.part1_zone)) == 2


def test_an_interval_in_progress_gets_its_on_at_once(lit):
    lit.book(lit.arena.court3, at(1, 18), at(1, 19))
    lights_plan(now=at(1, 18, 30))  # e.g. the zone was created mid-booking
    assert live(lit, lit.court3_zone) == [("light_on", at(1, 17, 50)), ("light_off", at(1, 20, 5))]
    # The next slot boundary does not re-key the chain (its first start stays the key).
    assert lights_plan(now=at(1, 19, 30)).issued == 0


def test_commands_already_due_but_unsent_are_left_to_the_sender(lit):
    booking = lit.book(lit.arena.court3, at(1, 18))
    lights_plan(now=at(1, 17, 45))
    booking_cancel(actor=lit.arena.world.staff, booking=booking, by_venue=True, now=at(1, 17, 46))
    lights_plan(now=at(1, 17, 47))
    # The unsent "on" is withdrawn, and with it the "off" nothing needs any more.
    assert live(lit, lit.court3_zone) == []
