"""Deterministic demo data for ``tiyu demo``: venues, facilities and logins in Sichuan/Chongqing.

About 1,040 venues and outdoor facilities (and some 5,000+ equipment items) placed
inside their real county-level districts, weighted towards the city districts of
Chengdu and Chongqing, plus a few famous venues by name and one login per role.
Everything is drawn from ``random.Random(2026)``; the only time-dependent values are
dates relative to today (equipment install dates). Every row is written through the
domain services, with the demo platform admin as the actor.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from typing import Any, NamedTuple

from django.db import transaction
from django.utils import timezone

from tiyu.accounts.models import Role, User
from tiyu.accounts.services import membership_grant, user_create
from tiyu.demo.bookings import seed_bookings
from tiyu.demo.places import District, demo_districts
from tiyu.demo.plans import STAFF_VENUE, Planner, VenuePlan, famous_plans
from tiyu.demo.pricing import seed_prices
from tiyu.regions.models import Region
from tiyu.venues.models import Venue
from tiyu.venues.services import (
    court_save,
    equipment_add,
    market_price_set,
    opening_hours_set,
    venue_create,
)

SEED = 2026
DEMO_PASSWORD = "tiyu-demo-2026"
RANDOM_VENUES = 1035  # plus the famous ones: 1,040 at scale 1
PROGRESS_EVERY = 100


class DemoLogin(NamedTuple):
    """One demo account: the README lists these (all with :data:`DEMO_PASSWORD`)."""

    username: str
    role: str
    where: str


DEMO_LOGINS: tuple[DemoLogin, ...] = (
    DemoLogin("demo-resident", "居民", "手机号 13800000001"),
    DemoLogin("demo-staff", "场馆员工", "四川省体育馆（成都市武侯区）"),
    DemoLogin("demo-manager", "场馆管理员", "四川省体育馆（成都市武侯区）"),
    DemoLogin("demo-district", "区县体育局", "成都市武侯区 510107"),
    DemoLogin("demo-city", "市体育局", "成都市 510100"),
    DemoLogin("demo-province", "省体育局", "四川省 510000"),
    DemoLogin("demo-cq-city", "市体育局", "重庆市 500000"),
    DemoLogin("demo-admin", "平台管理员", "全平台"),
)

# username -> (role or None for a resident, region code or "venue" for the staff venue)
GRANTS: dict[str, tuple[Role | None, str | None]] = {
    "demo-resident": (None, None),
    "demo-staff": (Role.VENUE_STAFF, "venue"),
    "demo-manager": (Role.VENUE_MANAGER, "venue"),
    "demo-district": (Role.DISTRICT_OFFICIAL, "510107"),
    "demo-city": (Role.CITY_OFFICIAL, "510100"),
    "demo-province": (Role.PROVINCE_OFFICIAL, "510000"),
    "demo-cq-city": (Role.CITY_OFFICIAL, "500000"),
    "demo-admin": (Role.PLATFORM_ADMIN, None),
}
DISPLAY_NAMES = {
    "demo-resident": "演示居民",
    "demo-staff": "演示场馆员工",
    "demo-manager": "演示场馆管理员",
    "demo-district": "武侯区体育局（演示）",
    "demo-city": "成都市体育局（演示）",
    "demo-province": "四川省体育局（演示）",
    "demo-cq-city": "重庆市体育局（演示）",
    "demo-admin": "平台管理员（演示）",
}


def allocate(districts: list[District], total: int) -> list[District]:
    """``total`` venue slots spread over districts by weight (largest remainder), in code order."""
    weight_sum = sum(d.weight for d in districts)
    quotas = [total * d.weight / weight_sum for d in districts]
    counts = [int(q) for q in quotas]
    by_remainder = sorted(range(len(districts)), key=lambda i: (counts[i] - quotas[i], i))
    for i in by_remainder[: total - sum(counts)]:
        counts[i] += 1
    return [d for d, n in zip(districts, counts, strict=True) for _ in range(n)]


def _user(username: str, admin: User | None) -> User:
    existing = User.objects.filter(username=username).first()
    if existing is not None:
        return existing
    return user_create(
        username=username,
        password=DEMO_PASSWORD,
        display_name=DISPLAY_NAMES[username],
        phone="13800000001" if username == "demo-resident" else None,
        actor=admin,
        is_superuser=username == "demo-admin",
    )


def create_logins(admin: User, staff_venue: Venue) -> None:
    """The demo users other than the admin, with their memberships."""
    for username, (role, where) in GRANTS.items():
        if username == "demo-admin":
            continue
        user = _user(username, admin)
        if role is None:
            continue
        if where == "venue":
            membership_grant(user=user, role=role, venue=staff_venue, actor=admin)
        else:
            membership_grant(
                user=user, role=role, region=Region.objects.get(code=where), actor=admin
            )


def create_venue(plan: VenuePlan, actor: User) -> Venue:
    """One planned venue with its courts, hours, market prices and equipment, via the services."""
    venue = venue_create(actor=actor, data=plan.data)
    for court in plan.courts:
        parent_id = None
        for unit in (court, *court.parts):  # the hall first, then its parts
            saved = court_save(
                actor=actor,
                venue_id=venue.pk,
                name=unit.name,
                sport_codes=unit.sports,
                parent_id=parent_id,
                is_indoor=court.indoor,
                slot_minutes=unit.slot,
                capacity=unit.capacity,
            )
            parent_id = parent_id or saved.pk
    opening_hours_set(actor=actor, venue_id=venue.pk, periods=plan.hours)
    for sport, fen in plan.prices.items():
        market_price_set(actor=actor, venue_id=venue.pk, sport_code=sport, price_fen=fen)
    for item in plan.equipment:
        equipment_add(
            actor=actor,
            venue_id=venue.pk,
            name=item.name,
            model_no=item.model_no,
            maker=item.maker,
            installed_on=item.installed_on,
        )
    return venue


def _writer(stdout: Any) -> Callable[[str], None]:
    if stdout is None:
        return lambda _line: None
    return lambda line: stdout.write(line + ("" if line.endswith("\n") else "\n"))


def demo_plans(districts: list[District], scale: float = 1.0) -> list[VenuePlan]:
    """Every venue to create, famous ones first, from a fresh ``Random(SEED)``."""
    planner = Planner(random.Random(SEED), timezone.localdate())
    plans = famous_plans(planner, {d.code: d for d in districts})
    plans += [planner.plan(d) for d in allocate(districts, round(RANDOM_VENUES * scale))]
    return plans


def seed_demo(stdout: Any = None, scale: float = 1.0) -> bool:
    """Create the demo data; False (and nothing done) if any venue exists already.

    Needs the full region tree (``tiyu load_regions``). ``scale`` shrinks or grows the
    number of random venues (tests use a small one); the famous venues and the logins
    are always there.
    """
    if Venue.objects.exists():
        return False
    write = _writer(stdout)
    started = time.monotonic()
    districts = demo_districts()
    if not districts:
        raise RuntimeError("the Sichuan and Chongqing regions are missing: run load_regions")
    plans = demo_plans(districts, scale)
    write(f"creating {len(plans)} demo venues in {len(districts)} districts …")
    with transaction.atomic():
        admin = _user("demo-admin", None)
        membership_grant(user=admin, role=Role.PLATFORM_ADMIN, actor=None)
        venues: dict[str, Venue] = {}
        items = 0
        for i, plan in enumerate(plans, start=1):
            venues[plan.data.name] = create_venue(plan, admin)
            items += len(plan.equipment)
            if i % PROGRESS_EVERY == 0 or i == len(plans):
                write(
                    f"  {i}/{len(plans)} venues, {items} equipment items "
                    f"({time.monotonic() - started:.0f} s)"
                )
        seed_prices(admin, venues.values(), write)
        create_logins(admin, venues[STAFF_VENUE])
        notes = seed_bookings(
            admin=admin,
            resident=User.objects.get(username="demo-resident"),
            venue=venues[STAFF_VENUE],
            password=DEMO_PASSWORD,
        )
        write("demo bookings: " + ", ".join(notes))
    write(f"demo logins ({DEMO_PASSWORD}): " + ", ".join(u.username for u in DEMO_LOGINS))
    return True
