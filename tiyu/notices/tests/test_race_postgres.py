"""Two reminder jobs racing for one dedupe key on PostgreSQL: one notice, no error.

Each caller runs in its own thread and connection, released together, inside
its own transaction (as a job would), so both pass the existence check before
either commits and the unique constraint has the last word. Skipped on SQLite,
which serialises writers at BEGIN.
"""

from __future__ import annotations

import threading

import pytest
from django.db import connection, transaction

from tiyu.notices.models import Notice
from tiyu.notices.services import notify

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL"),
    pytest.mark.django_db(transaction=True),
]

CALLERS = 8


def test_racing_reminders_write_one_notice(world):
    barrier = threading.Barrier(CALLERS)
    results: list[object] = [None] * CALLERS

    def run(i: int) -> None:
        try:
            barrier.wait(timeout=30)
            with transaction.atomic():
                n = notify(
                    user=world.resident,
                    kind="booking_reminder",
                    title="提醒",
                    body="",
                    dedupe_key="reminder:race",
                )
                results[i] = "created" if n is not None else "duplicate"
        except Exception as exc:  # judged below
            results[i] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(CALLERS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert results.count("created") == 1, results
    assert results.count("duplicate") == CALLERS - 1, results
    assert Notice.objects.filter(dedupe_key="reminder:race").count() == 1
