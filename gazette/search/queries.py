"""Site search over live articles with Wagtail's search index (SQLite FTS5 on the embedded
default, PostgreSQL full text in production).

On PostgreSQL the query goes through Wagtail's ``.search()``. On SQLite it reads Wagtail's
own FTS5 index directly: the backend's query lets SQLite scan every index entry and run the
MATCH once per entry unless ANALYZE has run, and ranks by a correlated subquery that runs
the MATCH once per result, so a search took seconds at a few thousand articles. Here the
MATCH runs once, first (CROSS JOIN fixes the order), and its bm25 scores rank the results.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db import connection
from django.db.models import Prefetch
from django.db.models.expressions import RawSQL
from django.utils import timezone
from wagtail.search.query import PlainText

from gazette.news.models import ArticlePage, SectionPage
from gazette.news.queries import TEASER_RENDITIONS

from .terms import SearchTerms

RELEVANCE = "relevance"
NEWEST = "newest"


@dataclass(frozen=True)
class SearchFilters:
    section: SectionPage | None = None
    published_from: date | None = None
    published_to: date | None = None
    order: str = RELEVANCE


def _start_of(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=timezone.get_current_timezone())


def search_articles(*, terms: SearchTerms, filters: SearchFilters):
    """Live, public articles matching every term, filtered and ordered; a lazy result that
    slices and counts in one query each, so a paginator can page it."""
    from gazette.images.models import CustomRendition

    articles = ArticlePage.objects.live().public()
    if filters.section is not None:
        articles = articles.in_section(filters.section)
    if filters.published_from:
        articles = articles.filter(first_published_at__gte=_start_of(filters.published_from))
    if filters.published_to:
        # "To" a day includes that whole day, in the site's time zone.
        end = _start_of(filters.published_to + timedelta(days=1))
        articles = articles.filter(first_published_at__lt=end)
    articles = articles.select_related("section", "lead_image").prefetch_related(
        Prefetch(
            "lead_image__renditions",
            queryset=CustomRendition.objects.filter(filter_spec__in=TEASER_RENDITIONS),
        )
    )
    if connection.vendor == "sqlite" and _uses_fts5():
        return _sqlite_search(articles, terms, filters)
    query = PlainText(terms.text, operator="and")
    if filters.order == NEWEST:
        return articles.order_by("-first_published_at", "-id").search(
            query, order_by_relevance=False
        )
    return articles.search(query)


# -- SQLite: Wagtail's FTS5 index, read in one pass -----------------------------------------

# bm25 weights of the FTS5 columns (autocomplete, body, title): a headline match counts double.
BM25_WEIGHTS = (0.0, 1.0, 2.0)


def _uses_fts5() -> bool:
    from modelsearch.backends import get_search_backend

    return type(get_search_backend()).__name__ == "SQLiteSearchBackend"


def _fts_matches(terms: SearchTerms, *, with_score: bool) -> tuple[str, list]:
    from modelsearch.conf import get_app_config
    from modelsearch.utils import get_descendants_content_types_pks

    config = get_app_config()
    entries = config.get_model("IndexEntry")._meta.db_table
    fts = config.get_model("SQLiteFTSIndexEntry")._meta.db_table
    content_types = list(get_descendants_content_types_pks(ArticlePage))
    # Terms are letters and digits only (terms.py), each quoted as an FTS5 string.
    match = "{title body} : (" + " AND ".join(f'"{term}"' for term in terms.terms) + ")"
    score = f", bm25({fts}, {', '.join(str(w) for w in BM25_WEIGHTS)})" if with_score else ""
    placeholders = ", ".join(["%s"] * len(content_types))
    # Only table names from the models go into the text; the reader's terms are parameters.
    sql = (
        f"SELECT CAST(e.object_id AS INTEGER){score} FROM {fts} "  # noqa: S608
        f"CROSS JOIN {entries} e ON e.id = {fts}.rowid "
        f"WHERE {fts} MATCH %s AND e.content_type_id IN ({placeholders})"
    )
    return sql, [match, *content_types]


def _sqlite_search(articles, terms: SearchTerms, filters: SearchFilters):
    sql, params = _fts_matches(terms, with_score=False)
    matching = articles.filter(pk__in=RawSQL(sql, params))  # noqa: S611 - parameters above
    if filters.order == NEWEST:
        return matching.newest_first()
    return RankedResults(matching, terms)


class RankedResults:
    """Best matches first, for a paginator: counting ranks every match (one query for the
    scores, one for the matches that pass the filters); a page fetches only its articles."""

    def __init__(self, matching, terms: SearchTerms):
        self.matching = matching
        self.terms = terms
        self._ranked: list[int] | None = None

    def ranked_ids(self) -> list[int]:
        if self._ranked is None:
            sql, params = _fts_matches(self.terms, with_score=True)
            with connection.cursor() as cursor:
                cursor.execute(sql, params)
                scores = dict(cursor.fetchall())
            ids = self.matching.values_list("pk", flat=True)
            # bm25 is lower for better matches; ties go to the newer article (higher id).
            self._ranked = sorted(ids, key=lambda pk: (scores.get(pk, 0.0), -pk))
        return self._ranked

    def count(self) -> int:
        return len(self.ranked_ids())

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, index):
        ids = self.ranked_ids()[index]
        if not isinstance(index, slice):
            return self[index : index + 1][0]
        by_id = {article.pk: article for article in self.matching.filter(pk__in=ids)}
        return [by_id[pk] for pk in ids if pk in by_id]
