"""Write path of environment monitoring: record readings (opening alerts), set a venue's
thresholds, acknowledge and close alerts.

Readings are set-based like the traffic app's gate events: one insert-or-ignore for
the batch (a message seen before adds nothing), one upsert of the newest value per
sensor, then the alert rule for the readings that were new. The rule runs under
advisory locks on the (venue, device, metric) keys that went out of range, and the
partial unique constraint ``env_alert_one_active`` has the last word, so two batches
arriving together never open two alerts for one sensor.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import connection, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tiyu.core import audit
from tiyu.core.bulk import INSERT_CHUNK, insert_new_rows
from tiyu.core.errors import Conflict, DomainError, NotFound, PermissionDenied, validation_error
from tiyu.core.locking import lock_keys
from tiyu.environment import notify
from tiyu.environment.models import (
    ACTIVE_STATUSES,
    Alert,
    AlertStatus,
    CurrentReading,
    Reading,
    Threshold,
)
from tiyu.environment.readings import Metric, ReadingIn, check_metric, check_value
from tiyu.environment.standards import Limit, default_limit
from tiyu.regions.scope import get_scoped, restrict, scope_for
from tiyu.venues.models import Venue

log = logging.getLogger(__name__)

NOTE_MAX = 500
Key = tuple[int, int, str]  # venue id, device id, metric


@dataclass(frozen=True)
class ReadingsResult:
    """How many of a batch's readings were new, how many were resent, how many alerts opened."""

    inserted: int
    duplicates: int
    alerts_opened: int


# --- Thresholds -------------------------------------------------------------------


def effective_limits(venues: Iterable[Venue]) -> dict[int, dict[str, Limit]]:
    """Per venue id, the range of every metric that has one: override, else kind default.

    An override with both bounds empty removes the default (no alerts for that metric).
    """
    venues = list(venues)
    overrides: dict[int, dict[str, Limit]] = defaultdict(dict)
    for t in Threshold.objects.filter(venue_id__in=[v.pk for v in venues]):
        overrides[t.venue_id][t.metric] = Limit(t.low, t.high, "")
    out: dict[int, dict[str, Limit]] = {}
    for venue in venues:
        limits: dict[str, Limit] = {}
        for metric in Metric.values:
            limit = overrides[venue.pk].get(metric) or default_limit(venue.kind, metric)
            if limit is not None and not limit.is_open:
                limits[metric] = limit
        out[venue.pk] = limits
    return out


def _check_bound(metric: str, value: float | None, field: str) -> float | None:
    return None if value is None else check_value(metric, value, field)


@transaction.atomic
def threshold_set(
    *, actor: Any, venue_id: int, metric: str, low: float | None, high: float | None
) -> Threshold:
    """Override the range of ``metric`` at a venue the actor manages (``None`` = open-ended).

    Both bounds ``None`` means "no limits" for this venue. ``low`` must be below
    ``high``; each bound must be a value the metric can physically take. Alerts
    already open keep the range they were opened with.
    """
    venue = get_scoped(Venue.objects.all(), actor, manage=True, pk=venue_id)
    metric = check_metric(metric)
    low = _check_bound(metric, low, "low")
    high = _check_bound(metric, high, "high")
    if low is not None and high is not None and not low < high:
        raise validation_error("high", _("上限须大于下限。"), "threshold_reversed")
    threshold, created = Threshold.objects.update_or_create(
        venue=venue, metric=metric, defaults={"low": low, "high": high, "updated_by": actor}
    )
    audit.log(
        "environment.threshold_set",
        actor,
        threshold,
        {"venue": venue.pk, "metric": metric, "low": low, "high": high, "created": created},
    )
    return threshold


@transaction.atomic
def threshold_reset(*, actor: Any, venue_id: int, metric: str) -> bool:
    """Drop a venue's override of ``metric`` so its kind's default applies again.

    Returns whether there was an override to drop.
    """
    venue = get_scoped(Venue.objects.all(), actor, manage=True, pk=venue_id)
    metric = check_metric(metric)
    threshold = Threshold.objects.filter(venue=venue, metric=metric).first()
    if threshold is None:
        return False
    audit.log(
        "environment.threshold_reset", actor, threshold, {"venue": venue.pk, "metric": metric}
    )
    threshold.delete()
    return True


@dataclass(frozen=True)
class ThresholdChange:
    """One line of a thresholds update: new bounds, or back to the default."""

    metric: str
    low: float | None = None
    high: float | None = None
    reset: bool = False


@transaction.atomic
def thresholds_update(*, actor: Any, venue_id: int, changes: Sequence[ThresholdChange]) -> int:
    """Apply several threshold changes at once: all of them or, if one is refused, none.

    A refusal names its field as ``<metric>.<field>`` (``ph.high``) so a form or an
    API client can tell which line was wrong.
    """
    seen: set[str] = set()
    for change in changes:
        if change.metric in seen:
            raise validation_error(
                f"{change.metric}.metric", _("同一指标只能出现一次。"), "threshold_duplicate"
            )
        seen.add(change.metric)
        try:
            if change.reset:
                threshold_reset(actor=actor, venue_id=venue_id, metric=change.metric)
            else:
                threshold_set(
                    actor=actor,
                    venue_id=venue_id,
                    metric=change.metric,
                    low=change.low,
                    high=change.high,
                )
        except DomainError as refusal:
            if not refusal.fields:
                raise
            fields = {f"{change.metric}.{k}": v for k, v in refusal.fields.items()}
            raise DomainError(
                refusal.code, refusal.message, status=refusal.status, fields=fields
            ) from refusal
    return len(changes)


# --- Readings -----------------------------------------------------------------------


def _new_readings(readings: Sequence[ReadingIn], now: datetime) -> list[ReadingIn]:
    """Insert the readings; the ones the database did not have before."""
    adapt = connection.ops.adapt_datetimefield_value
    by_id: dict[tuple[int, str], ReadingIn] = {}
    for r in readings:
        by_id.setdefault((r.device_id, r.message_id), r)
    received = adapt(now)
    rows = [
        [r.venue_id, r.device_id, r.message_id, r.metric, r.value, adapt(r.measured_at), received]
        for r in sorted(by_id.values(), key=lambda r: (r.device_id, r.message_id))
    ]
    returned = insert_new_rows(
        Reading._meta.db_table,
        ["venue_id", "device_id", "message_id", "metric", "value", "measured_at", "received_at"],
        rows,
        "device_id, message_id",
        "device_id, message_id",
    )
    return [by_id[(int(d), m)] for d, m in returned]


def _update_current(new: Sequence[ReadingIn]) -> None:
    """Upsert the newest value of each sensor; an older reading never replaces a newer one."""
    newest: dict[Key, ReadingIn] = {}
    for r in new:
        key = (r.venue_id, r.device_id, r.metric)
        if key not in newest or r.measured_at > newest[key].measured_at:
            newest[key] = r
    if not newest:
        return
    adapt = connection.ops.adapt_datetimefield_value
    table = CurrentReading._meta.db_table
    rows = [
        [r.venue_id, r.device_id, r.metric, r.value, adapt(r.measured_at)] for r in newest.values()
    ]
    with connection.cursor() as cursor:
        for i in range(0, len(rows), INSERT_CHUNK):
            chunk = rows[i : i + INSERT_CHUNK]
            cursor.execute(
                f"INSERT INTO {table} (venue_id, device_id, metric, value, measured_at) VALUES "
                f"{','.join(['(%s,%s,%s,%s,%s)'] * len(chunk))} "
                "ON CONFLICT (venue_id, device_id, metric) DO UPDATE SET "
                "value = excluded.value, measured_at = excluded.measured_at "
                f"WHERE excluded.measured_at > {table}.measured_at",
                [v for row in chunk for v in row],
            )


def _deviation(value: float, low: float | None, high: float | None) -> float:
    """How far ``value`` lies outside [low, high] (0 inside)."""
    if high is not None and value > high:
        return value - high
    if low is not None and value < low:
        return low - value
    return 0.0


def _apply(alert: Alert, r: ReadingIn, inside: bool) -> bool:
    """Fold one more reading into an active alert; whether anything changed."""
    if inside:
        if alert.back_in_range_at is None and r.measured_at > alert.last_at:
            alert.back_in_range_at = r.measured_at
            return True
        return False
    alert.readings_out += 1
    if r.measured_at >= alert.last_at:
        alert.last_value, alert.last_at = r.value, r.measured_at
        if alert.back_in_range_at is not None and r.measured_at >= alert.back_in_range_at:
            alert.back_in_range_at = None
    if r.measured_at < alert.first_at:
        alert.first_value, alert.first_at = r.value, r.measured_at
    if _deviation(r.value, alert.low, alert.high) > _deviation(
        alert.peak_value, alert.low, alert.high
    ):
        alert.peak_value = r.value
    return True


def _open(r: ReadingIn, limit: Limit, now: datetime) -> Alert:
    return Alert(
        venue_id=r.venue_id,
        device_id=r.device_id,
        metric=r.metric,
        low=limit.low,
        high=limit.high,
        first_value=r.value,
        first_at=r.measured_at,
        last_value=r.value,
        last_at=r.measured_at,
        peak_value=r.value,
        opened_at=now,
    )


def _alerts_for(new: Sequence[ReadingIn], venues: dict[int, Venue], now: datetime) -> int:
    """Open or update alerts for the new readings; how many alerts were opened."""
    limits = effective_limits(venues.values())
    groups: dict[Key, list[ReadingIn]] = defaultdict(list)
    for r in new:
        groups[(r.venue_id, r.device_id, r.metric)].append(r)

    def limit_of(key: Key) -> Limit | None:
        return limits[key[0]].get(key[2])

    def outside(key: Key, r: ReadingIn) -> bool:
        limit = limit_of(key)
        return limit is not None and not limit.contains(r.value)

    hot = sorted(k for k, rs in groups.items() if any(outside(k, r) for r in rs))
    lock_keys("env-alert", [f"{v}:{d}:{m}" for v, d, m in hot])
    active: dict[Key, Alert] = {
        (a.venue_id, a.device_id, a.metric): a
        for a in Alert.objects.filter(
            status__in=ACTIVE_STATUSES,
            venue_id__in={k[0] for k in groups},
            device_id__in={k[1] for k in groups},
        )
    }
    opened: list[Alert] = []
    changed: dict[int, Alert] = {}
    for key in sorted(groups):
        alert = active.get(key)
        if alert is None and key not in hot:
            continue
        for r in sorted(groups[key], key=lambda x: x.measured_at):
            inside = not outside(key, r)
            if alert is None:
                if not inside:
                    limit = limit_of(key)
                    assert limit is not None
                    alert = _open(r, limit, now)
                    opened.append(alert)
            elif _apply(alert, r, inside) and alert.pk is not None:
                changed[alert.pk] = alert
    _back_in_range_from_current(opened + list(changed.values()), limits)
    for alert in opened:
        alert.save()
        audit.log(
            "environment.alert_opened",
            None,
            alert,
            {
                "venue": alert.venue_id,
                "device": alert.device_id,
                "metric": alert.metric,
                "value": alert.first_value,
                "low": alert.low,
                "high": alert.high,
            },
        )
        notify.alert_opened(alert, venues[alert.venue_id])
    fields = [
        "readings_out",
        "last_value",
        "last_at",
        "first_value",
        "first_at",
        "peak_value",
        "back_in_range_at",
    ]
    for alert in changed.values():
        alert.save(update_fields=fields)
    return len(opened)


def _back_in_range_from_current(alerts: list[Alert], limits: dict[int, dict[str, Limit]]) -> None:
    """A late bad reading may open an alert while the sensor's newest value is already fine."""
    pending = [a for a in alerts if a.back_in_range_at is None]
    if not pending:
        return
    current = {
        (c.venue_id, c.device_id, c.metric): c
        for c in CurrentReading.objects.filter(
            venue_id__in={a.venue_id for a in pending},
            device_id__in={a.device_id for a in pending},
        )
    }
    for alert in pending:
        c = current.get((alert.venue_id, alert.device_id, alert.metric))
        limit = limits[alert.venue_id].get(alert.metric)
        if c and c.measured_at > alert.last_at and (limit is None or limit.contains(c.value)):
            alert.back_in_range_at = c.measured_at


@transaction.atomic
def readings_record(
    readings: Sequence[ReadingIn], *, now: datetime | None = None
) -> ReadingsResult:
    """Record a batch of readings once each and open alerts for values out of range.

    A reading seen before (same device and message id) adds nothing, so a device may
    resend freely. An out-of-range reading opens an alert for its (venue, device,
    metric) unless one is open or acknowledged already, which it then updates (last
    value and time, peak). Back in range closes nothing; it records when.
    """
    now = now or timezone.now()
    if not readings:
        return ReadingsResult(0, 0, 0)
    venue_ids = {r.venue_id for r in readings}
    venues = {v.pk: v for v in Venue.objects.filter(pk__in=venue_ids).only("id", "kind", "name")}
    if venue_ids - venues.keys():
        raise validation_error("venue_id", _("未知场馆。"), "venue_unknown")
    new = _new_readings(readings, now)
    _update_current(new)
    opened = _alerts_for(new, venues, now) if new else 0
    return ReadingsResult(
        inserted=len(new), duplicates=len(readings) - len(new), alerts_opened=opened
    )


# --- Alerts -------------------------------------------------------------------------


def alerts_in_view(user: Any) -> QuerySet[Alert]:
    """Every alert ``user`` sees: all of their venues' alerts, and escalated ones in their
    region; everything for platform admins; nothing for anyone else."""
    qs = restrict(Alert.objects.select_related("venue", "venue__region"), user)
    scope = scope_for(user)
    if not scope.everything:
        qs = qs.filter(Q(venue_id__in=sorted(scope.venue_ids)) | Q(escalated_at__isnull=False))
    return qs


def _visible_alert(actor: Any, alert_id: int) -> Alert:
    """An alert the actor sees, locked for the transaction; else 404."""
    alert = alerts_in_view(actor).select_for_update(of=("self",)).filter(pk=alert_id).first()
    if alert is None:
        raise NotFound("alert_not_found", _("未找到该告警。"))
    return alert


@transaction.atomic
def alert_acknowledge(*, actor: Any, alert_id: int, now: datetime | None = None) -> Alert:
    """Say someone is on it: open → acknowledged (venue people, or officials once escalated)."""
    alert = _visible_alert(actor, alert_id)
    if alert.status != AlertStatus.OPEN:
        raise Conflict("alert_not_open", _("该告警已确认或已关闭。"))
    alert.status = AlertStatus.ACKNOWLEDGED
    alert.acknowledged_at = now or timezone.now()
    alert.acknowledged_by = actor
    alert.save(update_fields=["status", "acknowledged_at", "acknowledged_by"])
    audit.log("environment.alert_acknowledged", actor, alert, {"metric": alert.metric})
    return alert


@transaction.atomic
def alert_close(*, actor: Any, alert_id: int, note: str, now: datetime | None = None) -> Alert:
    """Close an open or acknowledged alert with a note of what was done.

    Only the venue's staff and managers (and platform admins) close: they fix the
    water or the air. Officials see and acknowledge escalated alerts but get a 403
    here. Closing an open alert acknowledges it at the same moment.
    """
    alert = _visible_alert(actor, alert_id)
    scope = scope_for(actor)
    if not (scope.everything or alert.venue_id in scope.venue_ids):
        raise PermissionDenied("alert_close_venue_only", _("只有场馆人员可以关闭告警。"))
    if alert.status == AlertStatus.CLOSED:
        raise Conflict("alert_closed", _("该告警已关闭。"))
    note = (note or "").strip()
    if not note:
        raise validation_error("note", _("请填写处理说明。"), "note_required")
    if len(note) > NOTE_MAX:
        raise validation_error("note", _("处理说明最多 500 个字符。"), "note_too_long")
    now = now or timezone.now()
    was = alert.status
    if alert.status == AlertStatus.OPEN:
        alert.acknowledged_at, alert.acknowledged_by = now, actor
    alert.status = AlertStatus.CLOSED
    alert.closed_at, alert.closed_by, alert.close_note = now, actor, note
    alert.save(
        update_fields=[
            "status",
            "acknowledged_at",
            "acknowledged_by",
            "closed_at",
            "closed_by",
            "close_note",
        ]
    )
    audit.log(
        "environment.alert_closed",
        actor,
        alert,
        {"metric": alert.metric, "from": was, "note": note},
    )
    return alert


__all__ = [
    "ReadingsResult",
    "ThresholdChange",
    "alert_acknowledge",
    "alert_close",
    "alerts_in_view",
    "effective_limits",
    "readings_record",
    "threshold_reset",
    "threshold_set",
    "thresholds_update",
]
