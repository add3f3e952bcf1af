"""Huey schedules for the environment jobs (each safe to run twice)."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from tiyu.environment import jobs


@db_periodic_task(crontab(minute="*"))
def escalate_alerts() -> int:
    """Every minute: open alerts nobody acknowledged in time are shown to the district."""
    return jobs.alerts_escalate()


@db_periodic_task(crontab(hour="3", minute="40"))
def prune_readings() -> int:
    """Every day: drop raw readings older than the retention."""
    return jobs.readings_prune()
