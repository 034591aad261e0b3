"""A database that cannot be reached (a restart, a failover) gets readers a 503 "We'll be right
back" page with Retry-After that no cache keeps; any other error stays Django's 500."""

from unittest import mock

import pytest
from django.db import InterfaceError, OperationalError
from django.test import Client
from django.urls import path


def database_down(request):
    raise OperationalError("connection to server at 127.0.0.1 failed: Connection refused")


def connection_gone(request):
    raise InterfaceError("connection already closed")


def wrapped(request):
    try:
        database_down(request)
    except OperationalError as exc:
        raise RuntimeError("rendering failed") from exc


def bug(request):
    raise ValueError("a bug, not an outage")


urlpatterns = [
    path("down/", database_down),
    path("gone/", connection_gone),
    path("wrapped/", wrapped),
    path("bug/", bug),
]
handler500 = "gazette.core.views.server_error"

pytestmark = pytest.mark.urls(__name__)


@pytest.fixture
def client():
    return Client(raise_request_exception=False)


@pytest.mark.parametrize("url", ["/down/", "/gone/", "/wrapped/"])
def test_an_unreachable_database_answers_503_we_will_be_right_back(client, url):
    response = client.get(url)
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    assert "no-store" in response["Cache-Control"]
    assert "right back" in response.content.decode()


def test_the_site_wide_handler_is_the_one_these_tests_use():
    from gazette import urls

    assert urls.handler500 == handler500


def test_any_other_error_is_a_plain_500(client):
    response = client.get("/bug/")
    assert response.status_code == 500
    assert "Retry-After" not in response
    assert "Something went wrong" in response.content.decode()


@pytest.mark.urls("gazette.urls")
def test_health_fails_without_the_database_and_only_reports_the_cache(client, db, monkeypatch):
    from django.core.cache import cache

    monkeypatch.setattr(cache, "get", lambda *args, **kwargs: None)  # as when Redis is down
    degraded = client.get("/healthz")
    assert degraded.status_code == 200
    assert degraded.json() == {"database": "ok", "cache": "error: no round trip"}

    def refused(*args, **kwargs):
        raise OperationalError("connection refused")

    with mock.patch("gazette.core.views.connection.cursor", refused):
        down = client.get("/healthz")
    assert down.status_code == 503
    assert down.json()["database"] == "error: OperationalError"
