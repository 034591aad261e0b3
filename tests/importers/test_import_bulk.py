"""An import run is fast without changing what it writes (issue 15's bench): each item in
its own transaction, the lifecycle's follow-ups of the publications (related lists,
renditions, purges) done once when the run ends, a run that dies leaving them for the next
run or the periodic job, and a cost per item that does not grow with the run."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from wagtail.contrib.redirects.models import Redirect
from wagtail.models import PageLogEntry

from bench.wxr_export import write_wxr
from gazette.core import compat
from gazette.images.models import CustomImage
from gazette.importers.run import import_sources
from gazette.importers.upsert import ImportOptions
from gazette.news import lifecycle
from gazette.news.models import ArticlePage, DeferredPublication
from gazette.related.models import SimilarArticle
from gazette.search import entries as search_entries
from gazette.search.models import ArticleSearchEntry
from gazette.search.queries import SearchFilters, search_articles
from gazette.search.terms import parse_terms

pytestmark = pytest.mark.django_db

# Queries per imported post of the generated export, tasks run in-process, the run's end
# shared by four posts (measured on SQLite: 179; 225 before an item's saves of one object
# were indexed once).
PER_ITEM_CEILING = 195


def _import(path, *, defer=True):
    summary = import_sources([str(path)], options=ImportOptions(), defer_follow_ups=defer)
    assert not summary.failed, summary.counts
    return summary


def _key(article_id: int) -> str:
    return ArticlePage.objects.values_list("source_key", flat=True).get(pk=article_id)


def _end_state(purged: list[str]) -> dict:
    """What the run left, by source key (ids differ from run to run): the articles as
    readers and editors see them, their related lists, what search finds, the renditions
    made and the pages purged."""
    articles = {}
    for article in ArticlePage.objects.order_by("source_key"):
        articles[article.source_key] = (
            article.title,
            article.url_path,
            article.live,
            article.has_unpublished_changes,
            article.first_published_at,
            article.last_published_at,
            article.section.title,
            [(block.block_type, str(block.value)) for block in article.body],
            [author.name for author in article.authors],
            sorted(tag.name for tag in article.tags.all()),
            article.lead_image.title if article.lead_image else None,
            article.revisions.count(),
            article.live_revision_id == article.latest_revision_id,
            article.draft_title,
            article.expired,
            article.latest_revision_created_at is not None,
            article.get_latest_revision_as_object().title,
            [entry.action for entry in PageLogEntry.objects.filter(page=article).order_by("pk")],
            article.get_view_restrictions().exists(),
            sorted(comment.text for comment in article.comments.all()),
        )
    related = {
        (_key(row.article_id), row.rank, _key(row.similar_id))
        for row in SimilarArticle.objects.all()
    }
    redirects = {(row.old_path, _key(row.redirect_page_id)) for row in Redirect.objects.all()}
    hits = {
        word: [
            article.source_key
            for article in search_articles(terms=parse_terms(word), filters=SearchFilters())[:50]
        ]
        for word in ("harbour", "ferry council", "museum")
    }
    renditions = sorted(
        (rendition.image.title, rendition.filter_spec)
        for rendition in CustomImage.get_rendition_model().objects.select_related("image")
    )
    return {
        "articles": articles,
        "related": related,
        "redirects": redirects,
        "search": hits,
        "renditions": renditions,
        "purged": sorted(set(purged)),
    }


class _Undo(Exception):
    pass


def test_a_bulk_run_ends_as_publishing_item_by_item_does(
    home, tmp_path, purged, django_capture_on_commit_callbacks, monkeypatch
):
    # Ten posts: enough for related lists, renditions, purges and hits of each search word.
    export = write_wxr(tmp_path / "export.xml", posts=10)
    try:
        with transaction.atomic():
            with django_capture_on_commit_callbacks(execute=True):
                _import(export, defer=False)
            item_by_item = _end_state(purged)
            raise _Undo
    except _Undo:
        pass
    purged.clear()
    assert not ArticlePage.objects.exists()

    # The bulk run writes each new live article once (compat.add_live_child), not Wagtail's way.
    written_once = []
    add_live_child = compat.add_live_child
    monkeypatch.setattr(
        compat,
        "add_live_child",
        lambda *a, **kw: written_once.append(a[1]) or add_live_child(*a, **kw),
    )
    with django_capture_on_commit_callbacks(execute=True):
        _import(export)
    in_bulk = _end_state(purged)
    assert len(written_once) == 10

    assert len(in_bulk["articles"]) == 10
    assert (
        in_bulk["related"] and in_bulk["redirects"] and in_bulk["renditions"] and in_bulk["purged"]
    )
    assert all(in_bulk["search"].values())
    assert in_bulk == item_by_item
    assert not DeferredPublication.objects.exists()


def test_a_run_that_dies_leaves_its_publications_for_the_periodic_job(
    home, tmp_path, purged, django_capture_on_commit_callbacks, monkeypatch
):
    export = write_wxr(tmp_path / "export.xml", posts=6)
    # The process dies before the run's end announces anything.
    monkeypatch.setattr(lifecycle, "announce_deferred_publications", lambda **kwargs: 0)
    with django_capture_on_commit_callbacks(execute=True):
        _import(export)
    monkeypatch.undo()
    live = set(ArticlePage.objects.live().values_list("pk", flat=True))
    assert set(DeferredPublication.objects.values_list("article_id", flat=True)) == live
    assert not SimilarArticle.objects.exists()
    # Wagtail purges the new sections it publishes; the articles' own pages wait for the
    # run's end with the pages listing them (the home page, the authors' pages).
    own_pages = {page.get_full_url() for page in ArticlePage.objects.live()}
    sections = {article.section.get_full_url() for article in ArticlePage.objects.live()}
    assert set(purged) <= sections and "http://localhost/" not in purged
    # On PostgreSQL (site search's own table), the run's entries wait for its end too.
    assert not search_entries.enabled() or not ArticleSearchEntry.objects.exists()

    with django_capture_on_commit_callbacks(execute=True):
        lifecycle.announce_stale_publications()  # a run may still be going: left alone
    assert DeferredPublication.objects.count() == len(live)

    later = timezone.now() + lifecycle.STALE_AFTER + timedelta(minutes=1)
    with time_machine.travel(later), django_capture_on_commit_callbacks(execute=True):
        lifecycle.announce_stale_publications()
    assert not DeferredPublication.objects.exists()
    assert {row.article_id for row in SimilarArticle.objects.all()} == live
    assert own_pages | sections | {"http://localhost/"} <= set(purged)
    if search_entries.enabled():
        assert set(ArticleSearchEntry.objects.values_list("article_id", flat=True)) == live


def test_the_next_run_announces_what_a_dead_run_left(home, tmp_path, monkeypatch):
    monkeypatch.setattr(lifecycle, "announce_deferred_publications", lambda **kwargs: 0)
    _import(write_wxr(tmp_path / "first.xml", posts=3))
    monkeypatch.undo()
    assert DeferredPublication.objects.count() == 3
    announced = []
    lifecycle.articles_published.connect(
        lambda sender, article_ids, **kw: announced.append(sorted(article_ids)),
        weak=False,
        dispatch_uid="test-announced",
    )
    try:
        _import(write_wxr(tmp_path / "second.xml", posts=2, first=4))
    finally:
        lifecycle.articles_published.disconnect(dispatch_uid="test-announced")
    assert announced == [sorted(ArticlePage.objects.values_list("pk", flat=True))]
    assert not DeferredPublication.objects.exists()


def test_a_failed_item_leaves_no_deferred_publication(home, tmp_path, monkeypatch):
    from gazette.importers import upsert

    def failing(article, item):
        if "(post 8)" in item.position:
            raise RuntimeError("the disk is full")

    monkeypatch.setattr(upsert, "_comments", failing)
    monkeypatch.setattr(lifecycle, "announce_deferred_publications", lambda **kwargs: 0)
    summary = import_sources([str(write_wxr(tmp_path / "e.xml", posts=4))], options=ImportOptions())
    assert summary.counts["failed"] == 1 and summary.counts["created"] == 3
    assert DeferredPublication.objects.count() == ArticlePage.objects.count() == 3


def test_the_queries_per_item_do_not_grow_with_the_run(
    home, tmp_path, django_assert_max_num_queries
):
    # Sections, authors and the home page exist, as after any run's first items. The tests'
    # tasks run in-process (search and reference index included): counted here too.
    _import(write_wxr(tmp_path / "warm.xml", posts=6))
    with CaptureQueriesContext(connection) as four:
        _import(write_wxr(tmp_path / "four.xml", posts=4, first=7))
    assert len(four) <= 4 * PER_ITEM_CEILING
    # Twelve items cost three times four (posts differ in their comments: a tenth of slack).
    with django_assert_max_num_queries(int(3 * len(four) * 1.1)):
        _import(write_wxr(tmp_path / "twelve.xml", posts=12, first=11))


def _indexed(article_ids) -> tuple[set, set]:
    """The articles among ``article_ids`` in the reference index and in the search index."""
    from modelsearch.conf import get_app_config
    from wagtail.models import ReferenceIndex

    from gazette.core import compat

    ids = [str(pk) for pk in article_ids]
    referenced = set(
        ReferenceIndex.objects.filter(object_id__in=ids).values_list("object_id", flat=True)
    )
    _, content_types = compat.search_index_entries(ArticlePage)
    entries = get_app_config().get_model("IndexEntry").objects
    searched = set(
        entries.filter(content_type_id__in=content_types, object_id__in=ids).values_list(
            "object_id", flat=True
        )
    )
    return referenced, searched


def test_a_run_that_dies_leaves_its_index_updates_for_the_next_run(home, tmp_path, monkeypatch):
    from gazette.importers import indexing
    from gazette.importers.models import PendingIndexUpdate

    # The process dies before the run's end queues its index updates.
    monkeypatch.setattr(indexing, "queue_pending_index_updates", lambda **kwargs: 0)
    _import(write_wxr(tmp_path / "first.xml", posts=3))
    monkeypatch.undo()
    first = set(ArticlePage.objects.values_list("pk", flat=True))
    noted = PendingIndexUpdate.objects.filter(app_label="news", model_name="articlepage")
    assert {int(pk) for pk in noted.values_list("object_id", flat=True)} == first
    assert _indexed(first) == (set(), set())  # nothing was indexed by the items themselves

    _import(write_wxr(tmp_path / "second.xml", posts=2, first=4))
    every = {str(pk) for pk in ArticlePage.objects.values_list("pk", flat=True)}
    assert len(every) == 5 and _indexed(every) == (every, every)
    assert not PendingIndexUpdate.objects.exists()


def test_the_periodic_job_queues_the_index_updates_a_dead_run_left(home, tmp_path, monkeypatch):
    from gazette.importers import indexing
    from gazette.importers.models import PendingIndexUpdate

    monkeypatch.setattr(indexing, "queue_pending_index_updates", lambda **kwargs: 0)
    _import(write_wxr(tmp_path / "first.xml", posts=2))
    monkeypatch.undo()
    articles = {str(pk) for pk in ArticlePage.objects.values_list("pk", flat=True)}
    indexing.queue_stale_index_updates()  # a run may still be going: left alone
    assert PendingIndexUpdate.objects.exists() and _indexed(articles) == (set(), set())

    later = timezone.now() + indexing.STALE_AFTER + timedelta(minutes=1)
    with time_machine.travel(later):
        indexing.queue_stale_index_updates()
    assert not PendingIndexUpdate.objects.exists()
    assert _indexed(articles) == (articles, articles)
