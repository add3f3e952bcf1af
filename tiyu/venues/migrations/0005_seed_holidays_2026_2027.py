"""Data migration: China's public holidays and make-up workdays for 2026 and 2027.

2026 follows the State Council notice of 4 November 2025; 2027 is an estimate until
its notice is published (see ``tiyu.venues.pricing.OFFICIAL_HOLIDAYS`` and
docs/venues.md). Admins edit the calendar afterwards; reversing removes nothing an
admin may have changed since, only the seeded dates that still carry the seed's kind.
"""

from django.db import migrations


def seed(apps, schema_editor):
    from tiyu.venues.pricing import seed_holidays

    seed_holidays(apps.get_model("venues", "Holiday"))


def unseed(apps, schema_editor):
    from tiyu.venues.pricing import official_calendar

    Holiday = apps.get_model("venues", "Holiday")
    for day, kind, name in official_calendar():
        Holiday.objects.filter(date=day, kind=kind, name=name).delete()


class Migration(migrations.Migration):
    dependencies = [("venues", "0004_holidays_and_price_rules")]
    operations = [migrations.RunPython(seed, unseed)]
