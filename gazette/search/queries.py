"""Site search over live articles: Wagtail's FTS5 index on the embedded SQLite default,
site search's own narrow table on PostgreSQL in production (models.ArticleSearchEntry).

Both are read directly rather than through Wagtail's ``.search()``, which counts and ranks
every match: at 100,000 articles a common word matches thousands of stories, and ranking
them (bm25, ts_rank) and joining each to its page was where the time went. Here one query
takes the matches that pass the filters, most recently indexed first on SQLite (the FTS5
rowid, read in order), most recently published first on PostgreSQL (the table's index),
and stops at ``CANDIDATE_LIMIT`` of them; only those are
ranked, by relevance or by date, and the reader pages through the best ``RANKED_LIMIT``.
Fewer matches than that and every one is ranked and counted exactly; more, and the count is
an estimate (``SearchResults.total``). See docs/distribution.md, "Search speed".
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import cached_property

from django.db import connection
from django.db.models.expressions import RawSQL
from django.utils import timezone
from wagtail.models import Page

from gazette.core import compat
from gazette.news.models import ArticlePage, SectionPage

from .terms import SearchTerms

RELEVANCE = "relevance"
NEWEST = "newest"
# The matches a search looks at: the most recently indexed that pass the filters.
CANDIDATE_LIMIT = 2000
# The ranked matches a reader can page through ("showing the best 500").
RANKED_LIMIT = 500
# bm25 weights of the FTS5 columns (autocomplete, body, title): a headline match counts double.
BM25_WEIGHTS = (0.0, 1.0, 2.0)
# ts_rank weights of D, C, B, A on PostgreSQL: headline A, standfirst B, body C; the body's
# words are stored without positions (entries.py), which ts_rank weighs as D: as C here.
TS_RANK_WEIGHTS = "{0.2, 0.2, 0.4, 1.0}"
# The alias of the index entry in the match queries: the filters' subquery refers to it.
ENTRY = "search_entry"


@dataclass(frozen=True)
class SearchFilters:
    section: SectionPage | None = None
    published_from: date | None = None
    published_to: date | None = None
    order: str = RELEVANCE
    # The language edition searched (a wagtail Locale's id); None: every edition.
    locale_id: int | None = None


def _start_of(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=timezone.get_current_timezone())


def filtered_articles(filters: SearchFilters):
    """Live, public articles that pass the section and date filters (no search terms)."""
    articles = ArticlePage.objects.live().public()
    if filters.locale_id is not None:
        articles = articles.in_edition(filters.locale_id)
    if filters.section is not None:
        articles = articles.in_section(filters.section)
    if filters.published_from:
        articles = articles.filter(first_published_at__gte=_start_of(filters.published_from))
    if filters.published_to:
        # "To" a day includes that whole day, in the site's time zone.
        end = _start_of(filters.published_to + timedelta(days=1))
        articles = articles.filter(first_published_at__lt=end)
    return articles


def search_articles(*, terms: SearchTerms, filters: SearchFilters) -> SearchResults:
    """Live, public articles matching every term, filtered and ordered: a lazy result that a
    paginator can count and slice."""
    return SearchResults(terms, filters)


@dataclass(frozen=True)
class Candidate:
    position: object  # where the engine's candidate order puts it (see match_counts)
    article_id: int
    score: float  # higher is better
    published: object  # first_published_at, as the database returns it (None sorts last)


class SearchResults:
    """What a paginator needs: ``count()`` (at most RANKED_LIMIT, so pages end there) and
    slices; ``total`` and ``total_is_estimate`` for the page's summary."""

    def __init__(self, terms: SearchTerms, filters: SearchFilters):
        self.terms = terms
        self.filters = filters
        self.order = filters.order
        self.engine = _engine(filters.locale_id)
        self.articles = filtered_articles(filters)

    @cached_property
    def _candidates(self) -> list[Candidate]:
        """Up to CANDIDATE_LIMIT matches that pass the filters, most recently indexed first."""
        sql, params = self._candidates_sql()
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return [Candidate(*row) for row in cursor.fetchall()]

    @cached_property
    def _ranked_ids(self) -> list[int]:
        if self.order == NEWEST:

            def key(candidate):
                published = candidate.published
                return (published is not None, published or 0, candidate.article_id)

        else:

            def key(candidate):
                return (candidate.score, candidate.article_id)

        ranked = sorted(self._candidates, key=key, reverse=True)
        return [candidate.article_id for candidate in ranked[:RANKED_LIMIT]]

    # -- counting ------------------------------------------------------------------------

    @property
    def total_is_estimate(self) -> bool:
        """More matches pass the filters than were looked at."""
        return len(self._candidates) >= CANDIDATE_LIMIT

    @property
    def capped(self) -> bool:
        """More matches than the reader can page through."""
        return len(self._candidates) > RANKED_LIMIT

    @cached_property
    def total(self) -> int:
        """Exact below CANDIDATE_LIMIT; beyond it an estimate, rounded to two figures: the
        engine's count of index matches (cheap: no join), times the share of them that passed
        the filters among those looked at."""
        if not self.total_is_estimate:
            return len(self._candidates)
        oldest = self._candidates[-1].position
        sql, params = self.engine.match_counts(self.terms, since=oldest)
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            matches, looked_at = cursor.fetchone()
        estimate = matches * len(self._candidates) / max(looked_at, 1)
        return max(CANDIDATE_LIMIT, _two_figures(estimate))

    def count(self) -> int:
        return len(self._ranked_ids)

    def __len__(self) -> int:
        return self.count()

    # -- pages -----------------------------------------------------------------------------

    def __getitem__(self, index):
        if not isinstance(index, slice):
            return self[index : index + 1][0]
        ids = self._ranked_ids[index]
        if not ids:
            return []
        page = self.articles.filter(pk__in=ids).for_listing(with_body=True)
        by_id = {article.pk: article for article in page}
        return [by_id[pk] for pk in ids if pk in by_id]

    def _candidates_sql(self) -> tuple[str, list]:
        return self.engine.candidates(self.terms, self.filters, self.articles)


def _two_figures(number: float) -> int:
    """12,345 -> 12,000: an estimate shown with no more precision than it has."""
    number = int(number)
    if number < 100:
        return number
    scale = 10 ** (len(str(number)) - 2)
    return round(number / scale) * scale


# -- the engines -------------------------------------------------------------------------


def _engine(locale_id: int | None = None):
    backend = compat.search_backend()
    if connection.vendor == "postgresql":
        return PostgresMatches(locale_id)
    if connection.vendor == "sqlite" and compat.uses_sqlite_full_text(backend):
        return SQLiteMatches()
    raise NotImplementedError(
        f"site search needs SQLite FTS5 or PostgreSQL, not {connection.vendor}"
    )


def _index_tables() -> tuple[str, list[int]]:
    return compat.search_index_entries(ArticlePage)


class IndexEntryMatches:
    """A search read from an engine's index of every indexed object: the matching entries,
    newest first, that pass Django's own query of the filters, run per match as a
    correlated EXISTS (primary key lookups) so that the engine's match drives the query.
    Subclasses give the match (``matches``), ``article_id``, ``score`` and the order."""

    article_id: str
    score: str
    newest_entry_first: str

    def matches(self, terms: SearchTerms) -> tuple[str, list]:
        raise NotImplementedError

    def candidates(self, terms: SearchTerms, filters: SearchFilters, articles):
        """Entry id, article id, score and first_published_at of the matches that pass the
        filters, newest entry first, at most CANDIDATE_LIMIT; the score and date are
        computed for the rows kept only."""
        match_sql, match_params = self.matches(terms)
        outer_id = RawSQL(self.article_id, ())  # noqa: S611 - a column, no input
        passes = articles.filter(pk=outer_id).values("pk")
        passes_sql, passes_params = passes.query.sql_with_params()
        pages = Page._meta.db_table
        published = (
            f"(SELECT first_published_at FROM {pages} WHERE id = {self.article_id})"  # noqa: S608
            if filters.order == NEWEST
            else "NULL"
        )
        score = self.score if filters.order == RELEVANCE else "0"
        sql = (
            f"SELECT {ENTRY}.id, {self.article_id}, {score}, {published} "
            f"{match_sql} AND EXISTS ({passes_sql}) "
            f"ORDER BY {self.newest_entry_first} LIMIT {CANDIDATE_LIMIT}"
        )
        return sql, [*match_params, *passes_params]


class SQLiteMatches(IndexEntryMatches):
    """Wagtail's FTS5 table: the MATCH runs once, first (CROSS JOIN fixes the order), and
    yields the index entries in rowid order, newest first without a sort; bm25 (lower is
    better, hence negated) scores the rows kept."""

    article_id = f"CAST({ENTRY}.object_id AS INTEGER)"

    @property
    def fts(self) -> str:
        return compat.sqlite_full_text_table()

    @property
    def score(self) -> str:
        return f"-bm25({self.fts}, {', '.join(str(weight) for weight in BM25_WEIGHTS)})"

    @property
    def newest_entry_first(self) -> str:
        return f"{self.fts}.rowid DESC"

    @staticmethod
    def _match(terms: SearchTerms) -> str:
        # Terms are letters and digits only (terms.py), each quoted as an FTS5 string.
        return "{title body} : (" + " AND ".join(f'"{term}"' for term in terms.terms) + ")"

    def matches(self, terms: SearchTerms) -> tuple[str, list]:
        """FROM and WHERE of the article entries matching every term."""
        entries, content_types = _index_tables()
        placeholders = ", ".join(["%s"] * len(content_types))
        # Only table names from the models go into the text; the reader's terms are parameters.
        sql = (
            f"FROM {self.fts} CROSS JOIN {entries} {ENTRY} ON {ENTRY}.id = {self.fts}.rowid "
            f"WHERE {self.fts} MATCH %s AND {ENTRY}.content_type_id IN ({placeholders})"
        )
        return sql, [self._match(terms), *content_types]

    def match_counts(self, terms: SearchTerms, *, since: int) -> tuple[str, list]:
        """Index entries matching the terms: all, and from entry ``since`` on."""
        sql = (
            f"SELECT count(*), count(*) FILTER (WHERE rowid >= %s) "  # noqa: S608
            f"FROM {self.fts} WHERE {self.fts} MATCH %s"
        )
        return sql, [since, self._match(terms)]


class PostgresMatches:
    """Site search's own narrow table (models.ArticleSearchEntry, kept by entries.py): one
    row per live, public article, with its weighted words and the columns the filters read,
    so that no match reads Wagtail's wide index rows or joins its page. The GIN index finds
    the matches, the filters are plain columns, the newest CANDIDATE_LIMIT by publication
    date are kept, and only those are scored (ts_rank, headline A > standfirst B > body C).
    The page shown is read through ``filtered_articles`` again, so a stale entry can never
    show a draft or a restricted story. A search of one edition reads its entries only,
    stemmed as they were: in the edition's language."""

    def __init__(self, locale_id: int | None = None):
        self.locale_id = locale_id

    def _tsquery(self, terms: SearchTerms) -> tuple[str, list]:
        # plainto_tsquery ANDs the words after the same stemming the entries were given. With
        # its configuration named it is immutable: the planner folds it to a constant and
        # estimates from the statistics how many entries match (the newest-first index for
        # a common word, the GIN index for a rare one).
        from .entries import locale_config

        return "plainto_tsquery(%s::regconfig, %s)", [locale_config(self.locale_id), terms.text]

    def _edition(self) -> tuple[str, list]:
        if self.locale_id is None:
            return "true", []
        return "locale_id = %s", [self.locale_id]

    def candidates(self, terms: SearchTerms, filters: SearchFilters, articles):
        """Publication time (the position), article id, score and publication time of the
        matches that pass the filters, newest first, at most CANDIDATE_LIMIT. Times are
        seconds since the epoch: 2,000 floats reach Python faster than 2,000 aware datetimes
        (11 ms of a 25 ms search at 100,000 articles)."""
        from .models import ArticleSearchEntry

        tsquery, params = self._tsquery(terms)
        where = [f"{ENTRY}.search_vector @@ search_query"]
        if self.locale_id is not None:
            where.append(f"{ENTRY}.locale_id = %s")
            params.append(self.locale_id)
        if filters.section is not None:
            where.append(f"{ENTRY}.section_id = %s")
            params.append(filters.section.pk)
        if filters.published_from:
            where.append(f"{ENTRY}.first_published_at >= %s")
            params.append(_start_of(filters.published_from))
        if filters.published_to:
            where.append(f"{ENTRY}.first_published_at < %s")
            params.append(_start_of(filters.published_to + timedelta(days=1)))
        score = f"ts_rank('{TS_RANK_WEIGHTS}', kept.search_vector, kept.search_query)"
        if filters.order != RELEVANCE:
            score = "0"
        # Table and column names only in the text; the reader's words are parameters. The
        # inner query keeps the rows, the outer one scores only those.
        sql = (
            f"SELECT kept.published, kept.article_id, {score}, kept.published "  # noqa: S608
            "FROM ("
            f"SELECT {ENTRY}.article_id, "
            f"extract(epoch FROM {ENTRY}.first_published_at)::float8 AS published, "
            f"{ENTRY}.search_vector, "
            f"search_query FROM {ArticleSearchEntry._meta.db_table} {ENTRY}, "
            f"{tsquery} search_query WHERE {' AND '.join(where)} "
            f"ORDER BY {ENTRY}.first_published_at DESC, {ENTRY}.article_id DESC "
            f"LIMIT {CANDIDATE_LIMIT}) kept"
        )
        return sql, params

    def match_counts(self, terms: SearchTerms, *, since) -> tuple[str, list]:
        """Entries matching the terms: all, and those published from ``since`` on (the
        candidates are the newest; None: they reached the undated entries, so all)."""
        from .models import ArticleSearchEntry

        tsquery, params = self._tsquery(terms)
        # A float of seconds can round the oldest candidate's time by a microsecond: a
        # millisecond's margin keeps it among those looked at.
        looked_at = (
            "first_published_at >= to_timestamp(%s) - interval '1 millisecond'"
            if since is not None
            else "true"
        )
        since_params = [since] if since is not None else []
        edition, edition_params = self._edition()
        sql = (
            f"SELECT count(*), count(*) FILTER (WHERE {looked_at}) "  # noqa: S608
            f"FROM {ArticleSearchEntry._meta.db_table} "
            f"WHERE search_vector @@ {tsquery} AND {edition}"
        )
        return sql, [*since_params, *params, *edition_params]
