"""tests/flush_snapshot.py: a flush that puts the snapshot back leaves the rows that Django's
`post_migrate` leaves after a flush (the content types and every app's permissions), and the
same rows, keys included, on every flush after the first."""

import pytest
from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.core.management.sql import emit_post_migrate_signal
from django.db import connection
from wagtail.models import Collection, Locale, Page

from tests.factories import ArticleFactory, AuthorFactory, SectionFactory
from tests.flush_snapshot import _snapshots, rows_after_flush

pytestmark = pytest.mark.django_db(transaction=True)


def _flush(**options):
    call_command("flush", verbosity=0, interactive=False, reset_sequences=False, **options)


def _as_sets(snapshot):
    return {table.table: set(table.rows) for table in snapshot}


def _natural_keys():
    """The rows without their keys, which a second post_migrate numbers afresh."""
    content_types = set(ContentType.objects.values_list("app_label", "model"))
    permissions = set(
        Permission.objects.values_list(
            "content_type__app_label", "content_type__model", "codename", "name"
        )
    )
    return content_types, permissions


def test_a_restored_flush_leaves_what_post_migrate_leaves():
    _flush()  # the process's first flush (unless an earlier test flushed) takes the snapshot
    _flush()  # and this one puts it back
    restored = rows_after_flush("default")
    assert _as_sets(restored) == _as_sets(_snapshots["default"])
    restored_keys = _natural_keys()
    assert ("wagtailcore", "page") in restored_keys[0]
    assert ("auth", "group", "add_group", "Can add group") in restored_keys[1]

    _flush(inhibit_post_migrate=True)
    emit_post_migrate_signal(0, False, "default")  # Django's own, the receivers called
    signalled = rows_after_flush("default")

    assert [table.table for table in signalled] == [table.table for table in restored]
    assert [len(table.rows) for table in signalled] == [len(table.rows) for table in restored]
    assert _natural_keys() == restored_keys


def test_a_flush_empties_every_table_but_the_snapshots():
    """On PostgreSQL by a DELETE from each table (`flush_sql`), elsewhere Django's statements:
    whichever, only the rows the snapshot puts back are left."""
    _flush()  # the snapshot taken, if no earlier test of this process flushed
    # The rows Wagtail's migrations made, gone with the flush (tests/browser/conftest.py).
    Locale.objects.get_or_create(language_code="en")
    Collection.add_root(name="Root")
    Page.add_root(instance=Page(title="Root", slug="root", live=True))
    section = SectionFactory()
    ArticleFactory(parent=section)
    AuthorFactory()
    assert Page.objects.count() > 2
    _flush()
    assert _as_sets(rows_after_flush("default")) == _as_sets(_snapshots["default"])


def test_every_foreign_key_can_wait_for_the_flushs_end():
    """The DELETEs run in no particular order: every foreign key must be checked at the
    transaction's end (Django makes them DEFERRABLE), none on each statement."""
    if connection.vendor != "postgresql":
        pytest.skip("the DELETEs are PostgreSQL's flush; SQLite checks keys at the end anyway")
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT conrelid::regclass::text, conname FROM pg_constraint "
            "WHERE contype = 'f' AND NOT condeferrable"
        )
        assert cursor.fetchall() == []
        cursor.execute("SELECT count(*) FROM pg_constraint WHERE contype = 'f'")
        assert cursor.fetchone()[0] > 100
