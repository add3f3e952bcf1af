"""The one locking helper for scarce things (ARCHITECTURE rule 3).

Usage, inside ``transaction.atomic()``::

    lock_keys("court", [court_a.pk, court_b.pk])   # fixed order, once per transaction
    ... recount from facts, then write; a unique constraint is the last word.

On PostgreSQL each key becomes a transaction-scoped advisory lock taken in sorted
order, so two transactions wanting the same keys never deadlock. On SQLite the
connection runs ``BEGIN IMMEDIATE``: the whole database is already locked for
writing by the time the transaction starts, so there is nothing more to take.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from typing import TypeVar

from django.db import connection
from django.db.models import Model, QuerySet


def _key_to_int(namespace: str, key: object) -> int:
    digest = hashlib.blake2b(f"{namespace}:{key}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


def _require_transaction() -> None:
    if not connection.in_atomic_block:
        raise RuntimeError("locking needs an open transaction.atomic() block")


def lock_keys(namespace: str, keys: Iterable[object]) -> list[int]:
    """Take exclusive locks on ``namespace:key`` for each key, sorted; held until commit."""
    _require_transaction()
    ids = sorted({_key_to_int(namespace, k) for k in keys})
    if connection.vendor == "postgresql" and ids:
        with connection.cursor() as cursor:
            # One round trip; the ordinality keeps the sorted order of acquisition.
            cursor.execute(
                "SELECT pg_advisory_xact_lock(k) FROM ("
                "SELECT k FROM unnest(%s::bigint[]) WITH ORDINALITY AS t(k, n) ORDER BY n) s",
                [ids],
            )
    return ids


M = TypeVar("M", bound=Model)


def lock_rows(queryset: QuerySet[M]) -> list[M]:
    """``SELECT … FOR UPDATE`` the rows in primary-key order and return them."""
    _require_transaction()
    return list(queryset.select_for_update().order_by("pk"))


def share_keys(namespace: str, keys: Iterable[object]) -> list[int]:
    """Take shared locks on ``namespace:key``: many holders at once, none while one holds it
    exclusively through :func:`lock_keys`. Nothing to take on SQLite (see the module doc)."""
    _require_transaction()
    ids = sorted({_key_to_int(namespace, k) for k in keys})
    if connection.vendor == "postgresql" and ids:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pg_advisory_xact_lock_shared(k) FROM ("
                "SELECT k FROM unnest(%s::bigint[]) WITH ORDINALITY AS t(k, n) ORDER BY n) s",
                [ids],
            )
    return ids
