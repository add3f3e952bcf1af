"""The audit log: `audit.log("venue.updated", actor, venue, {...})` in the same transaction."""

from __future__ import annotations

from typing import Any

from django.db import connection, models

from tiyu.core.models import AuditEntry


def log(
    action: str, actor: Any, obj: models.Model, data: dict[str, Any] | None = None
) -> AuditEntry:
    """Record ``action`` on ``obj`` by ``actor``; must run inside the transaction that made it.

    Refusing to log outside a transaction is what guarantees that a change and its
    audit row commit or roll back together.
    """
    if not connection.in_atomic_block:
        raise RuntimeError("audit.log must be called inside transaction.atomic()")
    actor_id = getattr(actor, "pk", None) if actor is not None else None
    if actor is not None and not getattr(actor, "is_authenticated", True):
        actor_id = None
    return AuditEntry.objects.create(
        action=action,
        actor_id=actor_id,
        object_type=obj._meta.label_lower,
        object_id=str(obj.pk),
        data=_jsonable(data or {}),
    )


def _jsonable(data: dict[str, Any]) -> dict[str, Any]:
    """Coerce values the JSON field cannot hold (dates, decimals, lazy strings) to text."""
    out: dict[str, Any] = {}
    for key, value in data.items():
        if value is None or isinstance(value, bool | int | float | str | list | dict):
            out[key] = value
        else:
            out[key] = str(value)
    return out
