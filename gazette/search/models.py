"""Site search's own index on PostgreSQL: one narrow row per searchable article.

Wagtail's index entries are wide (title, body and autocomplete vectors of every indexed
object: 468 MB at 100,000 articles) and say nothing of sections or dates, so every match
read a wide row and then joined its page for the filters. This table holds what a search
reads, and only that: the article's weighted words and the two columns it filters and sorts
on. See docs/distribution.md, "Search speed".

PostgreSQL only (``required_db_vendor``): on SQLite, migrations skip the table and Wagtail's
FTS5 index serves the search as it is.
"""

from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVectorField
from django.db import models


class ArticleSearchEntry(models.Model):
    """A live, public article as site search matches it (gazette/search/entries.py keeps
    the rows in step): headline (weight A), standfirst (B) and body text (C)."""

    article = models.OneToOneField(
        "news.ArticlePage",
        primary_key=True,
        # Not a cascade: Django's delete collector would look for this table on SQLite too.
        # signals.py removes the entry of a deleted article; a rebuild removes strays.
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    # Copies of the article's columns, so that filters need no join (kept by entries.py).
    section_id = models.IntegerField(null=True)
    # The article's edition (wagtail Locale): a search reads its own edition's entries only,
    # stemmed in its language (entries.text_search_config).
    locale_id = models.IntegerField(null=True)
    first_published_at = models.DateTimeField(null=True)
    search_vector = SearchVectorField()

    class Meta:
        required_db_vendor = "postgresql"
        indexes = [
            GinIndex(fields=["search_vector"], name="site_search_entry_vector"),
            # Newest first, the order of a search's candidates: PostgreSQL reads it backwards,
            # checking each row's words, when a word is common enough for that to be quicker
            # than sorting all its matches.
            models.Index(
                fields=["-first_published_at", "-article"], name="site_search_entry_newest"
            ),
        ]

    def __str__(self) -> str:
        return f"search entry of article {self.article_id}"
