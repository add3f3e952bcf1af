"""Periodic environment work: escalate alerts nobody acknowledged, prune old readings.

Both can run twice, or late, with the same result: escalation picks alerts by state
and time and only sets ``escalated_at`` once; pruning deletes by age.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from tiyu.core import audit
from tiyu.environment import notify
from tiyu.environment.models import Alert, AlertStatus, Reading

DEFAULT_RETENTION_DAYS = 400
ESCALATE_BATCH = 500


def retention_days() -> int:
    """How long raw readings are kept (``ENV_READING_RETENTION_DAYS``, default 400)."""
    return int(getattr(settings, "ENV_READING_RETENTION_DAYS", DEFAULT_RETENTION_DAYS))


def escalate_after() -> timedelta:
    return timedelta(minutes=settings.ALERT_ESCALATE_MINUTES)


@transaction.atomic
def alerts_escalate(*, now: datetime | None = None) -> int:
    """Mark open alerts nobody acknowledged within ``ALERT_ESCALATE_MINUTES`` as escalated.

    From then on the officials of the venue's region see them, and the district's
    officials get a message. Returns how many were escalated now.
    """
    now = now or timezone.now()
    alerts = list(
        Alert.objects.select_for_update(of=("self",))
        .select_related("venue")
        .filter(
            status=AlertStatus.OPEN,
            escalated_at__isnull=True,
            opened_at__lte=now - escalate_after(),
        )
        .order_by("pk")[:ESCALATE_BATCH]
    )
    for alert in alerts:
        alert.escalated_at = now
        alert.save(update_fields=["escalated_at"])
        audit.log(
            "environment.alert_escalated",
            None,
            alert,
            {"venue": alert.venue_id, "metric": alert.metric, "opened_at": alert.opened_at},
        )
        notify.alert_escalated(alert)
    return len(alerts)


def readings_prune(*, now: datetime | None = None) -> int:
    """Delete raw readings measured more than the retention ago; returns how many.

    Alerts and the newest value of each sensor are kept.
    """
    now = now or timezone.now()
    cutoff = now - timedelta(days=retention_days())
    deleted, _ = Reading.objects.filter(measured_at__lt=cutoff).delete()
    return deleted
