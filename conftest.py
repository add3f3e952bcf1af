"""Shared test world: a small region tree, named personas and a few venues.

Zulip-style personas: tests say ``manager`` or ``wuhou_official`` rather than
building users by hand, and go through the public API and pages where they can.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

PASSWORD = "tiyu-test-2026"

# (code, name, lat, lng) in WGS-84; the centres lie inside the real polygons.
REGION_FIXTURE = [
    ("000000", "中华人民共和国", 35.8617, 104.1954),
    ("510000", "四川省", 30.6537, 104.0733),
    ("510100", "成都市", 30.5753, 104.0643),
    ("510104", "锦江区", 30.6006, 104.1145),
    ("510107", "武侯区", 30.6444, 104.0408),
    ("510108", "成华区", 30.6624, 104.0990),
    ("510116", "双流区", 30.5772, 103.9215),
    ("510300", "自贡市", 29.3419, 104.7757),
    ("510302", "自流井区", 29.3403, 104.7745),
    ("500000", "重庆市", 29.5657, 106.5479),
    ("500100", "重庆市", 29.5657, 106.5479),
    ("500103", "渝中区", 29.5556, 106.5652),
    ("500106", "沙坪坝区", 29.5437, 106.4529),
]
CENTRE = {code: (lat, lng) for code, _n, lat, lng in REGION_FIXTURE}


@dataclass
class World:
    """The personas and venues every test can name."""

    resident: Any
    staff: Any
    manager: Any
    wuhou_official: Any
    chengdu_official: Any
    sichuan_official: Any
    chongqing_official: Any
    national_official: Any
    association: Any
    admin: Any
    wuhou_hall: Any
    jinjiang_pool: Any
    zigong_park: Any
    shapingba_gym: Any

    @property
    def personas(self) -> dict[str, Any]:
        return {k: v for k, v in vars(self).items() if not hasattr(v, "region_id")}


@pytest.fixture(autouse=True)
def _fresh_cache() -> None:
    """Each test starts with an empty cache (selectors cache counts of the last database)."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture
def regions(db: Any) -> None:
    """The small region tree (not the whole country), and the sports catalogue.

    Sports come from a data migration, which a transactional test's flush wipes.
    """
    from tiyu.regions.loader import RegionRow, load_regions
    from tiyu.venues.models import Sport
    from tiyu.venues.sports import seed_sports

    seed_sports(Sport)

    load_regions(RegionRow(code, name, lat, lng) for code, name, lat, lng in REGION_FIXTURE)


def make_venue(actor: Any, name: str, kind: str, code: str, sports: list[str], **extra: Any) -> Any:
    """A venue at the centre of region ``code``, through the service."""
    from tiyu.venues.services import VenueData, venue_create

    lat, lng = CENTRE[code]
    data = VenueData(
        name=name,
        kind=kind,
        region_code=code,
        address=f"{name}路 1 号",
        lat=lat,
        lng=lng,
        sport_codes=sports,
        **extra,
    )
    return venue_create(actor=actor, data=data)


@pytest.fixture
def world(regions: None) -> World:
    """Personas of every role, and four venues in three cities."""
    from tiyu.accounts.models import Role
    from tiyu.accounts.services import membership_grant, user_create
    from tiyu.regions.models import Region

    def person(username: str, role: Role | None = None, **where: Any) -> Any:
        user = user_create(username=username, password=PASSWORD, display_name=username)
        if role is not None:
            membership_grant(user=user, role=role, **where)
        return user

    admin = person("admin", Role.PLATFORM_ADMIN)
    hall = make_venue(
        admin,
        "武侯羽毛球馆",
        "gymnasium",
        "510107",
        ["badminton", "table_tennis"],
        free_low_cost=True,
    )
    pool = make_venue(admin, "锦江游泳馆", "natatorium", "510104", ["swimming"])
    park = make_venue(admin, "自贡健身路径", "fitness_path", "510302", ["fitness"])
    gym = make_venue(admin, "沙坪坝体育馆", "gymnasium", "500106", ["basketball", "badminton"])
    region = Region.objects.get
    return World(
        resident=person("resident"),
        staff=person("staff", Role.VENUE_STAFF, venue=hall),
        manager=person("manager", Role.VENUE_MANAGER, venue=hall),
        wuhou_official=person("wuhou", Role.DISTRICT_OFFICIAL, region=region(code="510107")),
        chengdu_official=person("chengdu", Role.CITY_OFFICIAL, region=region(code="510100")),
        sichuan_official=person("sichuan", Role.PROVINCE_OFFICIAL, region=region(code="510000")),
        chongqing_official=person("chongqing", Role.CITY_OFFICIAL, region=region(code="500000")),
        national_official=person("nation", Role.NATIONAL_OFFICIAL, region=region(code="000000")),
        association=person("assoc", Role.ASSOCIATION_STAFF, region=region(code="510000")),
        admin=admin,
        wuhou_hall=hall,
        jinjiang_pool=pool,
        zigong_park=park,
        shapingba_gym=gym,
    )


@pytest.fixture
def api_client(client: Any) -> Any:
    """Django's test client; ``api_client.token(user)`` gives a bearer header dict."""

    def token(user: Any) -> dict[str, str]:
        from tiyu.accounts.services import token_issue

        raw, _t = token_issue(user=user)
        return {"Authorization": f"Bearer {raw}"}

    client.token = token
    return client


@dataclass
class Arena:
    """The bookable side of ``wuhou_hall``: a hall with two parts, a third court, prices.

    Open 08:00–22:00 every day; every slot is 60 minutes and costs ¥40 (members
    ¥30, concessions ¥20). ``fund(user, fen)`` tops up a stored-value card the way
    a gateway top-up does. ``slot(court, days_ahead, hour)`` is the aware start of
    a slot, counted from today (local time).
    """

    world: World
    venue: Any
    hall: Any
    part1: Any
    part2: Any
    court3: Any
    resident2: Any

    def slot(self, court: Any, days_ahead: int, hour: int) -> Any:
        from datetime import datetime, time, timedelta

        from django.utils import timezone

        day = timezone.localdate() + timedelta(days=days_ahead)
        return datetime.combine(day, time(hour), tzinfo=timezone.get_current_timezone())

    def fund(self, user: Any, fen: int) -> None:
        from django.db import transaction

        from tiyu.wallet.models import AccountKind
        from tiyu.wallet.services import clearing_account, post, stored_value_account

        with transaction.atomic():
            post(
                kind="topup",
                reference=f"test-{user.pk}",
                legs=[
                    (clearing_account(AccountKind.GATEWAY_CLEARING), -fen),
                    (stored_value_account(user), fen),
                ],
            )

    def balance(self, user: Any) -> int:
        from tiyu.wallet.services import stored_value_account

        return stored_value_account(user).balance_fen


@pytest.fixture
def arena(world: World) -> Arena:
    """Courts, hours and prices at ``wuhou_hall``, plus a second resident with a phone."""
    from datetime import time

    from tiyu.accounts.services import user_create
    from tiyu.venues.models import Court, OpeningHours, PriceRule

    venue = world.wuhou_hall
    hall = Court.objects.create(venue=venue, name="主馆", slot_minutes=60, sort_order=0)
    part1 = Court.objects.create(venue=venue, parent=hall, name="1号场", sort_order=1)
    part2 = Court.objects.create(venue=venue, parent=hall, name="2号场", sort_order=2)
    court3 = Court.objects.create(venue=venue, name="3号场", sort_order=3)
    for weekday in range(7):
        OpeningHours.objects.create(venue=venue, weekday=weekday, opens=time(8), closes=time(22))
    for court in (hall, part1, part2, court3):
        PriceRule.objects.create(
            court=court,
            starts=time(8),
            ends=time(22),
            price_fen=4000,
            member_price_fen=3000,
            concession_price_fen=2000,
        )
    resident2 = user_create(
        username="resident2", password=PASSWORD, phone="13900000002", display_name="resident2"
    )
    return Arena(world, venue, hall, part1, part2, court3, resident2)
