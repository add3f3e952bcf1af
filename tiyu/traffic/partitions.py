"""Monthly partitions of the raw gate-event table on PostgreSQL (a no-op elsewhere).

The table is created partitioned by ``occurred_at`` with a DEFAULT partition, so
an insert never fails for want of a partition. :func:`ensure` creates the
monthly partitions for a range, moving any rows the DEFAULT partition caught
for those months; the ``traffic_partitions`` job keeps the coming months ready
and :func:`drop_before` drops months past the retention whole.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

from django.db import connection, transaction

TABLE = "traffic_gateevent"
DEFAULT = f"{TABLE}_default"

CREATE = f"""
CREATE TABLE {TABLE} (
    id bigserial NOT NULL,
    venue_id bigint NOT NULL,
    device_id bigint NOT NULL,
    message_id varchar(64) NOT NULL,
    occurred_at timestamptz NOT NULL,
    received_at timestamptz NOT NULL,
    direction varchar(3) NOT NULL,
    method varchar(16) NOT NULL,
    person_key varchar(64) NOT NULL,
    PRIMARY KEY (id, occurred_at),
    CONSTRAINT gate_event_once UNIQUE (device_id, message_id, occurred_at)
) PARTITION BY RANGE (occurred_at);
CREATE INDEX gate_event_venue_time ON {TABLE} (venue_id, occurred_at);
CREATE TABLE {DEFAULT} PARTITION OF {TABLE} DEFAULT;
"""


def is_partitioned() -> bool:
    return connection.vendor == "postgresql"


def _months(start: date, end: date) -> list[date]:
    out, current = [], date(start.year, start.month, 1)
    while current <= end:
        out.append(current)
        current = date(current.year + current.month // 12, current.month % 12 + 1, 1)
    return out


def _next_month(first: date) -> date:
    return date(first.year + first.month // 12, first.month % 12 + 1, 1)


def _utc(first: date) -> datetime:
    """Partitions are UTC months: storage needs no local calendar, and UTC never shifts."""
    return datetime(first.year, first.month, first.day, tzinfo=UTC)


def _name(first: date) -> str:
    return f"{TABLE}_y{first.year}m{first.month:02d}"


def existing() -> set[str]:
    """Names of the monthly partitions that exist now."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
            "JOIN pg_class p ON p.oid = i.inhparent WHERE p.relname = %s",
            [TABLE],
        )
        return {r[0] for r in cursor.fetchall()} - {DEFAULT}


def ensure(start: date, end: date) -> list[str]:
    """Create the monthly partitions covering ``start``…``end``; the names created."""
    if not is_partitioned():
        return []
    have, made = existing(), []
    for first in _months(start, end):
        name = _name(first)
        if name in have:
            continue
        bounds = [_utc(first), _utc(_next_month(first))]
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(f"CREATE TABLE {name} (LIKE {TABLE} INCLUDING DEFAULTS)")
            cursor.execute(
                f"WITH moved AS (DELETE FROM {DEFAULT} WHERE occurred_at >= %s "
                f"AND occurred_at < %s RETURNING *) INSERT INTO {name} "
                f"SELECT * FROM moved",
                bounds,
            )
            cursor.execute(
                f"ALTER TABLE {TABLE} ATTACH PARTITION {name} FOR VALUES FROM (%s) TO (%s)",
                bounds,
            )
        made.append(name)
    return made


def drop_before(cutoff: datetime) -> int:
    """Drop the monthly partitions that end before ``cutoff``; the number of rows they held."""
    if not is_partitioned():
        return 0
    dropped = 0
    for name in sorted(existing()):
        year, month = int(name[-7:-3]), int(name[-2:])
        if _utc(_next_month(date(year, month, 1))) <= cutoff:
            with connection.cursor() as cursor:
                cursor.execute(f"SELECT count(*) FROM {name}")
                dropped += cursor.fetchone()[0]
                cursor.execute(f"DROP TABLE {name}")
    return dropped
