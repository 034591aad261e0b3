"""The beacon's cheap path: no query in the steady state, one Redis round trip, a live-articles
set that follows publishing, and the same counts as before (mirrored stored totals) through
flushes and a Redis outage. Runs against whichever counter the environment picks."""

import uuid

import pytest
import redis
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext

from deploy.local_services import free_port
from gazette.analytics import services
from gazette.analytics import signals as analytics_events
from gazette.analytics.counters import (
    LocalViewCounter,
    RedisViewCounter,
    ResilientViewCounter,
    counter,
    hour_of,
)
from gazette.analytics.live_articles import live_articles
from gazette.analytics.models import TotalViews
from gazette.analytics.readers import Verdict
from gazette.analytics.services import flush_views, record_beacon
from gazette.news import lifecycle
from gazette.news.models import ArticlePage
from tests.factories import ArticleFactory, SectionFactory

from .common import BOTS, reader

pytestmark = pytest.mark.django_db

USES_REDIS = bool(settings.GAZETTE_VIEWS_REDIS_URL)
needs_redis = pytest.mark.skipif(not USES_REDIS, reason="Redis counter: needs REDIS_URL")


@pytest.fixture(autouse=True)
def reload_at_once(monkeypatch):
    """The previous test's set was loaded a moment ago: without this, the first beacons of a
    test would ask the database (see the test of changes coming fast)."""
    monkeypatch.setattr(live_articles, "MIN_RELOAD_INTERVAL", 0)


@pytest.fixture
def article(home):
    return ArticleFactory(parent=SectionFactory(parent=home))


def _beacon(client, article_id, number):
    return client.post(f"/analytics/views/{article_id}/", **reader(number))


def _views_after(client, article_id, number) -> int:
    """Send reader ``number``'s beacon (answered 204), then ask the count, as views.js does."""
    assert _beacon(client, article_id, number).status_code == 204
    return client.get(f"/analytics/views/{article_id}/count").json()["views"]


def _counts(client, article_id, number) -> bool:
    before = client.get(f"/analytics/views/{article_id}/count").json()["views"]
    return _views_after(client, article_id, number) == before + 1


def test_a_beacon_makes_no_query_in_the_steady_state(client, article):
    TotalViews.objects.create(article=article, views=40)
    assert _views_after(client, article.pk, 1) == 41  # loads the set, the total
    with CaptureQueriesContext(connection) as queries:
        assert _views_after(client, article.pk, 2) == 42
        assert _views_after(client, article.pk, 2) == 42  # a repeat: not counted
        assert _views_after(client, article.pk, 3) == 43
    assert len(queries) == 0, [query["sql"] for query in queries.captured_queries]

    # A flush moves the views from pending to the mirrored total in one step: still exact,
    # still no query.
    assert flush_views() == 3
    assert TotalViews.objects.get(article=article).views == 43
    with CaptureQueriesContext(connection) as queries:
        assert _views_after(client, article.pk, 4) == 44
    assert len(queries) == 0, [query["sql"] for query in queries.captured_queries]


def _run_ours(callbacks):
    """Hand the article events waiting for the commit to analytics alone (the other
    receivers, the related-articles task and purges, cost seconds and are not what these
    tests are about)."""
    ours = [
        callback
        for callback in callbacks
        if isinstance(callback, lifecycle.Announcement)
        and callback.event in analytics_events.EVENTS
    ]
    assert ours, callbacks
    for announcement in ours:
        analytics_events.forget_what_changed(sender=ArticlePage, **announcement.kwargs)


def test_an_unpublished_article_stops_counting_and_counts_again_once_republished(
    client, article, django_capture_on_commit_callbacks
):
    assert _beacon(client, article.pk, 1).status_code == 204  # the set is loaded, with it
    with django_capture_on_commit_callbacks() as after_commit:
        article.unpublish()
    _run_ours(after_commit)
    gone = _beacon(client, article.pk, 2)
    assert gone.status_code == 404
    assert gone.json() == {"error": "No published article has this id."}
    assert client.get(f"/analytics/views/{article.pk}/pixel.gif", **reader(3)).status_code == 404

    with django_capture_on_commit_callbacks() as after_commit:
        article.save_revision().publish()
    _run_ours(after_commit)
    assert _counts(client, article.pk, 4)
    flush_views()
    assert TotalViews.objects.get(article=article).views == 2  # readers 1 and 4 only


def test_a_change_made_in_another_process_is_seen_at_the_next_beacon(client, article):
    assert _beacon(client, article.pk, 1).status_code == 204
    # Another app process unpublished it: the row changed and the shared version moved, but
    # this process's set of ids was not told.
    ArticlePage.objects.filter(pk=article.pk).update(live=False)
    counter.bump_live_version()
    assert _beacon(client, article.pk, 2).status_code == 404


def test_an_article_published_without_a_signal_counts_at_once(client, article):
    assert _beacon(client, article.pk, 1).status_code == 204  # the set is loaded
    later = ArticleFactory(parent=article.get_parent())  # live, no page_published signal
    assert _counts(client, later.pk, 1)
    draft = ArticleFactory(parent=article.get_parent(), live=False)
    assert _beacon(client, draft.pk, 1).status_code == 404


def test_bots_are_answered_from_the_same_round_trip_without_counting(article):
    for number, user_agent in enumerate(BOTS):
        answer = record_beacon(article_id=article.pk, meta=reader(number, user_agent))
        assert answer is not None and answer.verdict is Verdict.BOT and answer.views == 0
    assert record_beacon(article_id=article.pk, meta=reader(1)).verdict is Verdict.READER
    assert record_beacon(article_id=article.pk, meta=reader(1)).verdict is Verdict.REPEAT
    assert record_beacon(article_id=article.pk + 10_000, meta=reader(1)) is None


@pytest.mark.parametrize("make", ["local", "redis"])
def test_a_stored_total_read_across_a_flush_is_not_remembered(article, make):
    """A total read from the database while a flush runs may or may not hold its batch:
    remembering it would count that batch twice (or never) until it expires."""
    if make == "redis":
        if not USES_REDIS:
            pytest.skip("needs REDIS_URL")
        buffer = RedisViewCounter(settings.GAZETTE_VIEWS_REDIS_URL, prefix="test:views:mirror")
        buffer.reset()
    else:
        buffer = LocalViewCounter(flush_in_background=False, interval=60)
    hour = hour_of(article.first_published_at)

    def tally(seen_key=None):  # with a reader's key: counts their view
        return buffer.tally(
            article_id=article.pk, hour=hour, seen_key=seen_key, seconds=60, is_live=lambda *_: True
        )

    tally(uuid.uuid4().hex)
    first = tally()
    assert (first.stored, first.pending) == (None, 1)
    buffer.flush(lambda batch, batch_id: None)  # a flush between the read and remembering
    buffer.remember_stored(article.pk, 0, first.generation)
    assert tally().stored is None  # refused: read again

    second = tally()
    buffer.remember_stored(article.pk, 1, second.generation)
    assert (tally().stored, tally().pending) == (1, 0)
    tally(uuid.uuid4().hex)
    buffer.flush(lambda batch, batch_id: None)
    assert (tally().stored, tally().pending) == (2, 0)  # the flush added its batch
    if make == "redis":
        buffer.reset()


def test_beacons_still_count_while_redis_is_down(article, monkeypatch):
    # Nothing listens on this port: every Redis call fails at once, as when Redis is stopped.
    unreachable = RedisViewCounter(f"redis://127.0.0.1:{free_port()}/0", timeout=0.2)
    local = LocalViewCounter(flush_in_background=False, interval=60)
    resilient = ResilientViewCounter(unreachable, local)
    monkeypatch.setattr(services, "counter", resilient)
    TotalViews.objects.create(article=article, views=5)

    assert record_beacon(article_id=article.pk, meta=reader(1)).views == 6
    assert record_beacon(article_id=article.pk, meta=reader(1)).verdict is Verdict.REPEAT
    assert record_beacon(article_id=article.pk, meta=reader(2)).views == 7
    draft = ArticleFactory(parent=article.get_parent(), live=False)
    assert record_beacon(article_id=draft.pk, meta=reader(1)) is None  # the database decides
    assert local.pending([article.pk]) == {article.pk: 2}
    assert resilient._stored_out_of_date  # Redis's mirror must be dropped once it is back

    assert local.flush(services.write_batch) == 2
    assert TotalViews.objects.get(article=article).views == 7


class RoundTrips:
    """Counts what is sent to Redis: one call per round trip (a pipeline is one)."""

    def __init__(self, monkeypatch):
        self.sent = []
        original = redis.connection.AbstractConnection.send_packed_command

        def spy(connection, command, check_health=True):
            self.sent.append(command)
            return original(connection, command, check_health)

        monkeypatch.setattr(redis.connection.AbstractConnection, "send_packed_command", spy)


@needs_redis
def test_a_beacon_is_one_redis_round_trip(client, article, monkeypatch):
    assert _beacon(client, article.pk, 1).status_code == 204  # warm: set, total, script
    trips = RoundTrips(monkeypatch)
    assert _beacon(client, article.pk, 2).status_code == 204
    assert len(trips.sent) == 1
    sent = trips.sent[0]
    assert b"EVALSHA" in (sent if isinstance(sent, bytes) else b"".join(sent)).upper()
    assert _beacon(client, article.pk, 2).status_code == 204  # a repeat: one too
    assert len(trips.sent) == 2
    assert client.get(f"/analytics/views/{article.pk}/count").json()["views"] == 2  # and one
    assert len(trips.sent) == 3


@pytest.fixture
def live_set_loads(monkeypatch) -> list:
    """The versions the live set is (re)loaded at, in order."""
    loads = []
    original = live_articles._load

    def load(version):
        loads.append(version)
        original(version)

    monkeypatch.setattr(live_articles, "_load", load)
    return loads


def test_the_live_set_is_loaded_once_per_version(article, live_set_loads):
    loads = live_set_loads
    for number in range(5):
        assert record_beacon(article_id=article.pk, meta=reader(number)) is not None
    assert len(loads) == 1
    counter.bump_live_version()  # as another process does after a publish
    for number in range(5, 10):
        assert record_beacon(article_id=article.pk, meta=reader(number)) is not None
    assert len(loads) == 2 and loads[0] != loads[1]


def test_while_the_version_changes_fast_the_database_answers_instead_of_reloads(
    article, monkeypatch, live_set_loads
):
    monkeypatch.setattr(live_articles, "MIN_RELOAD_INTERVAL", 60)
    loads = live_set_loads
    live_articles._loaded_at = float("-inf")
    assert record_beacon(article_id=article.pk, meta=reader(1)) is not None  # loads the set
    draft = ArticleFactory(parent=article.get_parent(), live=False)
    for number in range(3):  # an import publishing story after story elsewhere
        counter.bump_live_version()
        with CaptureQueriesContext(connection) as queries:
            assert record_beacon(article_id=article.pk, meta=reader(2 + number)) is not None
            assert record_beacon(article_id=draft.pk, meta=reader(2 + number)) is None
        # A live check or two each (with Redis: against the old version, then the new one);
        # never a reload of every id.
        assert 2 <= len(queries) <= 3, [q["sql"] for q in queries.captured_queries]
    assert len(loads) == 1


def test_the_beacon_skips_the_page_middleware_but_keeps_the_security_headers(
    client, article, monkeypatch
):
    from django.contrib.sessions.middleware import SessionMiddleware

    sessions = []
    original = SessionMiddleware.process_request

    def spy(middleware, request):
        sessions.append(request.path)
        return original(middleware, request)

    monkeypatch.setattr(SessionMiddleware, "process_request", spy)
    beacon = _beacon(client, article.pk, 1)
    pixel = client.get(f"/analytics/views/{article.pk}/pixel.gif", **reader(2))
    assert (beacon.status_code, pixel.status_code) == (204, 200)
    assert sessions == []  # past the session middleware, and all after it
    page = client.get("/healthz")
    assert sessions == ["/healthz"]
    for header in (
        "Content-Security-Policy",
        "X-Content-Type-Options",
        "Referrer-Policy",
        "Cross-Origin-Opener-Policy",
        "X-Frame-Options",
    ):
        assert beacon.get(header) == pixel.get(header) == page.get(header), header
    assert beacon["X-Frame-Options"] == "DENY"
    assert beacon["X-Request-ID"] and beacon["X-Request-ID"] != page["X-Request-ID"]
    assert int(beacon["Content-Length"]) == len(beacon.content)
    assert not beacon.cookies
