"""Plans for demo venues: what to create, drawn from one seeded random generator.

A plan is plain data (the venue's registry fields, its courts, hours, market prices
and equipment); :mod:`tiyu.demo.seed` turns plans into rows through the services.
Nothing here touches the database.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, time, timedelta
from typing import TypeVar

from tiyu.demo.catalog import (
    BRANDS,
    CLUB_WEIGHTS,
    CLUBS,
    COMMUNITIES,
    EQUIPMENT,
    MAKERS,
    MOUNTAINS,
    PARKS,
    ROADS,
)
from tiyu.demo.places import District, known_point, point_in
from tiyu.venues.models import OUTDOOR_KINDS, VenueKind
from tiyu.venues.services import VenueData

Period = tuple[int, time, time]
T = TypeVar("T")

# Venue kinds by district: (kind, weight) for city districts and for the rest.
URBAN_KINDS = {
    VenueKind.GYMNASIUM: 9,
    VenueKind.NATATORIUM: 6,
    VenueKind.FITNESS_CENTRE: 8,
    VenueKind.TRAINING_HALL: 5,
    VenueKind.STADIUM: 2,
    VenueKind.CLUB: 22,
    VenueKind.FITNESS_PATH: 24,
    VenueKind.COMMUNITY_COURT: 12,
    VenueKind.SPORTS_PARK: 7,
    VenueKind.TRAIL: 5,
}
OTHER_KINDS = {
    VenueKind.GYMNASIUM: 8,
    VenueKind.NATATORIUM: 4,
    VenueKind.FITNESS_CENTRE: 8,
    VenueKind.TRAINING_HALL: 3,
    VenueKind.STADIUM: 3,
    VenueKind.CLUB: 7,
    VenueKind.FITNESS_PATH: 38,
    VenueKind.COMMUNITY_COURT: 14,
    VenueKind.SPORTS_PARK: 6,
    VenueKind.TRAIL: 9,
}
AREA_M2: dict[str, tuple[int, int]] = {
    VenueKind.GYMNASIUM: (3000, 15000),
    VenueKind.NATATORIUM: (2500, 9000),
    VenueKind.FITNESS_CENTRE: (2000, 12000),
    VenueKind.TRAINING_HALL: (800, 4000),
    VenueKind.STADIUM: (20000, 60000),
    VenueKind.CLUB: (300, 3000),
    VenueKind.SPORTS_PARK: (20000, 300000),
    VenueKind.FITNESS_PATH: (150, 1500),
    VenueKind.TRAIL: (5000, 60000),
    VenueKind.COMMUNITY_COURT: (500, 1600),
}
# Market price per hour in fen: (low, high), rounded to 5 yuan.
PRICE_FEN = {
    "badminton": (3000, 6000),
    "basketball": (15000, 30000),
    "table_tennis": (1500, 3000),
    "tennis": (6000, 12000),
    "swimming": (3000, 5000),
    "volleyball": (12000, 20000),
    "football": (30000, 80000),
    "running": (500, 1500),
    "fitness": (2000, 4000),
    "yoga": (3000, 6000),
}
# Share of bookable public venues (those with courts) in the free/low-cost programme:
# about 40% of all public venues, fitness paths and trails included.
FREE_LOW_COST_SHARE = 0.75


@dataclass
class CourtPlan:
    """A court to create; ``parts`` are the smaller courts inside it (a hall's courts)."""

    name: str
    sports: list[str]
    indoor: bool = True
    slot: int = 60
    capacity: int = 4
    parts: list[CourtPlan] = field(default_factory=list)


@dataclass
class EquipmentPlan:
    """One outdoor equipment item."""

    name: str
    model_no: str
    maker: str
    installed_on: date


@dataclass
class VenuePlan:
    """Everything the seed creates for one venue."""

    data: VenueData
    courts: list[CourtPlan] = field(default_factory=list)
    hours: list[Period] = field(default_factory=list)
    prices: dict[str, int] = field(default_factory=dict)
    equipment: list[EquipmentPlan] = field(default_factory=list)


def _t(text: str) -> time:
    hours, minutes = text.split(":")
    return time(int(hours), int(minutes))


def week(weekday: list[tuple[str, str]], weekend: list[tuple[str, str]]) -> list[Period]:
    """Opening periods: the same on Monday-Friday, another set on Saturday and Sunday."""
    return [(day, _t(a), _t(b)) for day in range(7) for a, b in (weekday if day < 5 else weekend)]


def hall(
    name: str,
    sports: list[str],
    parts: int,
    part_sport: str = "badminton",
    part_name: str = "羽毛球{n}号场",
) -> CourtPlan:
    """A hall booked whole (for basketball, say) or by its smaller courts."""
    return CourtPlan(
        name,
        sports,
        capacity=40,
        parts=[CourtPlan(part_name.format(n=n), [part_sport]) for n in range(1, parts + 1)],
    )


def pool(lanes: int, name: str = "标准池") -> CourtPlan:
    """A pool booked whole (a swimming team) or by lane."""
    return CourtPlan(
        name,
        ["swimming"],
        capacity=lanes * 10,
        parts=[CourtPlan(f"{n}号泳道", ["swimming"], capacity=8) for n in range(1, lanes + 1)],
    )


def numbered(
    pattern: str, sport: str, count: int, *, indoor: bool = True, slot: int = 60, capacity: int = 4
) -> list[CourtPlan]:
    """Courts 1..count named by ``pattern`` (``{n}`` is the number)."""
    return [
        CourtPlan(pattern.format(n=n), [sport], indoor=indoor, slot=slot, capacity=capacity)
        for n in range(1, count + 1)
    ]


class Planner:
    """Draws venue plans from one random generator; names are unique across the run."""

    def __init__(self, rng: random.Random, today: date) -> None:
        self.rng = rng
        self.today = today
        self.taken: set[str] = set()

    # --- helpers -------------------------------------------------------------------

    def pick(self, options: Sequence[T]) -> T:
        """One of ``options``, drawn from the seeded generator."""
        return self.rng.choice(options)

    def unique(self, *candidates: str) -> str:
        """The first candidate not used yet; else the last one with a road to tell it apart."""
        for name in candidates:
            if name not in self.taken:
                self.taken.add(name)
                return name
        base = candidates[-1]
        while True:
            name = f"{base}（{self.pick(ROADS)}）"
            if name not in self.taken:
                self.taken.add(name)
                return name

    def address(self, d: District, road: str | None = None) -> str:
        return f"{d.full}{road or self.pick(ROADS)}{self.rng.randint(1, 399)}号"

    def phone(self, d: District, mobile: bool = False) -> str:
        if mobile:
            return (
                f"1{self.pick(['33', '35', '38', '39', '50', '58', '77', '80', '86', '89'])}"
                f"{self.rng.randint(0, 99_999_999):08d}"
            )
        digits = 8 if d.area_code in ("028", "023") else 7
        first = str(self.rng.randint(6, 8))
        rest = self.rng.randint(0, 10 ** (digits - 1) - 1)
        return f"{d.area_code}-{first}{rest:0{digits - 1}d}"

    def area(self, kind: str) -> int:
        low, high = AREA_M2[kind]
        return round(self.rng.randint(low, high), -1)

    def company(self, d: District, trade: str = "体育文化") -> str:
        place = "重庆" if d.is_chongqing else self.pick(["四川", d.city.removesuffix("市")])
        return f"{place}{self.pick(BRANDS)}{trade}有限公司"

    def bureau(self, d: District) -> str:
        return f"{d.full}体育局"

    # --- kinds ---------------------------------------------------------------------

    def random_kind(self, d: District) -> str:
        weights = URBAN_KINDS if d.urban else OTHER_KINDS
        kinds = list(weights)
        return self.rng.choices(kinds, [weights[k] for k in kinds])[0]

    def plan(self, d: District, kind: str | None = None) -> VenuePlan:
        """A random venue of ``kind`` (drawn by the district's mix if None) in ``d``."""
        kind = str(kind or self.random_kind(d))
        lat, lng = point_in(d, self.rng)
        build = getattr(self, "_" + kind)
        plan: VenuePlan = build(d)
        data = plan.data
        data.kind, data.region_code, data.lat, data.lng = kind, d.code, lat, lng
        data.area_m2 = data.area_m2 or self.area(kind)
        self._finish(plan, d)
        return plan

    def _finish(self, plan: VenuePlan, d: District) -> None:
        """Fields every kind shares: sports from courts, star rating, prices, description."""
        data = plan.data
        sports = list(data.sport_codes)
        for court in plan.courts:
            for code in [*court.sports, *(s for p in court.parts for s in p.sports)]:
                if code not in sports:
                    sports.append(code)
        data.sport_codes = sports
        outdoor = data.kind in OUTDOOR_KINDS
        if data.year_built is None:
            data.year_built = (
                self.rng.randint(2008, 2024)
                if outdoor
                else self.rng.randint(1988 if data.is_public else 2012, 2024)
            )
        if not data.star_rating:
            weights = (
                [3, 4, 3, 1, 0, 0]
                if outdoor
                else ([0, 1, 3, 4, 2, 1] if data.is_public else [2, 2, 3, 3, 1, 0])
            )
            data.star_rating = self.rng.choices(range(6), weights)[0]
        if data.capacity is None and not outdoor:
            data.capacity = max(30, min(3000, (data.area_m2 or 0) // 8))
        if data.is_public and plan.courts and self.rng.random() < FREE_LOW_COST_SHARE:
            data.free_low_cost = True
        if data.free_low_cost and not plan.prices:
            plan.prices = self.prices(sports)
        if not plan.hours:
            plan.hours = self.hours(data.kind, data.is_public)

    def prices(self, sports: list[str]) -> dict[str, int]:
        """Declared market prices (fen per hour) for the sports that have one."""
        out = {}
        for code in sports:
            if code in PRICE_FEN:
                low, high = PRICE_FEN[code]
                out[code] = self.rng.randint(low // 500, high // 500) * 500
        return out

    def hours(self, kind: str, public: bool) -> list[Period]:
        """Weekly opening periods typical of the kind."""
        if kind == VenueKind.TRAIL:
            return week([("06:00", "20:00")], [("06:00", "20:00")])
        if kind in OUTDOOR_KINDS:
            return week([("06:00", "22:00")], [("06:00", "22:00")])
        if kind == VenueKind.STADIUM:
            return week([("06:00", "21:30")], [("06:00", "22:00")])
        if kind == VenueKind.NATATORIUM:
            return week([("06:30", "08:30"), ("12:00", "21:30")], [("09:00", "21:30")])
        if not public:
            return week([("10:00", "22:00")], [("09:00", "22:30")])
        return self.pick(
            [
                week([("09:00", "21:30")], [("08:30", "22:00")]),
                week([("08:30", "21:00")], [("08:00", "21:30")]),
                week([("09:00", "12:00"), ("14:00", "21:30")], [("08:30", "21:30")]),
            ]
        )

    def equipment(self, count: int, names: list[str] | None = None) -> list[EquipmentPlan]:
        """Items installed together (mostly one maker, one date), a few added later."""
        pool_ = [(n, p) for n, p in EQUIPMENT if names is None or n in names]
        chosen = (
            [pool_[i % len(pool_)] for i in range(count)]
            if count > len(pool_)
            else self.rng.sample(pool_, count)
        )
        maker, prefix = self.pick(MAKERS)
        installed = self.today - timedelta(days=self.rng.randint(120, 3650))
        items = []
        for name, code in chosen:
            m, mp, when = maker, prefix, installed
            if self.rng.random() < 0.2:
                m, mp = self.pick(MAKERS)
                when = installed + timedelta(days=self.rng.randint(30, 700))
                when = min(when, self.today - timedelta(days=7))
            model = f"{mp}-{code}{self.rng.randint(1, 9)}{self.rng.randint(0, 99):02d}"
            items.append(EquipmentPlan(name, model, m, when))
        return items

    def _venue(self, name: str, d: District, **extra: object) -> VenueData:
        data = VenueData(
            name=name,
            kind="",
            region_code=d.code,
            address=self.address(d),
            lat=0.0,
            lng=0.0,
            phone=self.phone(d),
        )
        for key, value in extra.items():
            setattr(data, key, value)
        return data

    def _public_operator(self, d: District) -> str:
        return self.pick(
            [f"{d.full}体育中心", f"{d.full}全民健身服务中心", self.company(d, "体育管理")]
        )

    # --- indoor --------------------------------------------------------------------

    def _gymnasium(self, d: District) -> VenuePlan:
        school = f"{d.full}第{self.rng.randint(1, 30)}中学"
        if self.rng.random() < 0.3:
            name = self.unique(f"{school}体育馆")
            owner, operator = school, school
        else:
            name = self.unique(
                f"{d.name}体育馆", f"{d.name}体育中心体育馆", f"{d.name}青少年活动中心体育馆"
            )
            owner, operator = self.bureau(d), self._public_operator(d)
        courts = [hall("主馆", ["basketball", "volleyball"], self.rng.randint(4, 8))]
        courts += numbered("乒乓球{n}号台", "table_tennis", self.rng.randint(4, 10), slot=30)
        if self.rng.random() < 0.5:
            courts.append(CourtPlan("副馆篮球场", ["basketball"], capacity=10))
        return VenuePlan(self._venue(name, d, owner=owner, operator=operator), courts)

    def _fitness_centre(self, d: District) -> VenuePlan:
        street = f"{self.pick(COMMUNITIES)}街道"
        name = self.unique(
            f"{d.name}全民健身中心",
            f"{d.name}{street}全民健身中心",
            f"{d.short}{self.pick(COMMUNITIES)}全民健身中心",
        )
        owner = self.bureau(d) if street not in name else f"{d.full}{street}办事处"
        room_sport = self.pick(["yoga", "dance", "taichi", "martial_arts"])
        courts = [
            hall("综合馆", ["basketball"], self.rng.randint(4, 8)),
            *numbered("乒乓球{n}号台", "table_tennis", self.rng.randint(4, 8), slot=30),
            CourtPlan("健身房", ["fitness"], capacity=40),
            CourtPlan("多功能厅", [room_sport], capacity=30),
        ]
        data = self._venue(name, d, owner=owner, operator=self._public_operator(d))
        return VenuePlan(data, courts)

    def _natatorium(self, d: District) -> VenuePlan:
        name = self.unique(
            f"{d.name}游泳馆",
            f"{d.full}体育中心游泳馆",
            f"{d.name}全民健身中心游泳馆",
            f"{d.short}{self.pick(COMMUNITIES)}游泳馆",
        )
        courts = [pool(self.rng.choice([6, 8, 8, 10]))]
        if self.rng.random() < 0.5:
            courts.append(CourtPlan(self.pick(["训练池", "儿童池"]), ["swimming"], capacity=30))
        data = self._venue(name, d, owner=self.bureau(d), operator=self._public_operator(d))
        return VenuePlan(data, courts)

    def _training_hall(self, d: District) -> VenuePlan:
        sport, label = self.pick(
            [
                ("badminton", "羽毛球"),
                ("table_tennis", "乒乓球"),
                ("martial_arts", "武术"),
                ("basketball", "篮球"),
                ("volleyball", "排球"),
            ]
        )
        name = self.unique(
            f"{d.name}{label}训练馆",
            f"{d.name}业余体校{label}训练馆",
            f"{d.full}体育运动学校{label}训练馆",
        )
        if sport == "badminton":
            courts = [hall("训练馆", ["badminton"], self.rng.randint(4, 8))]
        elif sport == "table_tennis":
            courts = numbered("{n}号台", sport, self.rng.randint(8, 16), slot=30)
        elif sport == "martial_arts":
            courts = numbered("训练厅{n}", sport, self.rng.randint(1, 2), capacity=30)
        else:
            courts = numbered(f"{label}{{n}}号场", sport, self.rng.randint(1, 2), capacity=12)
        owner = f"{d.full}业余体育学校"
        return VenuePlan(self._venue(name, d, owner=owner, operator=owner), courts)

    def _stadium(self, d: District) -> VenuePlan:
        name = self.unique(
            f"{d.name}体育场", f"{d.name}体育中心体育场", f"{d.short}{self.pick(COMMUNITIES)}体育场"
        )
        courts = [CourtPlan("田径场", ["running", "football"], indoor=False, capacity=200)]
        courts += numbered(
            "五人制足球{n}号场", "football", self.rng.randint(0, 2), indoor=False, capacity=14
        )
        data = self._venue(name, d, owner=self.bureau(d), operator=self._public_operator(d))
        return VenuePlan(data, courts)

    def _club(self, d: District) -> VenuePlan:
        codes = list(CLUB_WEIGHTS)
        sport = self.rng.choices(codes, [CLUB_WEIGHTS[c] for c in codes])[0]
        suffixes, pattern, (low, high), slot, capacity = CLUBS[sport]
        road = self.pick(ROADS)
        brand = self.pick(BRANDS)
        name = self.unique(f"{brand}{self.pick(suffixes)}（{d.short}{road.removesuffix('路')}店）")
        count = self.rng.randint(low, high)
        if sport == "swimming":
            courts = [pool(count, "恒温泳池")]
        else:
            indoor = not (sport == "tennis" and self.rng.random() < 0.5)
            courts = numbered(pattern, sport, count, indoor=indoor, slot=slot, capacity=capacity)
        company = self.company(d, "体育文化" if sport != "fitness" else "健身管理")
        data = self._venue(
            name,
            d,
            owner=company,
            operator=company,
            is_public=False,
            address=self.address(d, road),
            phone=self.phone(d, mobile=True),
        )
        return VenuePlan(data, courts)

    # --- outdoor facilities ----------------------------------------------------------

    def _community(self, d: District) -> tuple[str, str, str]:
        """A community, its street office (owner) and its residents' committee (operator)."""
        community = self.pick(COMMUNITIES)
        street = self.pick(COMMUNITIES)
        return (
            community,
            f"{d.full}{street}街道办事处",
            f"{d.name}{street}街道{community}社区居民委员会",
        )

    def _fitness_path(self, d: District) -> VenuePlan:
        community, owner, operator = self._community(d)
        park = f"{d.short}{self.pick(PARKS)}"
        if self.rng.random() < 0.35:
            name = self.unique(f"{park}健身路径", f"{park}全民健身路径")
            operator = f"{d.full}公园管理处"
        else:
            name = self.unique(
                f"{d.name}{community}社区健身路径",
                f"{d.short}{self.pick(ROADS)}{community}社区健身路径",
            )
        sports = ["fitness", *self.rng.sample(["square_dance", "taichi", "table_tennis"], 1)]
        data = self._venue(name, d, owner=owner, operator=operator, sport_codes=sports, phone="")
        return VenuePlan(data, equipment=self.equipment(self.rng.randint(8, 18)))

    def _community_court(self, d: District) -> VenuePlan:
        community, owner, operator = self._community(d)
        sport, label = self.pick(
            [
                ("basketball", "篮球场"),
                ("basketball", "篮球场"),
                ("football", "笼式足球场"),
                ("table_tennis", "乒乓球场"),
            ]
        )
        name = self.unique(
            f"{d.name}{community}社区{label}", f"{d.short}{self.pick(ROADS)}{community}社区{label}"
        )
        if sport == "table_tennis":
            courts = numbered("乒乓球{n}号台", sport, self.rng.randint(2, 4), indoor=False, slot=30)
        else:
            count = self.rng.randint(1, 2)
            courts = numbered(f"{{n}}号{label}", sport, count, indoor=False, capacity=10)
        data = self._venue(
            name, d, owner=owner, operator=operator, sport_codes=["fitness"], phone=""
        )
        names = ["乒乓球台", "单杠", "双杠", "压腿杠", "扭腰器", "腰背按摩器", "太空漫步机"]
        return VenuePlan(data, courts, equipment=self.equipment(self.rng.randint(2, 6), names))

    def _sports_park(self, d: District) -> VenuePlan:
        name = self.unique(
            f"{d.short}体育公园",
            f"{d.short}滨江体育公园",
            f"{d.short}{self.pick(PARKS).removesuffix('公园')}体育公园",
        )
        courts = numbered(
            "篮球{n}号场", "basketball", self.rng.randint(2, 4), indoor=False, capacity=10
        )
        courts += numbered(
            "五人制足球{n}号场", "football", self.rng.randint(1, 2), indoor=False, capacity=14
        )
        if self.rng.random() < 0.5:
            courts += numbered("网球{n}号场", "tennis", 2, indoor=False)
        data = self._venue(
            name,
            d,
            owner=self.bureau(d),
            operator=self._public_operator(d),
            sport_codes=["running", "fitness", self.pick(["cycling", "square_dance"])],
        )
        return VenuePlan(data, courts, equipment=self.equipment(self.rng.randint(12, 24)))

    def _trail(self, d: District) -> VenuePlan:
        mountain = self.pick(MOUNTAINS)
        name = self.unique(
            f"{d.short}{mountain}登山步道", f"{d.short}{mountain}健身步道", f"{d.short}城市森林步道"
        )
        data = self._venue(
            name,
            d,
            owner=self.bureau(d),
            operator=f"{d.full}公园管理处",
            sport_codes=["hiking", "running"],
            phone="",
            address=f"{d.full}{mountain}{self.pick(['东', '南', '西', '北'])}入口",
        )
        names = ["压腿杠", "伸背器", "扭腰器", "腰背按摩器", "单杠", "太极揉推器"]
        return VenuePlan(data, equipment=self.equipment(self.rng.randint(2, 5), names))


# --- famous venues ---------------------------------------------------------------------

STAFF_VENUE = "四川省体育馆"


def famous_plans(planner: Planner, districts: dict[str, District]) -> list[VenuePlan]:
    """A few real venues by name, placed near their real position (GCJ-02) in their district."""
    rng = planner.rng
    specs: list[tuple[str, str, str, str, tuple[float, float], list[CourtPlan], dict]] = [
        (
            "四川省体育馆",
            VenueKind.GYMNASIUM,
            "510107",
            "人民南路三段2号",
            (30.6343, 104.0710),
            [
                hall("主馆", ["basketball", "volleyball"], 8),
                hall("训练馆", ["badminton"], 6),
                *numbered("乒乓球{n}号台", "table_tennis", 8, slot=30),
                *numbered("篮球{n}号场", "basketball", 2, capacity=10),
            ],
            {
                "owner": "四川省体育局",
                "operator": "四川省体育馆",
                "area_m2": 21000,
                "year_built": 1988,
                "star_rating": 5,
                "free_low_cost": True,
                "capacity": 5000,
            },
        ),
        (
            "成都市体育中心",
            VenueKind.STADIUM,
            "510105",
            "顺城大街2号",
            (30.6685, 104.0765),
            [
                CourtPlan("主体育场", ["football", "running"], indoor=False, capacity=400),
                CourtPlan("训练场", ["football"], indoor=False, capacity=30),
            ],
            {
                "owner": "成都市体育局",
                "operator": "成都体育产业投资集团有限责任公司",
                "area_m2": 80000,
                "year_built": 1991,
                "star_rating": 5,
                "capacity": 40000,
            },
        ),
        (
            "东安湖体育公园",
            VenueKind.SPORTS_PARK,
            "510112",
            "东安街道东安湖路",
            (30.5680, 104.2760),
            [
                hall("小球馆", ["basketball"], 8),
                pool(10, "游泳跳水馆标准池"),
                *numbered("网球{n}号场", "tennis", 4, indoor=False),
                *numbered("篮球{n}号场", "basketball", 4, indoor=False, capacity=10),
            ],
            {
                "owner": "成都市体育局",
                "operator": "成都东安湖体育产业发展有限公司",
                "area_m2": 1_600_000,
                "year_built": 2021,
                "star_rating": 5,
                "sport_codes": ["running", "cycling", "fitness"],
                "free_low_cost": True,
            },
        ),
        (
            "重庆奥林匹克体育中心",
            VenueKind.STADIUM,
            "500107",
            "谢家湾正街1号",
            (29.5270, 106.5200),
            [
                CourtPlan("主体育场", ["football", "running"], indoor=False, capacity=400),
                hall("综合训练馆", ["basketball", "volleyball"], 6),
            ],
            {
                "owner": "重庆市体育局",
                "operator": "重庆奥林匹克体育中心",
                "area_m2": 100000,
                "year_built": 2004,
                "star_rating": 5,
                "capacity": 58000,
            },
        ),
        (
            "重庆市游泳馆",
            VenueKind.NATATORIUM,
            "500103",
            "体育路1号",
            (29.5560, 106.5480),
            [
                pool(10),
                CourtPlan("训练池", ["swimming"], capacity=40),
            ],
            {
                "owner": "重庆市体育局",
                "operator": "重庆市体育场馆管理中心",
                "area_m2": 12000,
                "year_built": 1998,
                "star_rating": 4,
                "free_low_cost": True,
            },
        ),
    ]
    plans = []
    for name, kind, code, road, gcj, courts, extra in specs:
        d = districts[code]
        lat, lng = known_point(d, gcj, rng)
        planner.taken.add(name)
        data = VenueData(
            name=name,
            kind=kind,
            region_code=code,
            address=f"{d.full}{road}",
            lat=lat,
            lng=lng,
            phone=planner.phone(d),
            **extra,
        )
        plan = VenuePlan(data, courts)
        if kind == VenueKind.GYMNASIUM:
            plan.hours = week([("09:00", "21:30")], [("08:30", "22:00")])
        if kind in OUTDOOR_KINDS:
            plan.equipment = planner.equipment(20)
        planner._finish(plan, d)
        plans.append(plan)
    return plans
