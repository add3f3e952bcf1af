"""Huey schedules for the booking jobs (each safe to run twice)."""

from __future__ import annotations

import logging
from datetime import timedelta

from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from tiyu.booking import jobs
from tiyu.booking.checkout import reconcile

logger = logging.getLogger(__name__)


@db_periodic_task(crontab(minute="*"))
def expire_holds() -> int:
    """Every minute: tidy up lapsed holds."""
    return jobs.holds_expire()


@db_periodic_task(crontab(minute="*/5"))
def mark_no_shows() -> int:
    """Every five minutes: slots that ended unchecked become no-shows."""
    return jobs.no_shows_mark()


@db_periodic_task(crontab(minute="*/10"))
def send_reminders() -> int:
    """Every ten minutes: reminders for slots starting within two hours."""
    return jobs.reminders_send()


@db_periodic_task(crontab(hour="3", minute="15"))
def reconcile_yesterday() -> dict:
    """Every day: payments without a booking and bookings without a payment (yesterday)."""
    report = reconcile(timezone.localdate() - timedelta(days=1))
    if not report.ok:
        logger.warning("reconciliation found discrepancies: %s", report.as_dict())
    return report.as_dict()
