"""`seeded` for the browser tests: the reference page's import (tests/conftest.py) is the dear
part of their setup (10 to 18 s a test on a loaded machine, docs/testing.md), and
each of these tests flushes the database, so a module cannot share one import. Here a test
process imports it as before, and keeps the rows the import left (every table's, with their
keys); a later test whose database holds what that import started from gets those rows put
back instead of importing again: the same rows, with the same keys, as the import left.

"What it started from" is the number of rows in every table and what a test's fixtures may
have changed before `seeded` without adding a row: the site's language and the locales'
(use_site_language renames the site's own), the pages' addresses, titles and states, the
sites. A test whose database differs in any of those imports as before.

Only once a flush has put back tests/flush_snapshot.py's content types: before, the process's
first test reads the migrations' content types, whose keys the later tests' do not share.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import DEFAULT_DB_ALIAS, connections, transaction

from tests import flush_snapshot
from tests.flush_snapshot import TableRows


@dataclass(frozen=True)
class KeptImport:
    started_from: tuple
    rows_after: tuple[TableRows, ...]
    tables_after: frozenset[str]
    article_pk: int
    created: bool
    changed: bool
    headline_only_pks: tuple[int, ...]


# The import's rows, per database alias, from the first import after a flush.
_kept: dict[str, KeptImport] = {}
# Filled by triggers from the table of index entries (Wagtail's SQLite full-text search): its
# rows come back, and go, with those.
FILLED_BY_TRIGGERS = frozenset({"wagtailsearch_indexentry_fts"})


def _row_counts(database: str) -> dict[str, int]:
    connection = connections[database]
    quote = connection.ops.quote_name
    tables = sorted(connection.introspection.django_table_names(only_existing=True))
    with connection.cursor() as cursor:
        counts = {}
        for table in tables:
            cursor.execute(f"SELECT count(*) FROM {quote(table)}")  # noqa: S608 - Django's names
            counts[table] = cursor.fetchone()[0]
    return counts


def _started_from(database: str) -> tuple:
    """What an import starts from, but for the keys and the times (module docstring)."""
    from django.conf import settings
    from wagtail.models import Locale, Page, Site

    return (
        _row_counts(database),
        settings.LANGUAGE_CODE,
        sorted(Locale.objects.using(database).values_list("language_code", flat=True)),
        sorted(Page.objects.using(database).values_list("url_path", "title", "live")),
        sorted(
            Site.objects.using(database).values_list(
                "hostname", "port", "site_name", "is_default_site"
            )
        ),
    )


def seeded(home, import_the_reference_page):
    """The import's result, from the import or from its kept rows (module docstring)."""
    from gazette.importers.services import ImportResult
    from gazette.news.models import ArticlePage

    database = DEFAULT_DB_ALIAS
    after_a_flush = database in flush_snapshot._snapshots
    kept = _kept.get(database)
    started_from = _started_from(database) if after_a_flush else None
    if kept is not None and started_from == kept.started_from:
        counts = started_from[0]
        _put_back(database, kept, tables_now={t for t, n in counts.items() if n})
        return ImportResult(
            article=ArticlePage.objects.get(pk=kept.article_pk),
            created=kept.created,
            changed=kept.changed,
            headline_only=[ArticlePage.objects.get(pk=pk) for pk in kept.headline_only_pks],
        )
    result = import_the_reference_page(home)
    if after_a_flush and kept is None:
        _kept[database] = _keep(database, started_from, result)
    return result


def _keep(database: str, started_from: tuple, result) -> KeptImport:
    # The tables a flush puts back as they were (content types, permissions) are left alone.
    as_a_flush_leaves = {table.table: table.rows for table in flush_snapshot._snapshots[database]}
    rows_after = tuple(
        table
        for table in flush_snapshot.rows_after_flush(database)
        if as_a_flush_leaves.get(table.table) != table.rows
        and table.table not in FILLED_BY_TRIGGERS
    )
    return KeptImport(
        started_from=started_from,
        rows_after=rows_after,
        tables_after=frozenset(table.table for table in rows_after),
        article_pk=result.article.pk,
        created=result.created,
        changed=result.changed,
        headline_only_pks=tuple(page.pk for page in result.headline_only),
    )


def _put_back(database: str, kept: KeptImport, *, tables_now: set[str]) -> None:
    """Empty the tables that hold rows now (but those a flush put back) and the import's, then
    put the import's rows back: one transaction, the foreign keys checked at its end."""
    from gazette.analytics.counters import counter
    from tests.conftest import empty_caches

    connection = connections[database]
    quote = connection.ops.quote_name
    as_a_flush_leaves = {table.table for table in flush_snapshot._snapshots[database]}
    left_alone = (as_a_flush_leaves - kept.tables_after) | FILLED_BY_TRIGGERS
    emptied = (tables_now | kept.tables_after) - left_alone
    with transaction.atomic(using=database):
        with connection.cursor() as cursor:
            for table in sorted(emptied):
                cursor.execute(f"DELETE FROM {quote(table)}")  # noqa: S608 - Django's names
        flush_snapshot.restore(database, kept.rows_after)
    # What the import's signals leave beyond its rows: nothing cached from the rows replaced
    # (the home page `home` made, the site's root paths), and the beacon's list of live
    # articles told that the live articles changed, as a publish tells it.
    empty_caches()
    counter.bump_live_version()
