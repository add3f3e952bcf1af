"""Joining the caller's transaction without a savepoint.

A savepoint costs two round trips; on the hot booking path (hold, pay) the
nested services add up. A service decorated with :func:`joins_transaction` runs
inside the caller's transaction when there is one and opens its own otherwise.
Such a service refuses (raises ``DomainError``) before it writes anything, so a
refusal leaves the caller's transaction clean and usable.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import ParamSpec, TypeVar

from django.db import connection, transaction

P = ParamSpec("P")
R = TypeVar("R")


def joins_transaction(func: Callable[P, R]) -> Callable[P, R]:
    """Run ``func`` in the open transaction (no savepoint), or in a new one."""

    @wraps(func)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        if connection.in_atomic_block:
            return func(*args, **kwargs)
        with transaction.atomic():
            return func(*args, **kwargs)

    return wrapper
