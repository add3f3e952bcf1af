"""Huey schedule of the lighting planner (safe to run twice)."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from tiyu.lighting import jobs


@db_periodic_task(crontab(minute="*"))
def plan_lights() -> dict:
    """Every minute: on/off commands for the next hour of bookings."""
    return jobs.lights_plan().as_dict()
