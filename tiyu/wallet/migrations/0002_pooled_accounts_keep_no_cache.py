"""Pooled accounts (venue revenue, clearing) keep no cached balance from now on."""

from django.db import migrations

POOLED_KINDS = ("venue_revenue", "gateway_clearing", "cash_clearing")


def drop_pooled_cache(apps, schema_editor):
    Account = apps.get_model("wallet", "Account")
    Account.objects.filter(kind__in=POOLED_KINDS).update(balance_fen=0)


class Migration(migrations.Migration):
    dependencies = [("wallet", "0001_initial")]

    operations = [migrations.RunPython(drop_pooled_cache, migrations.RunPython.noop)]
