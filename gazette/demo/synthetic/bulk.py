"""Plain multi-row inserts for the generator's large tables (comments, view buckets).

Building a million model instances for ``bulk_create`` costs more than the insert itself; the
generator hands over tuples whose values are already what the database takes.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime

from django.db import connection, transaction

ROWS_PER_TRANSACTION = 20_000


def db_datetime(value: datetime | None):
    """An aware datetime as the database backend stores it (a string on SQLite)."""
    return None if value is None else connection.ops.adapt_datetimefield_value(value)


def insert_rows(model, columns: Sequence[str], rows: Iterable[tuple]) -> int:
    """INSERT ``rows`` (tuples in ``columns`` order) into ``model``'s table; returns how many.

    One executemany per transaction of ROWS_PER_TRANSACTION rows: SQLite would otherwise
    commit every row, and psycopg pipelines an executemany in one round trip.
    """
    quote = connection.ops.quote_name
    placeholders = ", ".join(["%s"] * len(columns))
    # Only our own table and column names are formatted in; values are bound.
    sql = (
        f"INSERT INTO {quote(model._meta.db_table)} "  # noqa: S608
        f"({', '.join(quote(column) for column in columns)}) VALUES ({placeholders})"
    )
    written = 0
    batch: list[tuple] = []
    for row in rows:
        batch.append(row)
        if len(batch) >= ROWS_PER_TRANSACTION:
            written += _execute(sql, batch)
            batch = []
    if batch:
        written += _execute(sql, batch)
    return written


def _execute(sql: str, batch: list[tuple]) -> int:
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.executemany(sql, batch)
    return len(batch)
