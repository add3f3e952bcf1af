"""``tiyu load_regions``: build the GB/T 2260 tree from the installed data packages."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from tiyu.regions.loader import load_regions, rows_from_packages


class Command(BaseCommand):
    help = "Load or refresh the region tree (idempotent)."

    def handle(self, *args: Any, **opts: Any) -> None:
        count = load_regions(rows_from_packages())
        self.stdout.write(f"regions: {count}")
