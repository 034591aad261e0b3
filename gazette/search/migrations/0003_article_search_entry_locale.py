"""The edition (Locale) of each search entry, and entries stemmed in their edition's language
(gazette/search/entries.py). PostgreSQL only, as the table. The entries written before are
removed: the post_migrate fill (signals.fill_after_first_migrate) writes them all again, with
their locale and language, as on a first migrate."""

from django.db import migrations, models


def remove_entries(apps, schema_editor):
    entry = apps.get_model("site_search", "ArticleSearchEntry")
    if entry._meta.can_migrate(schema_editor.connection):
        entry.objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("site_search", "0002_article_search_entry")]

    operations = [
        migrations.AddField(
            model_name="articlesearchentry",
            name="locale_id",
            field=models.IntegerField(null=True),
        ),
        migrations.RunPython(remove_entries, migrations.RunPython.noop, elidable=True),
    ]
