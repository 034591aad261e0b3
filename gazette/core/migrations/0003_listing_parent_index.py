"""The section listings' index, on Wagtail's page table: live pages by parent, newest first.

A section lists its child pages newest first, and the home page the newest few of every
section. The parent is in no column of the page table (treebeard keeps a materialized path),
and ``news_articlepage.section_id`` cannot share an index with ``first_published_at``: so
PostgreSQL sorted a section's whole archive, or every article for the home page. Keyed on the
parent's path (the page's path less its last step: ``gazette.core.compat.PARENT_PATH_SQL``,
which the listing queries spell exactly alike), a section's stories are one range of this index, in
listing order. On PostgreSQL it also covers the path and content type, so that counting a
section's pages reads the index alone. SQLite has no INCLUDE nor NULLS LAST in an index; its
descending order puts NULLs last anyway. SQLite also gets migration 0002's newest-first index
here: without it, a 100k-article SQLite database sorted every live page for the lead story.
"""

from django.db import migrations

from gazette.core.compat import PARENT_PATH_SQL as PARENT_PATH
INDEXES = {
    "postgresql": {
        "gazette_page_live_parent_newest_idx": (
            f"ON wagtailcore_page ({PARENT_PATH}, first_published_at DESC NULLS LAST, id DESC) "
            "INCLUDE (path, content_type_id) WHERE live"
        ),
    },
    "sqlite": {
        "gazette_page_live_parent_newest_idx": (
            f"ON wagtailcore_page ({PARENT_PATH}, first_published_at DESC, id DESC) WHERE live"
        ),
        "gazette_page_live_newest_idx": (
            "ON wagtailcore_page (first_published_at DESC, id DESC) WHERE live"
        ),
    },
}


# PostgreSQL keeps no statistics of a partial index's expression for the planner, which then
# guesses that 0.5% of all pages share any parent, and may read the whole page table for the
# home page's dozen sections. Statistics on the expression give it the true counts.
STATISTICS = "gazette_page_parent_path_stats"


def create(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    for name, definition in INDEXES.get(vendor, {}).items():
        schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {name} {definition}")
    if vendor == "postgresql":
        schema_editor.execute(
            f"CREATE STATISTICS IF NOT EXISTS {STATISTICS} ON ({PARENT_PATH}) FROM wagtailcore_page"
        )
        schema_editor.execute("ANALYZE wagtailcore_page")  # a sample: well under a second


def drop(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    for name in INDEXES.get(vendor, {}):
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")
    if vendor == "postgresql":
        schema_editor.execute(f"DROP STATISTICS IF EXISTS {STATISTICS}")


class Migration(migrations.Migration):
    dependencies = [("core", "0002_listing_indexes")]

    operations = [migrations.RunPython(create, drop, elidable=False)]
