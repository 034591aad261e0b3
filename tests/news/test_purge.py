"""gazette.news.purge (and gazette.core.purge's backend): when an article changes, every
cached page that shows it is purged, after the commit; the nginx backend speaks to the
cache-purge module. Through a real nginx: tests/stack/test_page_cache.py."""

import contextlib
import logging
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.db import transaction
from wagtail.contrib.frontend_cache.backends import BaseBackend

from gazette.core.purge import NginxPurgeBackend
from gazette.news import lifecycle
from gazette.news.models import CuratedListItem
from gazette.news.purge import purge_article, urls_showing_article
from tests.factories import ArticleFactory, AuthorFactory, SectionFactory, make_curated_list
from tests.loopback import serve_in_background

pytestmark = pytest.mark.django_db

ROOT = "http://localhost"


class RecordingBackend(BaseBackend):
    batches: list[list[str]] = []

    def purge(self, url):
        self.batches.append([url])

    def purge_batch(self, urls):
        self.batches.append(sorted(urls))


@pytest.fixture
def purged(settings):
    settings.WAGTAILFRONTENDCACHE = {
        "recorder": {"BACKEND": f"{__name__}.RecordingBackend"},
    }
    RecordingBackend.batches = []
    return RecordingBackend.batches


def all_urls(batches) -> set[str]:
    return {url for batch in batches for url in batch}


@pytest.fixture
def world(home):
    return SectionFactory(parent=home, title="World", slug="world")


def test_publishing_purges_the_article_and_every_page_that_lists_it(
    purged, world, django_capture_on_commit_callbacks
):
    author = AuthorFactory(name="Daniel Kim", slug="daniel-kim")
    with django_capture_on_commit_callbacks(execute=True):
        article = ArticleFactory(parent=world, slug="soldiers-flee", authors=[author])
    assert {
        f"{ROOT}/",
        f"{ROOT}/world/",
        f"{ROOT}/world/soldiers-flee/",
        f"{ROOT}/authors/daniel-kim/",
    } <= all_urls(purged)
    assert article.live


def test_purges_wait_for_the_commit(purged, world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        article = ArticleFactory(parent=world, slug="later")
        purged.clear()  # Wagtail's own purge of the page itself is not ours to delay
        purge_article(article)
    assert purged == []
    for callback in callbacks:
        callback()
    assert f"{ROOT}/world/later/" in all_urls(purged)


def test_unpublishing_purges_the_same_pages(purged, world, django_capture_on_commit_callbacks):
    article = ArticleFactory(parent=world, slug="withdrawn")
    purged.clear()
    with django_capture_on_commit_callbacks(execute=True):
        article.unpublish()
    assert {f"{ROOT}/", f"{ROOT}/world/", f"{ROOT}/world/withdrawn/"} <= all_urls(purged)


def test_moving_purges_the_old_and_the_new_place(
    purged, home, world, django_capture_on_commit_callbacks
):
    sport = SectionFactory(parent=home, title="Sport", slug="sport")
    article = ArticleFactory(parent=world, slug="moved")
    purged.clear()
    with django_capture_on_commit_callbacks(execute=True):
        article.move(sport, pos="last-child")
    assert {
        f"{ROOT}/world/moved/",
        f"{ROOT}/sport/moved/",
        f"{ROOT}/world/",
        f"{ROOT}/sport/",
        f"{ROOT}/",
    } <= all_urls(purged)


def test_changing_the_must_reads_purges_every_page_that_shows_them_once(
    purged, world, django_capture_on_commit_callbacks
):
    first, second, third = (ArticleFactory(parent=world, slug=f"pick-{n}") for n in range(3))
    unpublished = ArticleFactory(parent=world, slug="draft-only", live=False)
    purged.clear()
    with django_capture_on_commit_callbacks(execute=True) as callbacks, transaction.atomic():
        curated = make_curated_list("must-reads", [first, second])
        CuratedListItem.objects.create(curated_list=curated, article=third, sort_order=2)
        CuratedListItem.objects.filter(article=first).delete()
    listing_purges = [c for c in callbacks if c is lifecycle._send_listing_changed]
    assert len(listing_purges) == 1
    urls = all_urls(purged)
    assert {f"{ROOT}/", *(f"{ROOT}/world/pick-{n}/" for n in range(3))} <= urls
    assert unpublished.url_path not in {url.removeprefix(ROOT) for url in urls}


def test_purge_article_adds_the_pages_features_list_it_on(
    purged, world, django_capture_on_commit_callbacks
):
    def feature_pages(sender, article, **kwargs):
        return ["/feeds/world/", "https://cdn.example.org/sitemap.xml"]

    urls_showing_article.connect(feature_pages, dispatch_uid="test-feature")
    try:
        article = ArticleFactory(parent=world, slug="with-feeds")
        purged.clear()
        with django_capture_on_commit_callbacks(execute=True):
            purge_article(article)
    finally:
        urls_showing_article.disconnect(dispatch_uid="test-feature")
    assert {f"{ROOT}/feeds/world/", "https://cdn.example.org/sitemap.xml"} <= all_urls(purged)


def test_without_a_cache_to_purge_nothing_is_looked_up(
    settings, world, django_assert_num_queries, django_capture_on_commit_callbacks
):
    settings.WAGTAILFRONTENDCACHE = {}
    article = ArticleFactory(parent=world, slug="quiet")
    with django_capture_on_commit_callbacks() as callbacks, django_assert_num_queries(0):
        purge_article(article)
    assert callbacks == []


# --- the nginx backend against a stand-in for nginx's cache-purge module ---------------------


class FakeNginx(BaseHTTPRequestHandler):
    seen: list[tuple[str, str, str]] = []
    cached = {"/_purge/world/"}

    def do_PURGE(self):
        self.seen.append((self.command, self.path, self.headers["Host"]))
        status = 200 if self.path in self.cached else 404
        if self.path.startswith("/_purge/broken/"):
            status = 500
        self.send_response(status)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


@contextlib.contextmanager
def _serving(handler: type[BaseHTTPRequestHandler]):
    """An HTTP server on a free loopback port answering with ``handler``; its URL."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    serve_in_background(server)
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def fake_nginx():
    FakeNginx.seen = []
    with _serving(FakeNginx) as url:
        yield url


def test_nginx_backend_sends_purge_under_the_purge_location(fake_nginx, caplog):
    backend = NginxPurgeBackend({"LOCATION": f"{fake_nginx}/_purge"})
    with caplog.at_level(logging.DEBUG, logger="gazette.purge"):
        backend.purge_batch(
            ["http://news.example.org/world/", "http://news.example.org:8080/été/?page=2"]
        )
    assert FakeNginx.seen == [
        ("PURGE", "/_purge/world/", "news.example.org"),
        # Encoded as a browser requests it: nginx keys its cache on the raw request URI.
        ("PURGE", "/_purge/%C3%A9t%C3%A9/?page=2", "news.example.org:8080"),
    ]
    # Not cached (404) is nothing to purge, not an error.
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


def test_nginx_backend_reports_failures_without_raising(fake_nginx, caplog):
    backend = NginxPurgeBackend({"LOCATION": f"{fake_nginx}/_purge", "TIMEOUT": 2})
    backend.purge("http://news.example.org/broken/page/")
    unreachable = NginxPurgeBackend({"LOCATION": "http://127.0.0.1:9/_purge", "TIMEOUT": 1})
    unreachable.purge("http://news.example.org/world/")
    errors = [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]
    assert any("broken/page" in e and "500" in e for e in errors), errors
    assert any("/world/" in e for e in errors), errors


# --- the connection kept between purges ------------------------------------------------------


class KeepAliveNginx(BaseHTTPRequestHandler):
    """nginx as it talks to the app: HTTP/1.1, the connection kept open after an answer, or
    closed without a word after ``answers_per_connection`` (its keepalive_timeout or
    keepalive_requests running out between two purges)."""

    protocol_version = "HTTP/1.1"
    answers_per_connection = 0  # 0: keep it open
    connections = 0
    seen: list[str] = []

    def setup(self):
        super().setup()
        type(self).connections += 1
        self.answered = 0

    def do_PURGE(self):
        self.seen.append(self.path)
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()
        self.answered += 1
        if self.answers_per_connection and self.answered >= self.answers_per_connection:
            self.close_connection = True  # no "Connection: close" said: the client finds out

    def log_message(self, *args):
        pass


@pytest.fixture
def keepalive_nginx():
    KeepAliveNginx.connections, KeepAliveNginx.seen = 0, []
    KeepAliveNginx.answers_per_connection = 0
    with _serving(KeepAliveNginx) as url:
        yield url


def test_one_connection_carries_a_threads_purges(keepalive_nginx, caplog):
    # A backend is built per purge (Wagtail's task does): the connection outlives it.
    for slug in ("one", "two", "three"):
        NginxPurgeBackend({"LOCATION": f"{keepalive_nginx}/_purge"}).purge(
            f"http://news.example.org/{slug}/"
        )
    assert KeepAliveNginx.seen == ["/_purge/one/", "/_purge/two/", "/_purge/three/"]
    assert KeepAliveNginx.connections == 1
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


def test_a_connection_the_cache_dropped_is_opened_again(keepalive_nginx, caplog):
    KeepAliveNginx.answers_per_connection = 1
    backend = NginxPurgeBackend({"LOCATION": f"{keepalive_nginx}/_purge", "TIMEOUT": 2})
    for slug in ("one", "two", "three"):
        backend.purge(f"http://news.example.org/{slug}/")
    # Each purge arrives once, each on a new connection after the cache hung up.
    assert KeepAliveNginx.seen == ["/_purge/one/", "/_purge/two/", "/_purge/three/"]
    assert KeepAliveNginx.connections == 3
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


def test_a_cache_that_went_away_is_logged_and_found_again_when_back(caplog):
    server = ThreadingHTTPServer(("127.0.0.1", 0), KeepAliveNginx)
    server.daemon_threads = True
    port = server.server_address[1]
    KeepAliveNginx.connections, KeepAliveNginx.seen = 0, []
    KeepAliveNginx.answers_per_connection = 1  # as nginx closes its connections on stopping
    backend = NginxPurgeBackend({"LOCATION": f"http://127.0.0.1:{port}/_purge", "TIMEOUT": 2})
    serve_in_background(server)
    backend.purge("http://news.example.org/before/")
    server.shutdown()
    server.server_close()  # nginx stops: its port refuses, the kept connection is dead
    backend.purge("http://news.example.org/while-down/")  # logged, not raised
    errors = [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]
    assert any("/while-down/" in e for e in errors), errors

    back = ThreadingHTTPServer(("127.0.0.1", port), KeepAliveNginx)
    back.daemon_threads = True
    serve_in_background(back)
    try:
        backend.purge("http://news.example.org/after/")
    finally:
        back.shutdown()
        back.server_close()
    assert KeepAliveNginx.seen == ["/_purge/before/", "/_purge/after/"]
