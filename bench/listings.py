"""The home and section pages at scale: database time and render time, before and after the
listing index (core migration 0003), in one run.

    .venv/bin/python bench/listings.py --database 1k=postgres://... --database 100k=postgres://...
    .venv/bin/python bench/listings.py --database 100k=sqlite:////tmp/x/gazette.sqlite3

Each database must already hold a migrated newsroom (``manage.py generate_newsroom``). For
each one the script renders, through the Django test client as an anonymous reader, the
home page and the first section's first page ``--repeat`` times after two warm-up requests,
timing every SQL statement (an execute wrapper plus its fetches, perf_counter: SQLite does
most of its work while rows are fetched) and the whole request. "before"
is the same process with the listings as they were (the home page ranking every article with
a window function, the section page counting its articles through the article join),
patched back onto the page classes; "after" is the code as it is. Prints p50/p95 in ms.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from itertools import groupby
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


# --- the listings as they were -----------------------------------------------------------


def _before_sections_with_stories(self, exclude):
    from django.db.models import F, Window
    from django.db.models.functions import RowNumber

    from gazette.home.models import STORIES_PER_SECTION
    from gazette.news.models import ArticlePage, SectionPage

    sections = list(SectionPage.objects.child_of(self).live().public().order_by("path"))
    stories = ArticlePage.objects.live().public()
    if exclude is not None:
        stories = stories.excluding(exclude)
    ranked = (
        stories.annotate(
            section_rank=Window(
                RowNumber(),
                partition_by=[F("section_id")],
                order_by=[F("first_published_at").desc(nulls_last=True), F("pk").desc()],
            )
        )
        .filter(section_rank__lte=STORIES_PER_SECTION)
        .for_listing()
    )
    by_section = {
        section_id: list(items)
        for section_id, items in groupby(
            sorted(ranked, key=lambda a: (a.section_id, a.section_rank)),
            key=lambda a: a.section_id,
        )
    }
    return [(s, by_section[s.pk]) for s in sections if s.pk in by_section]


def _before_section_context(self, request, *args, **kwargs):
    from django.core.paginator import Paginator
    from wagtail.models import Page

    from gazette.news.models import SECTION_PAGE_SIZE, ArticlePage

    context = Page.get_context(self, request, *args, **kwargs)
    articles = ArticlePage.objects.live().public().in_section(self).newest_first()
    context["articles"] = Paginator(articles.for_listing(), SECTION_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return context


# --- measuring -----------------------------------------------------------------------------


def _percentiles(values: list[float]) -> dict[str, float]:
    ordered = sorted(values)
    return {
        "p50": statistics.median(ordered),
        "p95": ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))],
    }


def _measure_here(repeat: int) -> dict:
    """Runs in the child process, DATABASE_URL set: both variants of both pages."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gazette.settings.dev")
    os.environ["DEBUG"] = "false"
    import django

    django.setup()
    from django.db import connection
    from django.db.backends.utils import CursorWrapper
    from django.test import Client

    from gazette.home.models import HomePage
    from gazette.news.models import ArticlePage, SectionPage

    section = SectionPage.objects.live().order_by("path").first()
    pages = {"home": "/", "section": section.url}
    client = Client(HTTP_HOST="127.0.0.1")
    spent: list[float] = []

    def timed_execute(execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            spent.append(time.perf_counter() - started)

    # SQLite runs most of a query while its rows are fetched, not in execute(): time both.
    untimed_getattr = CursorWrapper.__getattr__

    def timed_getattr(cursor, name):
        attribute = untimed_getattr(cursor, name)
        if not name.startswith("fetch"):
            return attribute

        def timed_fetch(*args, **kwargs):
            started = time.perf_counter()
            try:
                return attribute(*args, **kwargs)
            finally:
                if spent:
                    spent[-1] += time.perf_counter() - started

        return timed_fetch

    CursorWrapper.__getattr__ = timed_getattr

    variants = {
        "before": {
            (HomePage, "sections_with_stories"): _before_sections_with_stories,
            (SectionPage, "get_context"): _before_section_context,
        },
        "after": {},
    }
    results = {"articles": ArticlePage.objects.count(), "pages": {}}
    for variant, patches in variants.items():
        originals = {key: getattr(*key) for key in patches}
        for (cls, name), function in patches.items():
            setattr(cls, name, function)
        try:
            for page, path in pages.items():
                html, samples = None, {"db": [], "total": [], "queries": []}
                for attempt in range(repeat + 2):
                    spent.clear()
                    with connection.execute_wrapper(timed_execute):
                        started = time.perf_counter()
                        response = client.get(path)
                        total = time.perf_counter() - started
                    assert response.status_code == 200, (path, response.status_code)
                    html = response.content
                    if attempt >= 2:  # the first two warm per-process caches
                        samples["db"].append(sum(spent) * 1000)
                        samples["total"].append(total * 1000)
                        samples["queries"].append(len(spent))
                results["pages"].setdefault(page, {})[variant] = {
                    "db": _percentiles(samples["db"]),
                    "total": _percentiles(samples["total"]),
                    "queries": max(samples["queries"]),
                    "html": html.decode(),
                }
        finally:
            for (cls, name), function in originals.items():
                setattr(cls, name, function)
    for page in results["pages"].values():
        page["same_html"] = page["before"].pop("html") == page["after"].pop("html")
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", action="append", default=[], metavar="LABEL=URL")
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(_measure_here(args.repeat)))
        return
    if not args.database:
        parser.error("give at least one --database LABEL=URL")

    rows = []
    for item in args.database:
        label, _, url = item.partition("=")
        output = subprocess.run(  # noqa: S603 - this script, another database
            [sys.executable, __file__, "--child", "--repeat", str(args.repeat)],
            env={**os.environ, "DATABASE_URL": url},
            check=True,
            capture_output=True,
            text=True,
        ).stdout
        result = json.loads(output.strip().splitlines()[-1])
        backend = url.split(":", 1)[0]
        for page, measured in result["pages"].items():
            for variant in ("before", "after"):
                m = measured[variant]
                rows.append(
                    f"| {label} ({result['articles']:,} articles, {backend}) | {page} | "
                    f"{variant} | {m['queries']} | {m['db']['p50']:.1f} / {m['db']['p95']:.1f} | "
                    f"{m['total']['p50']:.1f} / {m['total']['p95']:.1f} | "
                    f"{'yes' if measured['same_html'] else 'NO'} |"
                )
    print(
        "| newsroom | page | code | queries | database ms p50 / p95 | request ms p50 / p95 "
        "| same HTML before/after |"
    )
    print("|---|---|---|---|---|---|---|")
    print("\n".join(rows))


if __name__ == "__main__":
    main()
