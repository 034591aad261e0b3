"""Site search's narrow index table, PostgreSQL only: ``required_db_vendor`` makes every
operation here a no-op on SQLite (Django skips models that a database cannot migrate).
Fill it with ``manage.py rebuild_search_entries``."""

import django.contrib.postgres.indexes
import django.contrib.postgres.search
import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("news", "0002_articlepage_comment_policy"),
        ("site_search", "0001_title_body_gin_index"),
    ]

    operations = [
        migrations.CreateModel(
            name="ArticleSearchEntry",
            fields=[
                (
                    "article",
                    models.OneToOneField(
                        db_constraint=False,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        primary_key=True,
                        related_name="+",
                        serialize=False,
                        to="news.articlepage",
                    ),
                ),
                ("section_id", models.IntegerField(null=True)),
                ("first_published_at", models.DateTimeField(null=True)),
                ("search_vector", django.contrib.postgres.search.SearchVectorField()),
            ],
            options={
                "required_db_vendor": "postgresql",
                "indexes": [
                    django.contrib.postgres.indexes.GinIndex(
                        fields=["search_vector"], name="site_search_entry_vector"
                    ),
                    models.Index(
                        fields=["-first_published_at", "-article"], name="site_search_entry_newest"
                    ),
                ],
            },
        ),
    ]
