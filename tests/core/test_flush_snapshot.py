"""tests/flush_snapshot.py: a flush that puts the snapshot back leaves the rows that Django's
`post_migrate` leaves after a flush (the content types and every app's permissions), and the
same rows, keys included, on every flush after the first."""

import pytest
from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.core.management.sql import emit_post_migrate_signal

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
