"""Set-based inserts shared by the apps that record device messages."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db import connection

INSERT_CHUNK = 500  # rows per statement: well under SQLite's and PostgreSQL's parameter limits


def insert_new_rows(
    table: str, columns: Sequence[str], rows: list[list[Any]], key: str, returning: str
) -> list[tuple[Any, ...]]:
    """``INSERT … ON CONFLICT (key) DO NOTHING RETURNING``: the rows that were new.

    Pass rows in key order so concurrent batches with overlapping rows wait, never deadlock.
    """
    placeholders = "(" + ",".join(["%s"] * len(columns)) + ")"
    out: list[tuple[Any, ...]] = []
    with connection.cursor() as cursor:
        for i in range(0, len(rows), INSERT_CHUNK):
            chunk = rows[i : i + INSERT_CHUNK]
            cursor.execute(
                f"INSERT INTO {table} ({','.join(columns)}) VALUES "
                f"{','.join([placeholders] * len(chunk))} ON CONFLICT ({key}) DO NOTHING "
                f"RETURNING {returning}",
                [v for row in chunk for v in row],
            )
            out += cursor.fetchall()
    return out
