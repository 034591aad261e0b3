"""The beacon answered before Django's handler (gazette/wsgi.py) answers as Django's does."""

import pytest
from django.core.handlers.wsgi import WSGIHandler
from django.test import RequestFactory, override_settings

from gazette.analytics.models import TotalViews
from gazette.analytics.services import flush_views
from gazette.analytics.wsgi_beacon import BeaconDispatch
from tests.factories import ArticleFactory, SectionFactory

from .common import reader

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def keep_the_test_transaction(monkeypatch):
    """As Django's test client does: the test's transaction is not a connection to release."""
    from django.core import signals
    from django.db import close_old_connections

    from gazette.analytics import wsgi_beacon

    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    monkeypatch.setattr(wsgi_beacon, "close_old_connections", lambda: None)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


# Headers whose value is this request's own: compared by presence only.
OWN_VALUE = {"X-Request-ID", "Expires", "Content-Length"}


@pytest.fixture
def article(home):
    return ArticleFactory(parent=SectionFactory(parent=home))


class Answer:
    def __init__(self, application, environ):
        self.body = b"".join(application(environ, self._start))

    def _start(self, status, headers):
        self.status = int(status.split()[0])
        self.headers = dict(headers)
        assert len(self.headers) == len(headers), "a header given twice"


class DjangoSpy:
    """Django's handler, noting the requests it got."""

    def __init__(self):
        self.handler = WSGIHandler()
        self.paths = []

    def __call__(self, environ, start_response):
        self.paths.append(environ["PATH_INFO"])
        return self.handler(environ, start_response)


def _environ(method, path, number, **extra):
    factory = RequestFactory()
    request = getattr(factory, method.lower())(path, **(reader(number) | extra))
    return request.environ


def _both(method, path, first_reader, second_reader, **extra):
    """The same request (each from its own reader) through the dispatch and through Django."""
    django = DjangoSpy()
    fast = Answer(BeaconDispatch(django), _environ(method, path, first_reader, **extra))
    assert django.paths == [], "the beacon reached Django's handler"
    slow = Answer(WSGIHandler(), _environ(method, path, second_reader, **extra))
    return fast, slow


def _same_headers(fast, slow):
    assert set(fast.headers) == set(slow.headers)
    for name, value in slow.headers.items():
        if name not in OWN_VALUE:
            assert fast.headers[name] == value, name
    assert fast.headers["X-Request-ID"] != slow.headers["X-Request-ID"]
    if "Content-Length" in fast.headers:
        assert int(fast.headers["Content-Length"]) == len(fast.body)


def test_a_beacon_is_counted_and_answered_as_django_answers_it(article):
    fast, slow = _both("POST", f"/analytics/views/{article.pk}/", 1, 2)
    assert (fast.status, slow.status) == (204, 204)
    assert fast.body == slow.body == b""
    _same_headers(fast, slow)
    assert "no-store" in fast.headers["Cache-Control"]
    assert fast.headers["X-Frame-Options"] == "DENY"
    assert fast.headers["Content-Security-Policy"]
    assert "Set-Cookie" not in fast.headers

    # The same reader again is not counted; both views are stored at the flush.
    again = Answer(BeaconDispatch(DjangoSpy()), _environ("POST", fast_path(article), 1))
    assert again.status == 204
    assert flush_views() == 2
    assert TotalViews.objects.get(article=article).views == 2


def fast_path(article):
    return f"/analytics/views/{article.pk}/"


def test_the_pixel_is_answered_as_django_answers_it(article):
    path = f"/analytics/views/{article.pk}/pixel.gif"
    fast, slow = _both("GET", path, 1, 2, HTTP_SEC_FETCH_DEST="image")
    assert (fast.status, slow.status) == (200, 200)
    assert fast.body == slow.body and fast.body.startswith(b"GIF89a")
    _same_headers(fast, slow)


@pytest.mark.parametrize("suffix", ["", "pixel.gif"])
def test_an_unknown_article_is_a_404_as_in_django(article, suffix):
    method = "GET" if suffix else "POST"
    fast, slow = _both(method, f"/analytics/views/99999999/{suffix}", 1, 2)
    assert (fast.status, slow.status) == (404, 404)
    assert fast.body == slow.body
    _same_headers(fast, slow)


@pytest.mark.parametrize(
    "method, path",
    [
        ("GET", "/analytics/views/{id}/"),  # 405: Django says which method
        ("POST", "/analytics/views/{id}/pixel.gif"),
        ("POST", "/analytics/views/abc/"),
        ("POST", "/analytics/views/{id}/extra/"),
        ("POST", "/analytics/views/1234567890123456789012/"),
        ("GET", "/healthz"),
    ],
)
def test_anything_else_goes_to_django(article, method, path):
    django = DjangoSpy()
    path = path.format(id=article.pk)
    answer = Answer(BeaconDispatch(django), _environ(method, path, 1))
    assert django.paths == [path]
    assert answer.status == Answer(WSGIHandler(), _environ(method, path, 2)).status


def test_an_error_while_counting_is_djangos_500_not_a_crash(article, monkeypatch):
    def broken(**kwargs):
        raise RuntimeError("the counter broke")

    monkeypatch.setattr("gazette.analytics.views.record_beacon", broken)
    fast = Answer(BeaconDispatch(DjangoSpy()), _environ("POST", fast_path(article), 1))
    slow = Answer(WSGIHandler(), _environ("POST", fast_path(article), 2))
    assert (fast.status, slow.status) == (500, 500)
    assert fast.body == slow.body
    _same_headers(fast, slow)


@override_settings(SECURE_SSL_REDIRECT=True)
def test_plain_http_is_redirected_to_https_as_by_django(article):
    fast, slow = _both("POST", fast_path(article), 1, 2)
    assert (fast.status, slow.status) == (301, 301)
    assert fast.headers["Location"] == slow.headers["Location"]
    secure = Answer(
        BeaconDispatch(DjangoSpy()), _environ("POST", fast_path(article), 3, secure=True)
    )
    assert secure.status == 204
    assert secure.headers.get("Strict-Transport-Security") == Answer(
        WSGIHandler(), _environ("POST", fast_path(article), 4, secure=True)
    ).headers.get("Strict-Transport-Security")


def test_the_connection_is_released_after_a_beacon_as_django_would(article, monkeypatch):
    """Django's handler releases the request's database connections when it finishes (a total
    not yet mirrored, or the live set reloaded, opens one); so does the dispatch."""
    from gazette.analytics import wsgi_beacon

    released = []
    monkeypatch.setattr(wsgi_beacon, "close_old_connections", lambda: released.append(True))
    Answer(BeaconDispatch(DjangoSpy()), _environ("POST", fast_path(article), 1))
    assert released == [True]
