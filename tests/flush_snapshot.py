"""The flush after each transactional test (live server, browser, task worker) ends with the
`post_migrate` signal, which makes every content type and permission again: 80 to 97% of the
flush's time (about 150 queries; docs/testing.md). Here the first flush of a test
process sends it as Django does and keeps a copy of the rows it left; every later flush puts
that copy back instead (a few multi-row inserts), so a test starts on the same rows, with the
same keys, as after the first. The receivers do nothing else a test can see after a flush: no
site to give an address (gazette.core.site_address), no article to index (gazette.search), the
reference index's handlers already connected; the content types' cache is emptied as
`create_contenttypes` empties it. tests/core/test_flush_snapshot.py holds that the rows match."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from django.core.management.commands import flush
from django.core.management.sql import sql_flush


@dataclass(frozen=True)
class TableRows:
    table: str
    columns: tuple[str, ...]
    rows: tuple[tuple, ...]


# The rows the first flush's post_migrate left, per database alias.
_snapshots: dict[str, tuple[TableRows, ...]] = {}


def rows_after_flush(database: str) -> tuple[TableRows, ...]:
    """Every table's rows, for the tables that have any (read just after a flush: those the
    signal made)."""
    from django.db import connections

    connection = connections[database]
    kept = []
    # Table and column names are Django's own, quoted: nothing from outside reaches the SQL.
    with connection.cursor() as cursor:
        for table in sorted(connection.introspection.django_table_names(only_existing=True)):
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")  # noqa: S608
            rows = cursor.fetchall()
            if rows:
                columns = tuple(column[0] for column in cursor.description)
                kept.append(TableRows(table, columns, tuple(rows)))
    return tuple(kept)


def restore(database: str, snapshot: tuple[TableRows, ...]) -> None:
    """Put the rows back with their keys, in one transaction (the foreign keys are checked at
    its end), and set PostgreSQL's sequences past them."""
    from django.apps import apps
    from django.contrib.contenttypes.models import ContentType
    from django.core.management.color import no_style
    from django.db import connections, transaction

    connection = connections[database]
    quote = connection.ops.quote_name
    models_by_table = {
        model._meta.db_table: model for model in apps.get_models(include_auto_created=True)
    }
    with transaction.atomic(using=database), connection.cursor() as cursor:
        for table in snapshot:
            columns = ", ".join(quote(column) for column in table.columns)
            placeholders = ", ".join(["%s"] * len(table.columns))
            cursor.executemany(
                f"INSERT INTO {quote(table.table)} ({columns}) VALUES ({placeholders})",  # noqa: S608
                table.rows,
            )
        models = [models_by_table[t.table] for t in snapshot if t.table in models_by_table]
        for statement in connection.ops.sequence_reset_sql(no_style(), models):
            cursor.execute(statement)
    ContentType.objects.clear_cache()


def _post_migrate_or_snapshot(send_post_migrate):
    def emit(verbosity, interactive, database, **kwargs):
        if database in _snapshots:
            restore(database, _snapshots[database])
            return
        send_post_migrate(verbosity, interactive, database, **kwargs)
        _snapshots[database] = rows_after_flush(database)

    return emit


def flush_sql(style, connection, *, reset_sequences=True, allow_cascade=False) -> list[str]:
    """The flush's statements. On PostgreSQL Django's TRUNCATE of every table (~250) makes new
    files for each table and its indexes, empty or not: 0.35-0.9 s a flush. A DELETE from each
    in the same one transaction (`execute_sql_flush`'s) empties the same tables in 0.06-0.13 s
    (docs/testing.md), as tests/browser/reference_rows.py empties them; the foreign keys,
    all deferrable (tests/core/test_flush_snapshot.py), are checked at its end. Sequences stay
    as a TRUNCATE without RESTART IDENTITY leaves them. Django's own statements otherwise."""
    if connection.vendor != "postgresql" or reset_sequences or allow_cascade:
        return sql_flush(
            style, connection, reset_sequences=reset_sequences, allow_cascade=allow_cascade
        )
    tables = connection.introspection.django_table_names(only_existing=True, include_views=False)
    quote = connection.ops.quote_name
    # Table names are Django's own, quoted: nothing from outside reaches the SQL.
    deletes = [f"DELETE FROM {quote(table)}" for table in sorted(tables)]  # noqa: S608
    return ["SET CONSTRAINTS ALL DEFERRED", *deletes]


@pytest.fixture(scope="session", autouse=True)
def _flush_restores_a_snapshot():
    """Only `flush` (TransactionTestCase's teardown) is changed: `migrate` still sends the
    signal itself."""
    send_post_migrate = flush.emit_post_migrate_signal
    flush.emit_post_migrate_signal = _post_migrate_or_snapshot(send_post_migrate)
    flush.sql_flush = flush_sql
    try:
        yield
    finally:
        flush.emit_post_migrate_signal = send_post_migrate
        flush.sql_flush = sql_flush
