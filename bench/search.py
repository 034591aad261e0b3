"""Site search, sitemaps, feeds and the API on a large synthetic newsroom.

    .venv/bin/python bench/search.py [--articles 100000] [--queries 200]
    .venv/bin/python deploy/local_services.py run --fast -- .venv/bin/python bench/search.py

Builds the newsroom in a throwaway database (SQLite in a temporary directory, or the
PostgreSQL of DATABASE_URL), indexes it with Wagtail's search backend, then times what a
reader's search does (count and first page of results, for best-match and newest-first
orderings) over a fixed list of one-, two- and three-word queries drawn from the synthetic
vocabulary, and once each the sitemap index, an article sitemap page, the news sitemap, a
feed and an API page through the Django test client. Prints p50/p95/max in milliseconds.
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
    options = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="gazette-bench-") as directory:
        _setup(directory)
        from django.core.management import call_command
        from django.db import connection

        print(f"database: {connection.vendor}; articles: {options.articles}", flush=True)
        call_command("migrate", verbosity=0)
        started = time.perf_counter()
        from gazette.synthetic.newsroom import generate_newsroom

        generate_newsroom(articles=options.articles)
        print(f"newsroom built in {time.perf_counter() - started:.0f} s", flush=True)
        started = time.perf_counter()
        call_command("update_index", verbosity=0)
        print(f"search index built in {time.perf_counter() - started:.0f} s", flush=True)
        # Planner statistics, as PostgreSQL's autovacuum keeps them (SQLite keeps none by
        # itself: see docs/search.md).
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        _bench(options.queries)


def _bench(count: int) -> None:
    from django.core.paginator import Paginator
    from django.test import Client

    from gazette.search.queries import NEWEST, RELEVANCE, SearchFilters, search_articles
    from gazette.search.terms import parse_terms
    from gazette.search.views import RESULTS_PER_PAGE
    from gazette.synthetic.text import SECTIONS

    vocabulary = sorted({word for _, words in SECTIONS for word in words})
    rng = Random(7)
    queries = [" ".join(rng.sample(vocabulary, rng.choice([1, 1, 2, 2, 3]))) for _ in range(count)]

    for order in (RELEVANCE, NEWEST):
        filters = SearchFilters(order=order)

        def first_page(query=None, filters=filters):
            results = search_articles(terms=parse_terms(query), filters=filters)
            page = Paginator(results, RESULTS_PER_PAGE).get_page(1)
            list(page)

        times = []
        for query in queries:
            times += _timed(lambda q=query: first_page(q))
        print(_summary(f"search, {order}, count + first page", times), flush=True)

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


if __name__ == "__main__":
    main()
