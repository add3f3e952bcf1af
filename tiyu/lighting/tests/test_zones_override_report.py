"""Zones (validation, scope), overrides (who may, nothing changed on refusal), and the
lit-vs-booked report (lit hours from acknowledgements, clipped at day boundaries)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tiyu.core.errors import DomainError
from tiyu.core.models import AuditEntry
from tiyu.devices.models import DeviceCommand
from tiyu.devices.services import device_register
from tiyu.lighting.jobs import lights_plan
from tiyu.lighting.models import LightZone
from tiyu.lighting.selectors import lighting_report, zone_states
from tiyu.lighting.services import light_override, zone_save
from tiyu.lighting.tests.conftest import TODAY, at
from tiyu.venues.models import Court

pytestmark = pytest.mark.django_db


def snapshot():
    return (
        LightZone.objects.count(),
        DeviceCommand.objects.count(),
        AuditEntry.objects.count(),
        sorted(LightZone.objects.values_list("name", "lead_minutes", "controller_id")),
    )


def save(lit, actor=None, **changes):
    values = {
        "actor": actor or lit.arena.world.manager,
        "venue_id": lit.arena.venue.pk,
        "name": "新灯组",
        "controller_id": lit.controller.pk,
        "court_ids": [lit.arena.part2.pk],
    }
    values.update(changes)
    return zone_save(**values)


def test_zone_save_creates_and_updates_with_an_audit(lit):
    zone = save(lit, lead_minutes=7)
    assert list(zone.courts.all()) == [lit.arena.part2] and zone.lead_minutes == 7
    assert AuditEntry.objects.filter(
        action="lighting.zone_created", object_id=str(zone.pk)
    ).exists()
    save(lit, zone_id=zone.pk, name="2号场灯组", court_ids=[lit.arena.part2.pk, lit.arena.hall.pk])
    zone.refresh_from_db()
    assert zone.name == "2号场灯组" and zone.courts.count() == 2
    assert AuditEntry.objects.filter(action="lighting.zone_updated").count() == 1


@pytest.mark.parametrize(
    ("changes", "code"),
    [
        ({"name": " "}, "required"),
        ({"name": "1号场灯组"}, "name_taken"),
        ({"court_ids": []}, "courts_required"),
        ({"lead_minutes": 61}, "minutes_invalid"),
        ({"grace_minutes": -1}, "minutes_invalid"),
        ({"channel": "x" * 33}, "too_long"),
    ],
)
def test_zone_save_refusals_change_nothing(lit, changes, code):
    before = snapshot()
    with pytest.raises(DomainError) as err:
        save(lit, **changes)
    assert err.value.code == code and err.value.status == 400
    assert snapshot() == before


def test_courts_and_controller_must_be_the_venues(lit):
    world = lit.arena.world
    other_court = Court.objects.create(venue=world.shapingba_gym, name="外馆场地")
    gate, _s = device_register(
        actor=world.manager, venue_id=lit.arena.venue.pk, kind="gate", name="闸机"
    )
    elsewhere, _s = device_register(
        actor=world.admin, venue_id=world.shapingba_gym.pk, kind="light_controller", name="外馆"
    )
    before = snapshot()
    for changes, code in [
        ({"court_ids": [other_court.pk]}, "court_invalid"),
        ({"controller_id": gate.pk}, "controller_invalid"),
        ({"controller_id": elsewhere.pk}, "controller_invalid"),
    ]:
        with pytest.raises(DomainError) as err:
            save(lit, **changes)
        assert err.value.code == code
    assert snapshot() == before


@pytest.mark.parametrize("who", ["staff", "wuhou_official", "resident", "chongqing_official"])
def test_only_managers_save_zones(lit, who):
    before = snapshot()
    with pytest.raises(DomainError) as err:
        save(lit, actor=getattr(lit.arena.world, who), zone_id=lit.part1_zone.pk, lead_minutes=0)
    assert err.value.status == 404
    assert snapshot() == before


def test_staff_switch_lights_now_and_until(lit):
    staff = lit.arena.world.staff
    now = at(1, 9)
    command = light_override(actor=staff, zone_id=lit.court3_zone.pk, on=True, now=now)
    assert command.action == "light_on" and command.due_at == now
    assert command.key.startswith(f"light:{lit.court3_zone.pk}:manual:")
    entry = AuditEntry.objects.get(action="lighting.override")
    assert entry.actor_id == staff.pk and entry.data["key"] == command.key
    # On until 10:00 with no booking then: an "off" waits at 10:00.
    light_override(actor=staff, zone_id=lit.court3_zone.pk, on=True, until=at(1, 10), now=now)
    end = DeviceCommand.objects.get(key__endswith=":end")
    assert (end.action, end.due_at) == ("light_off", at(1, 10))
    # Off until 18:30 while 18:00-19:00 is booked: back on at 18:30.
    lit.book(lit.arena.court3, at(1, 18))
    light_override(actor=staff, zone_id=lit.court3_zone.pk, on=False, until=at(1, 18, 30), now=now)
    back = DeviceCommand.objects.filter(key__endswith=":end").order_by("-id").first()
    assert (back.action, back.due_at) == ("light_on", at(1, 18, 30))


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("resident", 404),
        ("chongqing_official", 404),
        ("wuhou_official", 403),
        ("chengdu_official", 403),
    ],
)
def test_override_refused_changes_nothing(lit, who, status):
    before = snapshot()
    with pytest.raises(DomainError) as err:
        light_override(actor=getattr(lit.arena.world, who), zone_id=lit.part1_zone.pk, on=True)
    assert err.value.status == status
    assert snapshot() == before


def test_staff_of_another_venue_get_404_and_nothing_changes(lit):
    from tiyu.accounts.models import Role
    from tiyu.accounts.services import membership_grant, user_create

    other = user_create(username="pool_staff", password="x-2026-long-pass", display_name="p")
    membership_grant(user=other, role=Role.VENUE_STAFF, venue=lit.arena.world.jinjiang_pool)
    before = snapshot()
    with pytest.raises(DomainError) as err:
        light_override(actor=other, zone_id=lit.part1_zone.pk, on=True)
    assert err.value.status == 404
    assert snapshot() == before


def test_override_until_must_be_within_a_day(lit):
    before = snapshot()
    for until in (at(1, 8), at(2, 10)):
        with pytest.raises(DomainError) as err:
            light_override(
                actor=lit.arena.world.manager,
                zone_id=lit.part1_zone.pk,
                on=True,
                until=until,
                now=at(1, 9),
            )
        assert err.value.code == "until_invalid"
    assert snapshot() == before


def figures(report, zone, day):
    row = next(z for z in report.zones if z.zone.pk == zone.pk)
    d = next(d for d in row.days if d.day == day)
    return d.booked, d.lit, d.lit_unbooked


def test_report_lit_hours_come_from_acks(lit):
    zone = lit.court3_zone
    lit.book(lit.arena.court3, at(1, 18), at(1, 19))
    lights_plan(now=at(1, 17, 30))
    on, off = lit.commands(zone)
    lit.ack(on.key, at(1, 17, 51))
    # Not acknowledged: the report does not count the lights as off.
    report = lighting_report(
        lit.arena.world.manager,
        lit.arena.venue.pk,
        start=TODAY,
        end=TODAY + timedelta(1),
        now=at(1, 21),
    )
    assert figures(report, zone, TODAY + timedelta(1)) == (2.0, 3.15, 1.15)
    lit.ack(off.key, at(1, 20, 6))
    report = lighting_report(
        lit.arena.world.manager,
        lit.arena.venue.pk,
        start=TODAY,
        end=TODAY + timedelta(1),
        now=at(1, 21),
    )
    # 17:51-20:06 lit = 2.25 h, booked 18-20 = 2 h, lit without booking 0.25 h (9 + 6 minutes).
    assert figures(report, zone, TODAY + timedelta(1)) == (2.0, 2.25, 0.25)
    assert figures(report, zone, TODAY) == (0, 0, 0)
    assert figures(report, lit.part1_zone, TODAY + timedelta(1)) == (0, 0, 0)
    assert report.days[1].lit == 2.25 and report.booked == 2.0


def test_report_clips_at_local_midnight_and_ignores_failed_acks(lit):
    zone = lit.part1_zone
    staff = lit.arena.world.staff
    on = light_override(actor=staff, zone_id=zone.pk, on=True, now=at(1, 22))
    lit.ack(on.key, at(1, 22))
    off = light_override(actor=staff, zone_id=zone.pk, on=False, now=at(2, 1, 30))
    lit.ack(off.key, at(2, 1, 30), ok=False)  # the controller failed: still lit
    off2 = light_override(actor=staff, zone_id=zone.pk, on=False, now=at(2, 2))
    lit.ack(off2.key, at(2, 2))
    report = lighting_report(
        staff,
        lit.arena.venue.pk,
        start=TODAY + timedelta(1),
        end=TODAY + timedelta(2),
        now=at(3, 0),
    )
    assert figures(report, zone, TODAY + timedelta(1)) == (0, 2.0, 2.0)
    assert figures(report, zone, TODAY + timedelta(2)) == (0, 2.0, 2.0)
    # A range starting inside the lit period starts lit.
    later = lighting_report(
        staff,
        lit.arena.venue.pk,
        start=TODAY + timedelta(2),
        end=TODAY + timedelta(2),
        now=at(3, 0),
    )
    assert figures(later, zone, TODAY + timedelta(2)) == (0, 2.0, 2.0)


def test_report_counts_a_hall_booking_once_for_a_zone_over_two_parts(lit):
    zone = save(lit, name="两块场", court_ids=[lit.arena.part1.pk, lit.arena.part2.pk])
    lit.book(lit.arena.hall, at(1, 10))
    lit.book(lit.arena.part2, at(1, 11))
    report = lighting_report(
        lit.arena.world.wuhou_official,
        lit.arena.venue.pk,
        start=TODAY + timedelta(1),
        end=TODAY + timedelta(1),
        now=at(1, 23),
    )
    assert figures(report, zone, TODAY + timedelta(1)) == (2.0, 0, 0)


def test_report_range_and_scope(lit):
    manager = lit.arena.world.manager
    for start, end, code in [
        (TODAY, TODAY - timedelta(1), "range_invalid"),
        (TODAY, TODAY + timedelta(93), "range_too_long"),
    ]:
        with pytest.raises(DomainError) as err:
            lighting_report(manager, lit.arena.venue.pk, start=start, end=end)
        assert err.value.code == code
    with pytest.raises(DomainError) as err:
        lighting_report(
            lit.arena.world.chongqing_official, lit.arena.venue.pk, start=TODAY, end=TODAY
        )
    assert err.value.status == 404


def test_zone_state_is_the_last_acknowledged_command(lit):
    zone = lit.court3_zone
    manager = lit.arena.world.manager

    def state():
        return next(s for s in zone_states(manager, lit.arena.venue.pk) if s.zone.pk == zone.pk)

    assert state().lit is None
    on = light_override(actor=manager, zone_id=zone.pk, on=True, now=at(1, 9))
    assert state().lit is None and [c.pk for c in state().upcoming] == [on.pk]
    lit.ack(on.key, at(1, 9, 1))
    assert state().lit is True and state().since == at(1, 9, 1)
