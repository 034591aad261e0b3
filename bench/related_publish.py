"""Publish to stored "You May Also Like" list, on a real database of ARTICLES articles.

    GAZETTE_VAR_DIR=/tmp/related/var .venv/bin/python manage.py migrate
    GAZETTE_VAR_DIR=/tmp/related/var .venv/bin/python manage.py generate_newsroom --articles N
    GAZETTE_VAR_DIR=/tmp/related/var .venv/bin/python bench/related_publish.py [--rebuild]

(or with DATABASE_URL for PostgreSQL). ``--rebuild`` runs ``rebuild_related`` first and times
it; without it the stored vectors and lists must be there already. Then, SAMPLES times each:

- changing an article: a new revision of an existing article (its text swapped for another
  article's) published through Wagtail, with the task backend running the task in-process
  (``TASKS_BACKEND=immediate``, the embedded default): the time from ``publish()`` to its
  stored list, which is what the worker does after it picks the task up;
- a new article: created under a section with another article's text, published, timed
  the same way;
- the parts of one ``refresh_related``: bringing the vectors in step, reading the stored
  vectors, the whole refresh.

Prints times in seconds and the process's peak memory.
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def _setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gazette.settings.dev")
    os.environ["TASKS_BACKEND"] = "immediate"
    import django

    django.setup()


def _seconds(function) -> tuple[float, object]:
    started = time.perf_counter()
    result = function()
    return time.perf_counter() - started, result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rebuild", action="store_true")
    parser.add_argument("--samples", type=int, default=3)
    options = parser.parse_args()
    _setup()

    from django.db import connection

    from gazette.news.models import ArticlePage
    from gazette.related.models import ArticleVector, SimilarArticle
    from gazette.related.queries import readable_articles
    from gazette.related.services import rebuild_related, refresh_related
    from gazette.related.vectors import load_corpus, sync_vectors

    readable = readable_articles().count()
    print(f"{connection.vendor}: {readable} readable articles")
    if options.rebuild:
        took, result = _seconds(rebuild_related)
        print(f"rebuild_related: {took:.1f} s ({result.links} links)")
    if ArticleVector.objects.count() < readable * 0.99:
        sys.exit("The stored vectors are missing: run with --rebuild first.")

    ids = list(readable_articles().order_by("-pk").values_list("pk", flat=True)[:1000])
    for sample in range(options.samples):
        target = ArticlePage.objects.get(pk=ids[sample * 7])
        donor = ArticlePage.objects.get(pk=ids[500 + sample * 11])
        target.title, target.standfirst, target.body = donor.title, donor.standfirst, donor.body
        took, _ = _seconds(lambda target=target: target.save_revision().publish())
        listed = SimilarArticle.objects.filter(article=target).count()
        print(f"changed article {target.pk}: publish to stored list {took:.2f} s ({listed} listed)")

        section = target.get_parent()
        new = ArticlePage(
            title=f"{donor.title} ({sample})",
            slug=f"related-bench-{time.time_ns()}",
            standfirst=donor.standfirst,
            body=donor.body,
        )
        section.add_child(instance=new)
        took, _ = _seconds(lambda new=new: new.save_revision().publish())
        listed = SimilarArticle.objects.filter(article=new).count()
        print(f"new article {new.pk}: publish to stored list {took:.2f} s ({listed} listed)")

        took_sync, _ = _seconds(lambda new=new: sync_vectors(article_id=new.pk, readable=True))
        took_load, corpus = _seconds(load_corpus)
        took_refresh, result = _seconds(lambda new=new: refresh_related(article_id=new.pk))
        print(
            f"  refresh_related alone: {took_refresh:.2f} s ({len(result.rewritten)} lists "
            f"rewritten), of which vectors in step {took_sync:.2f} s, reading the "
            f"{len(corpus)} stored vectors {took_load:.2f} s"
        )
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak memory: {peak:.0f} MiB")


if __name__ == "__main__":
    main()
