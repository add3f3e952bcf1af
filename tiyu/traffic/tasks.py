"""Huey schedules for foot traffic upkeep."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from tiyu.traffic import jobs


@db_periodic_task(crontab(hour="2", minute="40"))
def keep_partitions() -> int:
    """Every night: the coming months' partitions exist, raw events past retention go."""
    made, pruned = jobs.partitions_keep()
    return len(made) + pruned
