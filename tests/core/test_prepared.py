"""gazette.core.prepared: PostgreSQL parses and plans a fixed statement once per connection,
through Django's cursor wrapper (its query log, its execute wrappers, its errors)."""

import pytest
from django.db import DatabaseError, connection, transaction

from gazette.core.prepared import prepared_cursor

pytestmark = pytest.mark.django_db

STATEMENT = "SELECT %s + 1"


def _prepared_statements() -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        return [row[0] for row in cursor.fetchall()]


def test_the_answer_is_the_plain_cursors():
    with prepared_cursor(connection) as cursor:
        cursor.execute(STATEMENT, [41])
        assert cursor.fetchone()[0] == 42


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's prepared statements")
def test_postgresql_prepares_the_statement_once_per_connection():
    for number in range(3):
        with prepared_cursor(connection) as cursor:
            cursor.execute(STATEMENT, [number])
            assert cursor.fetchone()[0] == number + 1
    assert _prepared_statements().count("SELECT $1 + 1") == 1


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's prepared statements")
def test_with_prepared_statements_off_nothing_is_prepared(monkeypatch):
    """DATABASE_PREPARED_STATEMENTS=false (a proxy that cannot keep them): the same answers."""
    connection.ensure_connection()
    monkeypatch.setattr(connection.connection, "prepare_threshold", None)
    with prepared_cursor(connection) as cursor:
        cursor.execute(STATEMENT, [1])
        assert cursor.fetchone()[0] == 2
    assert "SELECT $1 + 1" not in _prepared_statements()


def test_its_statements_are_logged_and_wrapped_as_djangos(django_assert_num_queries):
    seen = []

    def watch(execute, sql, params, many, context):
        seen.append(sql)
        return execute(sql, params, many, context)

    with (
        django_assert_num_queries(1),
        connection.execute_wrapper(watch),
        prepared_cursor(connection) as cursor,
    ):
        cursor.execute(STATEMENT, [1])
    assert seen == [STATEMENT]


def test_a_failing_statement_raises_djangos_error_and_the_next_one_runs():
    with pytest.raises(DatabaseError), transaction.atomic(), prepared_cursor(connection) as cursor:
        cursor.execute("SELECT %s FROM no_such_table", [1])
    with prepared_cursor(connection) as cursor:
        cursor.execute(STATEMENT, [2])
        assert cursor.fetchone()[0] == 3
