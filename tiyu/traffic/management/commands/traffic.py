"""``tiyu traffic rebuild --from 2026-11-01 --to 2026-11-30`` and ``tiyu traffic partitions``."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from tiyu.core.errors import DomainError
from tiyu.traffic import jobs
from tiyu.traffic.services import traffic_rebuild


def _day(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise CommandError(f"not a date (YYYY-MM-DD): {value}") from exc


class Command(BaseCommand):
    help = "Foot traffic upkeep: rebuild rollups from raw events, keep monthly partitions ready."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        rebuild = sub.add_parser(
            "rebuild", help="recompute rollups of whole months from raw events"
        )
        rebuild.add_argument("--from", dest="start", required=True, type=_day)
        rebuild.add_argument("--to", dest="end", type=_day, default=None)
        sub.add_parser("partitions", help="create the coming months' partitions and prune old ones")

    def handle(self, *args: Any, **opts: Any) -> None:
        if opts["action"] == "partitions":
            made, pruned = jobs.partitions_keep()
            self.stdout.write(f"partitions created: {', '.join(made) or 'none'}; pruned {pruned}")
            return
        end = opts["end"] or timezone.localdate()
        try:
            counts = traffic_rebuild(start=opts["start"], end=end)
        except DomainError as exc:
            raise CommandError(str(exc.message)) from exc
        self.stdout.write(f"rebuilt {len(counts)} rollup rows for {opts['start']}..{end}")
