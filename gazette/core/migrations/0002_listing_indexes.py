"""Indexes for the newest-first listings, on Wagtail's page table.

Every listing orders live articles by ``first_published_at DESC NULLS LAST`` (then id): the
home page's lead story, sections, authors, feeds. Wagtail's own index on first_published_at
sorts NULLs the other way, so PostgreSQL cannot walk it for that order and sorts every live
page instead. This partial index holds live pages only, in listing order. SQLite cannot put
NULLS LAST in an index and plans these small databases well without it: PostgreSQL only.
"""

from django.db import migrations

INDEXES = {
    "gazette_page_live_newest_idx": (
        "ON wagtailcore_page (first_published_at DESC NULLS LAST, id DESC) WHERE live"
    ),
}


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, definition in INDEXES.items():
        schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {name} {definition}")


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0001_initial"),
        ("wagtailcore", "0098_apitoken"),
    ]

    operations = [migrations.RunPython(create, drop, elidable=False)]
