"""The sports catalogue seeded at migrate time (code, Chinese name, English name)."""

from typing import Any

SPORTS: list[tuple[str, str, str]] = [
    ("badminton", "羽毛球", "Badminton"),
    ("basketball", "篮球", "Basketball"),
    ("football", "足球", "Football"),
    ("swimming", "游泳", "Swimming"),
    ("table_tennis", "乒乓球", "Table tennis"),
    ("tennis", "网球", "Tennis"),
    ("volleyball", "排球", "Volleyball"),
    ("fitness", "健身", "Fitness"),
    ("running", "跑步", "Running"),
    ("yoga", "瑜伽", "Yoga"),
    ("hiking", "登山", "Hiking"),
    ("skating", "滑冰", "Skating"),
    ("martial_arts", "武术", "Martial arts"),
    ("billiards", "台球", "Billiards"),
    ("squash", "壁球", "Squash"),
    ("climbing", "攀岩", "Climbing"),
    ("dance", "舞蹈", "Dance"),
    ("square_dance", "广场舞", "Square dance"),
    ("taichi", "太极拳", "Tai chi"),
    ("cycling", "骑行", "Cycling"),
]


def seed_sports(sport_model: Any) -> None:
    """Insert or refresh the catalogue (used by the data migration and by test setup)."""
    for position, (code, name, name_en) in enumerate(SPORTS):
        sport_model.objects.update_or_create(
            code=code, defaults={"name": name, "name_en": name_en, "position": position}
        )
