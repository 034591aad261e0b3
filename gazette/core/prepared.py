"""A cursor whose statements PostgreSQL parses and plans once per connection.

Django binds parameters on the client (psycopg's ``ClientCursor``) and never prepares a
statement: the ORM's SQL is not always preparable (Django's ticket #20516), and a
transaction-pooling proxy would lose prepared statements. A few fixed statements of our own
run on hot writes (a reader's comment); planning one of them cost PostgreSQL more CPU than
running it (docs/benchmarks.md, "The comment post, an eighth pass"). ``prepared_cursor``
gives Django's cursor wrapper (its execute wrappers, query logging and error translation)
around psycopg's server-binding cursor, each statement prepared the first time a connection
runs it and only bound and executed after that. Anywhere else it is Django's own cursor.

Only for statements written out by hand, never for the ORM's, and only on connections that
reach PostgreSQL itself: Gazette's pool does (docs/operations.md), a transaction-pooling
proxy in between would not keep the prepared statements.
"""

from __future__ import annotations

import functools

from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.backends.utils import CursorWrapper


def prepared_cursor(connection: BaseDatabaseWrapper) -> CursorWrapper:
    if connection.vendor != "postgresql":
        return connection.cursor()
    connection.ensure_connection()
    connection.validate_thread_sharing()
    with connection.wrap_database_errors:
        cursor = _preparing_cursor()(connection.connection)
    if connection.queries_logged:
        return connection.make_debug_cursor(cursor)
    return connection.make_cursor(cursor)


@functools.cache
def _preparing_cursor() -> type:
    from django.db.backends.postgresql.base import ServerBindingCursor

    class PreparingCursor(ServerBindingCursor):
        def execute(self, query, params=None, *, prepare=None, binary=None):
            prepare = True if prepare is None else prepare
            return super().execute(query, params, prepare=prepare, binary=binary)

    return PreparingCursor
