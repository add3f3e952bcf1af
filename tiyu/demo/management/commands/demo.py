"""``tiyu demo``: migrate, load regions, create demo data if the database is empty, serve."""

from __future__ import annotations

from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand

from tiyu.regions.models import Region

FULL_TREE_MIN = 3000


class Command(BaseCommand):
    help = "Run Tiyu with realistic demo data on the embedded database."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--no-serve", action="store_true", help="prepare data, do not serve")

    def handle(self, *args: Any, **opts: Any) -> None:
        from tiyu.demo.seed import seed_demo

        call_command("migrate", interactive=False, verbosity=0)
        if Region.objects.count() < FULL_TREE_MIN:
            self.stdout.write("loading the GB/T 2260 region tree …")
            call_command("load_regions")
        created = seed_demo(stdout=self.stdout)
        self.stdout.write("demo data created" if created else "demo data already present")
        if not opts["no_serve"]:
            call_command("serve")
