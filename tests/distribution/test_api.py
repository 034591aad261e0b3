"""The public JSON API: articles, sections, authors; pagination, filters, OpenAPI schema,
rate limits, and nothing a reader could not see."""

from datetime import timedelta

import pytest
import schemathesis
import time_machine
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections, connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.distribution.conftest import HIDDEN_TITLES, add_story

pytestmark = pytest.mark.django_db


def _get(client, url, status=200):
    response = client.get(url)
    assert response.status_code == status, (url, response.content[:500])
    return response.json()


def test_articles_list_only_what_readers_see_newest_first(newsroom, client):
    data = _get(client, "/api/v1/articles")
    assert data["count"] == len(newsroom.published)
    assert [item["headline"] for item in data["items"]] == [s.title for s in newsroom.published]
    for hidden in HIDDEN_TITLES:
        assert hidden not in str(data)
    first, story = data["items"][0], newsroom.published[0]
    assert first["id"] == story.pk
    assert first["url"] == f"http://localhost{story.url}"
    assert first["section"] == {"slug": "world", "name": "World", "url": "http://localhost/world/"}
    assert [author["slug"] for author in first["authors"]] == ["daniel-kim", "mina-lee"]
    assert first["lead_image"]["url"].startswith("http://localhost/media/")
    assert first["lead_image"]["credit"] == story.lead_image.credit
    assert first["published_at"].startswith(story.first_published_at.strftime("%Y-%m-%dT%H:%M"))
    assert "body_html" not in first


def test_article_detail_has_the_body_and_hides_the_unpublished(newsroom, client):
    story = newsroom.published[0]
    data = _get(client, f"/api/v1/articles/{story.pk}")
    assert data["headline"] == story.title
    assert 'They fled <a href="http://localhost/world/">north</a>.' in data["body_html"]
    for hidden in newsroom.hidden.values():
        assert _get(client, f"/api/v1/articles/{hidden.pk}", 404)["detail"]
    # A live story with unpublished edits shows its live headline only.
    edited = _get(client, f"/api/v1/articles/{newsroom.published[1].pk}")
    assert edited["headline"] == "Porsche breaks a drift record"
    assert _get(client, "/api/v1/articles/2147483647", 404)


def test_filters_and_pagination(newsroom, client):
    world = _get(client, "/api/v1/articles?section=world")
    assert [item["id"] for item in world["items"]] == [
        newsroom.published[0].pk,
        newsroom.published[2].pk,
    ]
    kim = _get(client, "/api/v1/articles?author=daniel-kim")
    assert {item["id"] for item in kim["items"]} == {
        newsroom.published[0].pk,
        newsroom.published[2].pk,
    }
    since = (timezone.now() - timedelta(days=1)).isoformat()
    recent = client.get("/api/v1/articles", {"published_after": since}).json()
    assert [item["id"] for item in recent["items"]] == [s.pk for s in newsroom.published[:2]]
    before = client.get("/api/v1/articles", {"published_before": since}).json()
    assert [item["id"] for item in before["items"]] == [newsroom.published[2].pk]
    assert _get(client, "/api/v1/articles?section=nowhere")["items"] == []

    page_one = _get(client, "/api/v1/articles?page_size=2")
    assert len(page_one["items"]) == 2 and page_one["previous"] is None
    # Only the endpoint's parameters, in their order (nginx's cache key for the page).
    assert page_one["next"] == "http://localhost/api/v1/articles?page=2&page_size=2"
    page_two = _get(client, "/api/v1/articles?page_size=2&page=2")
    assert [item["id"] for item in page_two["items"]] == [newsroom.published[2].pk]
    assert page_two["next"] is None
    assert page_two["previous"] == "http://localhost/api/v1/articles?page=1&page_size=2"
    # Parameters the endpoint does not read are not carried on.
    tracked = _get(client, "/api/v1/articles?utm_source=mail&page_size=2&section=world&x=1")
    assert tracked["next"] is None
    tracked = _get(client, "/api/v1/articles?utm_source=mail&page_size=1&section=world&x=1")
    assert tracked["next"] == "http://localhost/api/v1/articles?page=2&page_size=1&section=world"


def test_sections_and_authors(newsroom, client):
    sections = _get(client, "/api/v1/sections")
    assert [item["slug"] for item in sections["items"]] == ["world", "lifestyle"]
    assert _get(client, "/api/v1/sections/world")["name"] == "World"
    authors = _get(client, "/api/v1/authors")
    assert [item["slug"] for item in authors["items"]] == ["daniel-kim", "mina-lee"]
    kim = _get(client, "/api/v1/authors/daniel-kim")
    assert kim == {
        "slug": "daniel-kim",
        "name": "Daniel Kim",
        "url": "http://localhost/authors/daniel-kim/",
        "bio": "Covers Korea.",
    }
    assert _get(client, "/api/v1/sections/nowhere", 404)["detail"]
    assert _get(client, "/api/v1/authors/nobody", 404)["detail"]


def test_most_read_ranks_live_articles_by_recent_views(newsroom, client):
    from gazette.analytics.models import HourlyViews

    hour = timezone.now().replace(minute=0, second=0, microsecond=0)
    older, newest = newsroom.published[2], newsroom.published[0]
    for article, views in [(older, 40), (newest, 7), (newsroom.hidden["private"], 99)]:
        HourlyViews.objects.create(article=article, hour=hour, views=views)
    HourlyViews.objects.create(article=newest, hour=hour - timedelta(days=3), views=500)

    data = _get(client, "/api/v1/articles/most-read?limit=5")
    assert data["window_hours"] == 24
    assert [(item["id"], item["views"]) for item in data["items"]] == [
        (older.pk, 40),
        (newest.pk, 7),
    ]
    assert _get(client, "/api/v1/articles/most-read?limit=1")["items"][0]["id"] == older.pk
    assert client.get("/api/v1/articles/most-read?limit=0").status_code == 422


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/articles?page=0",
        "/api/v1/articles?page=abc",
        "/api/v1/articles?page_size=1000",
        "/api/v1/articles?section=%00",
        "/api/v1/articles?section=a%27%20OR%201=1",
        "/api/v1/articles?published_after=yesterday",
        "/api/v1/articles?published_after=0001-01-01T00:00:00%2B14:00",
        "/api/v1/articles/99999999999999999999",
        "/api/v1/articles/-1",
        "/api/v1/authors/%F0%9F%98%80",
    ],
)
def test_bad_parameters_get_a_clear_4xx(newsroom, client, url):
    response = client.get(url)
    assert 400 <= response.status_code < 500, (url, response.status_code)
    assert response.json()["detail"]


def test_rate_limit_answers_429_with_retry_after(newsroom, client, settings):
    settings.GAZETTE_API_RATE_LIMIT = "3/m"
    # The allowance is counted per minute: time stands still, so that a slow machine's
    # requests never straddle the turn of a minute.
    with time_machine.travel(timezone.now().replace(second=10), tick=False):
        statuses = [client.get("/api/v1/sections").status_code for _ in range(4)]
        assert statuses == [200, 200, 200, 429]
        limited = client.get("/api/v1/articles")
        assert limited.status_code == 429 and int(limited["Retry-After"]) >= 1
        # Another client has its own allowance.
        assert client.get("/api/v1/sections", REMOTE_ADDR="10.9.8.7").status_code == 200


def test_openapi_schema_describes_every_endpoint(db, client):
    schema = _get(client, "/api/v1/openapi.json")
    assert schema["openapi"].startswith("3.")
    assert set(schema["paths"]) == {
        "/api/v1/articles",
        "/api/v1/articles/most-read",
        "/api/v1/articles/{article_id}",
        "/api/v1/sections",
        "/api/v1/sections/{slug}",
        "/api/v1/authors",
        "/api/v1/authors/{slug}",
    }


def _queries(client, url) -> int:
    client.get(url)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_lists_make_a_fixed_number_of_queries(newsroom, client):
    urls = ["/api/v1/articles", "/api/v1/articles/most-read", "/api/v1/sections", "/api/v1/authors"]
    from gazette.analytics.models import HourlyViews

    hour = timezone.now().replace(minute=0, second=0, microsecond=0)
    HourlyViews.objects.create(article=newsroom.published[0], hour=hour, views=3)
    before = [_queries(client, url) for url in urls]
    for minutes in range(5):
        story = add_story(
            newsroom.world, minutes_ago=minutes + 1, authors=[newsroom.kim, newsroom.lee]
        )
        HourlyViews.objects.create(article=story, hour=hour, views=minutes + 1)
    after = [_queries(client, url) for url in urls]
    assert after == before
    assert max(after) <= 9, after


def test_schemathesis_finds_no_server_error_and_no_schema_violation(newsroom, client, settings):
    """A short fuzzing run against the API's own schema: every operation, bounded examples."""
    settings.GAZETTE_API_RATE_LIMIT = "100000/m"
    schema = schemathesis.openapi.from_dict(client.get("/api/v1/openapi.json").json())
    app = WSGIHandler()
    checks = [
        not_a_server_error,
        status_code_conformance,
        content_type_conformance,
        response_schema_conformance,
    ]
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) == 7
    # As Django's test client does: the test's transaction must outlive each request.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        _fuzz(operations, app, checks)
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


def _fuzz(operations, app, checks):
    for operation in operations:

        @given(case=operation.as_strategy())
        @hypothesis_settings(
            max_examples=15,
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        def fuzz(case):
            response = case.call(app=app)
            case.validate_response(response, checks=checks)

        fuzz()
