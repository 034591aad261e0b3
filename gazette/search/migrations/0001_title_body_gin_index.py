"""A GIN index on ``title || body`` of Wagtail's search index entries, on PostgreSQL.

Wagtail's PostgreSQL backend matches ``title || body`` but ships GIN indexes on each column
only, so every search read the whole index table. Site search matches the same expression
(gazette/search/queries.py), which this index serves. SQLite's FTS5 table needs nothing.
"""

from django.db import migrations

INDEX = "site_search_title_body_gin"


def _table() -> str:
    from modelsearch.conf import get_app_config

    return get_app_config().get_model("IndexEntry")._meta.db_table


def create_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {INDEX} ON {_table()} USING gin ((title || body))"
        )


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    dependencies = [("wagtailsearch", "0010_add_text_fields")]

    operations = [migrations.RunPython(create_index, drop_index, elidable=False)]
