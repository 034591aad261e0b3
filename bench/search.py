"""Site search, sitemaps, feeds and the API on a large synthetic newsroom.

    .venv/bin/python bench/search.py [--articles 100000] [--queries 200] [--keep DIR]
    .venv/bin/python deploy/local_services.py run --fast -- .venv/bin/python bench/search.py

Builds the newsroom in a throwaway database (SQLite in a temporary directory, or the
PostgreSQL of DATABASE_URL), indexes it with Wagtail's search backend (and, on PostgreSQL,
writes site search's own entries: ``rebuild_search_entries``), then times what a
reader's search does (count and first page of results, for best-match and newest-first
orderings, and best match within one section) over a fixed list of one-, two- and
three-word queries drawn from the synthetic vocabulary, and once each the sitemap index,
an article sitemap page, the news sitemap, a feed and an API page through the Django test
client. Prints p50/p95/max in milliseconds.

``--before`` also times, in the same run and over the same queries, the search as it was
before: on SQLite, before it ranked only the best RANKED_LIMIT matches (every match counted
and ranked, the FTS5 path in Python); on PostgreSQL, before it had a table of its own (the
same candidates read from Wagtail's wide index entries, filtered by a join to the pages).

``--keep DIR`` keeps the SQLite database in DIR, and a database (SQLite or PostgreSQL) that
already holds the articles is used as it is: building and indexing 100,000 articles takes
20 minutes or more on 2 cores.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from random import Random

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def _setup(database_dir: str) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gazette.settings.dev")
    os.environ["DEBUG"] = "false"
    os.environ.setdefault("ALLOWED_HOSTS", "testserver,localhost")
    if not os.environ.get("DATABASE_URL"):
        os.environ["GAZETTE_VAR_DIR"] = database_dir
    import django

    django.setup()


def _timed(function, repeat: int = 1) -> list[float]:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        function()
        times.append((time.perf_counter() - started) * 1000)
    return times


def _summary(name: str, times: list[float]) -> str:
    ordered = sorted(times)
    p95 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))]
    return (
        f"{name:<38} n={len(times):<4} p50={statistics.median(ordered):7.1f} ms "
        f"p95={p95:7.1f} ms  max={ordered[-1]:7.1f} ms"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--keep", metavar="DIR", help="keep (and reuse) the SQLite database")
    parser.add_argument("--before", action="store_true", help="time the old search too")
    options = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="gazette-bench-") as directory:
        _setup(options.keep or directory)
        from django.core.management import call_command
        from django.db import connection

        print(f"database: {connection.vendor}; articles: {options.articles}", flush=True)
        call_command("migrate", verbosity=0)
        from gazette.news.models import ArticlePage

        if ArticlePage.objects.count() < options.articles:
            started = time.perf_counter()
            from gazette.demo.synthetic.newsroom import generate_newsroom

            generate_newsroom(articles=options.articles)
            print(f"newsroom built in {time.perf_counter() - started:.0f} s", flush=True)
            started = time.perf_counter()
            call_command("update_index", verbosity=0)
            print(f"search index built in {time.perf_counter() - started:.0f} s", flush=True)
        else:
            print(f"reusing {ArticlePage.objects.count()} articles and their index", flush=True)
        _write_search_entries()
        # Planner statistics, as PostgreSQL's autovacuum keeps them (SQLite keeps none by
        # itself: see docs/distribution.md).
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        _bench(options.queries, before=options.before)


def _write_search_entries() -> None:
    """Site search's own entries (PostgreSQL only), which the generator does not write."""
    from django.core.management import call_command

    from gazette.news.models import ArticlePage
    from gazette.search.entries import enabled
    from gazette.search.models import ArticleSearchEntry

    if not enabled() or ArticleSearchEntry.objects.count() >= ArticlePage.objects.live().count():
        return
    started = time.perf_counter()
    call_command("rebuild_search_entries", no_progress=True, verbosity=0)
    print(f"search entries written in {time.perf_counter() - started:.0f} s", flush=True)


def _bench(count: int, *, before: bool) -> None:
    from django.core.paginator import Paginator
    from django.test import Client

    from gazette.demo.synthetic.text import SECTIONS
    from gazette.news.models import SectionPage
    from gazette.search.queries import NEWEST, RELEVANCE, SearchFilters, search_articles
    from gazette.search.terms import parse_terms
    from gazette.search.views import RESULTS_PER_PAGE

    vocabulary = sorted({word for _, words in SECTIONS for word in words})
    rng = Random(7)
    queries = [" ".join(rng.sample(vocabulary, rng.choice([1, 1, 2, 2, 3]))) for _ in range(count)]
    world = SectionPage.objects.get(slug="world")
    searches = {
        "best match": SearchFilters(order=RELEVANCE),
        "newest first": SearchFilters(order=NEWEST),
        "best match in World": SearchFilters(order=RELEVANCE, section=world),
    }
    engines = {"now": search_articles}
    if before:
        engines = {"before": _search_before, **engines}

    for label, filters in searches.items():
        for engine, search in engines.items():

            def first_page(query, filters=filters, search=search):
                results = search(terms=parse_terms(query), filters=filters)
                page = Paginator(results, RESULTS_PER_PAGE).get_page(1)
                list(page)
                return page.paginator.count

            first_page(queries[0])  # warm per-process caches
            times = []
            for query in queries:
                times += _timed(lambda q=query: first_page(q))
            print(_summary(f"search, {label}, {engine}", times), flush=True)

    client = Client()
    client.get("/")  # warm per-process caches
    for url in [
        "/search/?q=border+treaty",
        "/sitemap.xml",
        "/sitemaps/articles-0.xml",
        "/sitemaps/news.xml",
        "/feeds/rss.xml",
        "/api/v1/articles?page=100",
    ]:
        client.get(url)
        print(_summary(f"GET {url}", _timed(lambda u=url: client.get(u), repeat=10)), flush=True)


def _search_before(*, terms, filters):
    """The search as it was before: on SQLite before CANDIDATE_LIMIT (every match counted
    and ranked, the FTS5 path in Python); on PostgreSQL before its own table (the same
    candidates, read from Wagtail's index entries)."""
    from django.db import connection
    from django.db.models.expressions import RawSQL

    from gazette.search.queries import NEWEST, filtered_articles, search_articles, with_teasers

    if connection.vendor == "postgresql":
        results = search_articles(terms=terms, filters=filters)
        results.engine = _wagtail_index_entries()(results.engine.config)
        return results
    articles = with_teasers(filtered_articles(filters))
    sql, params = _fts_matches_before(terms, with_score=False)
    matching = articles.filter(pk__in=RawSQL(sql, params))  # noqa: S611 - parameters
    if filters.order == NEWEST:
        return matching.newest_first()
    return _RankEveryMatch(matching, terms)


def _wagtail_index_entries():
    """The PostgreSQL engine of gazette/search/queries.py before ArticleSearchEntry: Wagtail's
    index entries matched through the GIN index on ``title || body`` (migration 0001), newest
    entry first, the filters a correlated EXISTS on the pages."""
    from gazette.search.queries import ENTRY, IndexEntryMatches, _index_tables

    class WagtailIndexEntries(IndexEntryMatches):
        article_id = f"CAST({ENTRY}.object_id AS INTEGER)"
        score = (
            f"ts_rank({ENTRY}.title, search_query) * {ENTRY}.title_norm"
            f" + ts_rank({ENTRY}.body, search_query)"
        )
        newest_entry_first = f"{ENTRY}.id DESC"

        def __init__(self, config):
            self.config = config

        def _tsquery(self, terms):
            if self.config:
                return "plainto_tsquery(%s::regconfig, %s)", [self.config, terms.text]
            return "plainto_tsquery(%s)", [terms.text]

        def matches(self, terms):
            entries, content_types = _index_tables()
            tsquery, tsquery_params = self._tsquery(terms)
            placeholders = ", ".join(["%s"] * len(content_types))
            sql = (
                f"FROM {entries} {ENTRY}, {tsquery} search_query "
                f"WHERE ({ENTRY}.title || {ENTRY}.body) @@ search_query "
                f"AND {ENTRY}.content_type_id IN ({placeholders})"
            )
            return sql, [*tsquery_params, *content_types]

        def match_counts(self, terms, *, since):
            entries, _ = _index_tables()
            tsquery, params = self._tsquery(terms)
            sql = (
                f"SELECT count(*), count(*) FILTER (WHERE id >= %s) FROM {entries} "  # noqa: S608
                f"WHERE (title || body) @@ {tsquery}"
            )
            return sql, [since, *params]

    return WagtailIndexEntries


def _fts_matches_before(terms, *, with_score: bool) -> tuple[str, list]:
    from modelsearch.conf import get_app_config
    from modelsearch.utils import get_descendants_content_types_pks

    from gazette.news.models import ArticlePage
    from gazette.search.queries import BM25_WEIGHTS

    config = get_app_config()
    entries = config.get_model("IndexEntry")._meta.db_table
    fts = config.get_model("SQLiteFTSIndexEntry")._meta.db_table
    content_types = list(get_descendants_content_types_pks(ArticlePage))
    match = "{title body} : (" + " AND ".join(f'"{term}"' for term in terms.terms) + ")"
    score = f", bm25({fts}, {', '.join(str(w) for w in BM25_WEIGHTS)})" if with_score else ""
    placeholders = ", ".join(["%s"] * len(content_types))
    sql = (
        f"SELECT CAST(e.object_id AS INTEGER){score} FROM {fts} "  # noqa: S608
        f"CROSS JOIN {entries} e ON e.id = {fts}.rowid "
        f"WHERE {fts} MATCH %s AND e.content_type_id IN ({placeholders})"
    )
    return sql, [match, *content_types]


class _RankEveryMatch:
    """The SQLite path before CANDIDATE_LIMIT: bm25 of every match, sorted in Python."""

    def __init__(self, matching, terms):
        self.matching = matching
        self.terms = terms
        self._ranked = None

    def ranked_ids(self):
        from django.db import connection

        if self._ranked is None:
            sql, params = _fts_matches_before(self.terms, with_score=True)
            with connection.cursor() as cursor:
                cursor.execute(sql, params)
                scores = dict(cursor.fetchall())
            ids = self.matching.values_list("pk", flat=True)
            self._ranked = sorted(ids, key=lambda pk: (scores.get(pk, 0.0), -pk))
        return self._ranked

    def count(self):
        return len(self.ranked_ids())

    def __len__(self):
        return self.count()

    def __getitem__(self, index):
        ids = self.ranked_ids()[index]
        by_id = {article.pk: article for article in self.matching.filter(pk__in=ids)}
        return [by_id[pk] for pk in ids if pk in by_id]


if __name__ == "__main__":
    main()
