"""Idempotency keys for API writes (ARCHITECTURE rule 7).

A client sends ``Idempotency-Key: <uuid>`` with a write. The first request runs
and its response is stored; a retry with the same key and the same body returns
that stored response and changes nothing; the same key with a different body is a
409, because it is almost certainly a client bug.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

from tiyu.core.errors import Conflict, DomainError
from tiyu.core.models import IdempotencyRecord

Result = tuple[int, dict[str, Any]]
MAX_KEY_LENGTH = 128


def request_fingerprint(payload: Any) -> str:
    """A stable hash of the request body, to tell a retry from a reused key."""
    raw = json.dumps(payload, sort_keys=True, default=str, ensure_ascii=False)
    return hashlib.sha256(raw.encode()).hexdigest()


def run_idempotent(
    *, key: str | None, scope: str, user: Any, payload: Any, action: Callable[[], Result]
) -> Result:
    """Run ``action`` once per ``(scope, user, key)``; replay its stored result afterwards.

    ``action`` returns ``(status, body)``. A refused action (``DomainError``) is
    not stored: the client may fix the input and retry with the same key.
    """
    if not key:
        return action()
    if len(key) > MAX_KEY_LENGTH:
        raise DomainError("idempotency_key_invalid", _("幂等键过长（最多 128 个字符）。"))
    user_id = getattr(user, "pk", None)
    fingerprint = request_fingerprint(payload)
    existing = _find(scope, user_id, key)
    if existing is not None:
        return _replay(existing, fingerprint)
    try:
        with transaction.atomic():
            status, body = action()
            IdempotencyRecord.objects.create(
                key=key,
                scope=scope,
                user_id=user_id,
                request_hash=fingerprint,
                status=status,
                body=body,
            )
    except IntegrityError:
        # A concurrent twin committed first; its answer is the answer.
        existing = _find(scope, user_id, key)
        if existing is None:
            raise
        return _replay(existing, fingerprint)
    return status, body


def _find(scope: str, user_id: int | None, key: str) -> IdempotencyRecord | None:
    # ``user_id=None`` is an IS NULL lookup: anonymous retries match each other.
    lookup: dict[str, object] = {"scope": scope, "user_id": user_id, "key": key}
    return IdempotencyRecord.objects.filter(**lookup).first()


def _replay(record: IdempotencyRecord, fingerprint: str) -> Result:
    if record.request_hash != fingerprint:
        raise Conflict("idempotency_key_reused", _("该幂等键已用于另一个不同的请求。"))
    return record.status, record.body
