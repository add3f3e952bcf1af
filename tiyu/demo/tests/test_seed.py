"""The demo seed on the real GB/T 2260 tree: deterministic, in place, complete, idempotent."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from typing import Any

import pytest
from django.db import transaction
from django.test import RequestFactory

from tiyu.accounts.models import Membership, Role, User
from tiyu.accounts.services import login_check
from tiyu.core.models import AuditEntry
from tiyu.demo.places import demo_districts
from tiyu.demo.plans import STAFF_VENUE
from tiyu.demo.seed import DEMO_LOGINS, DEMO_PASSWORD, GRANTS, RANDOM_VENUES, demo_plans, seed_demo
from tiyu.regions.geo import point_in_region
from tiyu.venues.models import (
    OUTDOOR_KINDS,
    Court,
    EquipmentItem,
    MarketPrice,
    OpeningHours,
    Sport,
    Venue,
    VenueKind,
)

pytestmark = pytest.mark.django_db
SCALE = 0.05


def digest() -> str:
    """A fingerprint of everything the seed decides (not ids, not random QR codes)."""
    rows = []
    for v in Venue.objects.order_by("name").prefetch_related(
        "sports",
        "courts__sports",
        "courts__parent",
        "opening_hours",
        "market_prices__sport",
        "equipment",
    ):
        rows.append(
            [
                v.name,
                v.kind,
                v.region_id,
                v.lat,
                v.lng,
                v.address,
                v.owner,
                v.operator,
                v.phone,
                v.area_m2,
                v.year_built,
                v.star_rating,
                v.is_public,
                v.free_low_cost,
                sorted(s.code for s in v.sports.all()),
                sorted(
                    (
                        c.name,
                        c.parent.name if c.parent else "",
                        c.slot_minutes,
                        sorted(s.code for s in c.sports.all()),
                    )
                    for c in v.courts.all()
                ),
                [str(h) for h in v.opening_hours.all()],
                sorted((p.sport.code, p.price_fen) for p in v.market_prices.all()),
                sorted(
                    (e.name, e.model_no, e.maker, str(e.installed_on)) for e in v.equipment.all()
                ),
            ]
        )
    rows.append(
        sorted(Membership.objects.values_list("user__username", "role", "region_id", "venue__name"))
    )
    return hashlib.sha256(json.dumps(rows, ensure_ascii=False).encode()).hexdigest()


@pytest.fixture(scope="module")
def seeded(django_db_setup: Any, django_db_blocker: Any) -> Iterator[str]:
    """The real region tree and a small demo seed, once for the module, rolled back after."""
    from tiyu.regions.loader import load_regions, rows_from_packages
    from tiyu.venues.sports import seed_sports

    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            seed_sports(Sport)
            load_regions(rows_from_packages())
            assert seed_demo(scale=SCALE) is True
            yield digest()
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


def test_size_and_provinces(seeded: str) -> None:
    venues = Venue.objects.all()
    assert venues.count() == round(RANDOM_VENUES * SCALE) + 5
    assert all(code.startswith(("51", "50")) for code in venues.values_list("region_id", flat=True))
    assert venues.filter(region__code__startswith="50").exists()
    assert venues.filter(region__code__startswith="5101").count() > venues.count() // 5
    for name in (
        "成都市体育中心",
        "四川省体育馆",
        "东安湖体育公园",
        "重庆奥林匹克体育中心",
        "重庆市游泳馆",
    ):
        assert venues.filter(name=name).exists()


def test_every_venue_lies_in_its_district(seeded: str) -> None:
    for name, code, lat, lng in Venue.objects.values_list("name", "region_id", "lat", "lng"):
        assert point_in_region(lat, lng, code), (name, code, lat, lng)
    famous = dict(
        Venue.objects.filter(
            name__in=[
                "成都市体育中心",
                "四川省体育馆",
                "东安湖体育公园",
                "重庆奥林匹克体育中心",
                "重庆市游泳馆",
            ]
        ).values_list("name", "region_id")
    )
    assert famous == {
        "成都市体育中心": "510105",
        "四川省体育馆": "510107",
        "东安湖体育公园": "510112",
        "重庆奥林匹克体育中心": "500107",
        "重庆市游泳馆": "500103",
    }


def test_equipment_only_at_outdoor_facilities(seeded: str) -> None:
    items = EquipmentItem.objects.all()
    assert items.count() > 100
    assert not items.exclude(venue__kind__in=OUTDOOR_KINDS).exists()
    paths = Venue.objects.filter(kind=VenueKind.FITNESS_PATH)
    assert paths.exists()
    assert all(p.equipment.count() >= 8 for p in paths)
    assert not items.filter(maker="").exists()
    assert not items.filter(installed_on__isnull=True).exists()


def test_courts_match_sports_and_halls_have_parts(seeded: str) -> None:
    halls = Court.objects.filter(parts__sports__code="badminton").distinct()
    assert halls.exists()
    for hall in halls:
        assert 4 <= hall.parts.count() <= 8, hall
        assert all(p.venue_id == hall.venue_id for p in hall.parts.all())
    for venue in Venue.objects.filter(kind__in=[VenueKind.GYMNASIUM, VenueKind.FITNESS_CENTRE]):
        assert venue.courts.filter(parts__isnull=False).exists(), venue
    for venue in Venue.objects.prefetch_related("sports", "courts__sports"):
        offered = {s.code for s in venue.sports.all()}
        for court in venue.courts.all():
            assert {s.code for s in court.sports.all()} <= offered, (venue, court)
            assert court.slot_minutes in (30, 60)
    pools = Court.objects.filter(
        venue__kind=VenueKind.NATATORIUM, parent__isnull=True, parts__isnull=False
    ).distinct()
    assert pools.exists()
    assert all(s.code == "swimming" for p in pools for s in p.parts.first().sports.all())


def test_hours_and_free_low_cost_prices(seeded: str) -> None:
    assert not Venue.objects.filter(opening_hours__isnull=True).exists()
    outdoor = OpeningHours.objects.filter(venue__kind=VenueKind.FITNESS_PATH).first()
    assert outdoor is not None and f"{outdoor.opens:%H:%M}" == "06:00"
    free = Venue.objects.filter(free_low_cost=True)
    assert free.exists()
    assert not free.filter(is_public=False).exists()
    assert all(v.market_prices.exists() for v in free)
    assert not MarketPrice.objects.filter(venue__free_low_cost=False).exists()
    assert not Venue.objects.filter(kind=VenueKind.CLUB, is_public=True).exists()


def test_demo_logins_authenticate_with_their_roles(seeded: str) -> None:
    assert [login.username for login in DEMO_LOGINS] == list(GRANTS)
    request = RequestFactory().post("/login")
    staff_venue = Venue.objects.get(name=STAFF_VENUE)
    assert staff_venue.region_id == "510107" and staff_venue.courts.count() >= 10
    for login in DEMO_LOGINS:
        user = login_check(request, username=login.username, password=DEMO_PASSWORD)
        role, where = GRANTS[login.username]
        got = set(user.memberships.values_list("role", "region_id", "venue_id"))
        if role is None:
            assert got == set()
            continue
        assert login.role == str(Role(role).label)
        expected_region = None if where in (None, "venue") else where
        expected_venue = staff_venue.pk if where == "venue" else None
        assert got == {(role.value, expected_region, expected_venue)}
    assert login_check(request, username="13800000001", password=DEMO_PASSWORD).username == (
        "demo-resident"
    )
    assert User.objects.get(username="demo-admin").is_superuser


def test_second_call_creates_nothing(seeded: str) -> None:
    models = (Venue, Court, EquipmentItem, OpeningHours, MarketPrice, User, Membership, AuditEntry)
    before = [m.objects.count() for m in models]
    assert seed_demo(scale=SCALE) is False
    assert [m.objects.count() for m in models] == before


def _delete_money_and_bookings() -> None:
    """Bookings, payments and ledger rows protect venues and users from deletion."""
    from tiyu.booking.models import Block, Booking, Occupancy, Series
    from tiyu.payments.models import Payment, Refund
    from tiyu.wallet.models import Account, Entry, LedgerTransaction

    for model in (
        Occupancy,
        Block,
        Booking,
        Series,
        Refund,
        Payment,
        Entry,
        LedgerTransaction,
        Account,
    ):
        model.objects.all().delete()


def test_demo_bookings_show_a_working_venue(seeded: str) -> None:
    from tiyu.booking.models import Block, Booking, BookingStatus, Series
    from tiyu.wallet.services import stored_value_account

    resident = User.objects.get(username="demo-resident")
    paid = Booking.objects.get(user=resident)
    assert paid.status == BookingStatus.CONFIRMED and paid.slots.count() == 2
    assert stored_value_account(resident).balance_fen == 30000 - paid.total_fen
    series = Series.objects.get()
    assert series.bookings.filter(status=BookingStatus.CONFIRMED).count() >= 10
    assert Block.objects.filter(venue=paid.venue).exists()
    assert Booking.objects.filter(channel="front_desk", customer_name="王先生").exists()


def test_deterministic_on_a_fresh_run(seeded: str) -> None:
    _delete_money_and_bookings()
    Venue.objects.all().delete()
    User.objects.filter(username__startswith="demo-").delete()
    assert seed_demo(scale=SCALE) is True
    assert digest() == seeded


def test_full_scale_plan_is_big_enough(seeded: str) -> None:
    plans = demo_plans(demo_districts(), scale=1.0)
    assert len(plans) >= 1000
    assert sum(len(p.equipment) for p in plans) >= 5000
    assert len({p.data.name for p in plans}) == len(plans)
    regions = {p.data.region_code for p in plans}
    assert all(code.startswith(("51", "50")) for code in regions)
    assert len(regions) >= 200  # every usable district has some


def test_nearest_on_demo_data_matches_a_brute_force_sort(seeded: str) -> None:
    """The selector's box-and-grow search gives exactly the haversine order, filters applied."""
    import random

    from tiyu.regions.geo import haversine_m
    from tiyu.venues.selectors import VenueFilter, venues_nearest

    rows = list(Venue.objects.prefetch_related("sports"))
    rng = random.Random(1)
    for _ in range(30):
        lat, lng = rng.uniform(26.5, 32.5), rng.uniform(98.5, 109.5)
        sport = rng.choice([None, "badminton", "fitness", "swimming", "squash"])
        kind = rng.choice([None, None, VenueKind.FITNESS_PATH])
        limit, offset = rng.choice([(20, 0), (5, 3), (10, 40)])
        expected = sorted(
            (haversine_m(lat, lng, v.lat, v.lng), v.pk)
            for v in rows
            if (sport is None or sport in {s.code for s in v.sports.all()})
            and (kind is None or v.kind == kind)
        )[offset : offset + limit]
        got = venues_nearest(
            VenueFilter(sport=sport, kind=kind), lat=lat, lng=lng, limit=limit, offset=offset
        )
        assert [(round(v.distance_m, 3), v.pk) for v in got] == [
            (round(d, 3), pk) for d, pk in expected
        ]
