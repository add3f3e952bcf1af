"""Data migration: the sports catalogue."""

from django.db import migrations


def seed(apps, schema_editor):
    from tiyu.venues.sports import seed_sports

    seed_sports(apps.get_model("venues", "Sport"))


class Migration(migrations.Migration):
    dependencies = [("venues", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
