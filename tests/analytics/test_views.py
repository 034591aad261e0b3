"""The beacon endpoints: what they count, what they answer, and that nothing caches them."""

from datetime import datetime, timedelta, timezone

import pytest
import time_machine
from django.conf import settings
from django.test import Client

from gazette.analytics.counters import counter
from gazette.analytics.readers import reader_key
from gazette.analytics.services import flush_views
from tests.factories import ArticleFactory, SectionFactory

from .common import BOTS, reader

pytestmark = pytest.mark.django_db


@pytest.fixture
def article(home):
    return ArticleFactory(parent=SectionFactory(parent=home))


def _beacon(client, article_id, headers):
    return client.post(f"/analytics/views/{article_id}/", **headers)


def _count(client, article_id):
    return client.get(f"/analytics/views/{article_id}/count")


def counts(client, article_id, headers) -> bool:
    """Send a beacon (answered 204) and say whether it counted a view."""
    before = _count(client, article_id).json()["views"]
    assert _beacon(client, article_id, headers).status_code == 204
    return _count(client, article_id).json()["views"] == before + 1


def test_beacon_counts_a_reader_and_answers_204(client, article):
    response = _beacon(client, article.pk, reader(1))
    assert response.status_code == 204
    assert response.content == b""
    assert "no-store" in response["Cache-Control"]
    assert "private" in response["Cache-Control"]
    assert _count(client, article.pk).json() == {"views": 1, "display": "1", "unit": "view"}

    assert not counts(client, article.pk, reader(1))
    assert counts(client, article.pk, reader(2))
    flush_views()
    assert counts(client, article.pk, reader(3))
    assert _count(client, article.pk).json() == {"views": 3, "display": "3", "unit": "views"}


def test_the_count_is_public_for_a_few_seconds_and_counts_nothing(client, article):
    for _ in range(3):
        response = _count(client, article.pk)
        assert response.status_code == 200
        assert response.json() == {"views": 0, "display": "0", "unit": "views"}
    cache_control = set(response["Cache-Control"].split(", "))
    assert cache_control == {"public", "max-age=0", "s-maxage=5"}  # nginx 5 s, browsers not
    assert not response.cookies
    assert client.post(f"/analytics/views/{article.pk}/count").status_code == 405


def test_the_count_of_no_live_article_is_a_404(client, article, home):
    draft = ArticleFactory(parent=article.get_parent(), live=False)
    for article_id in (draft.pk, 999_999, article.get_parent().pk):
        response = _count(client, article_id)
        assert response.status_code == 404
        assert response.json() == {"error": "No published article has this id."}
    assert client.get("/analytics/views/99999999999999999999999999/count").status_code == 404


def test_the_same_reader_counts_again_only_after_30_minutes(client, article):
    """The repeat window on the beacon's own path: Redis's beacon script with REDIS_URL, this
    process's memory without."""
    noon = datetime.now(timezone.utc).replace(hour=12, minute=0)  # a new day counts anyway
    with time_machine.travel(noon, tick=False) as clock:
        assert counts(client, article.pk, reader(1))
        clock.shift(timedelta(minutes=29, seconds=59))
        assert not counts(client, article.pk, reader(1))
        assert counts(client, article.pk, reader(2))
        if settings.GAZETTE_VIEWS_REDIS_URL:
            # Redis forgets the reader on its own clock, which a test cannot move: it was told
            # 30 minutes (the time since the first beacon is Redis's real one, not the test's).
            redis = counter.remote.redis
            seen = counter.remote.seen_prefix + reader_key(
                reader(1), article_id=article.pk, day=noon.date()
            )
            assert 1_790_000 <= redis.pttl(seen) <= 1_800_000
            redis.delete(seen)  # what Redis does once that time is up
        else:
            clock.shift(timedelta(seconds=2))
        assert counts(client, article.pk, reader(1))
        assert _count(client, article.pk).json() == {"views": 3, "display": "3", "unit": "views"}


def test_beacon_answers_bots_without_counting_them(client, article):
    for number, user_agent in enumerate(BOTS):
        assert not counts(client, article.pk, reader(number, user_agent))
    assert not counts(client, article.pk, reader(99, HTTP_SEC_PURPOSE="prefetch"))
    assert _count(client, article.pk).json()["views"] == 0


def test_beacon_needs_no_csrf_token_and_sets_no_cookie(article):
    client = Client(enforce_csrf_checks=True)
    response = _beacon(client, article.pk, reader(1))
    assert response.status_code == 204
    assert not response.cookies
    assert _count(client, article.pk).json()["views"] == 1


def test_pixel_counts_readers_without_javascript(client, article):
    response = client.get(
        f"/analytics/views/{article.pk}/pixel.gif", **reader(1, HTTP_SEC_FETCH_DEST="image")
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "image/gif"
    assert response.content.startswith(b"GIF89a") and len(response.content) < 100
    assert "no-store" in response["Cache-Control"]
    assert _count(client, article.pk).json()["views"] == 1
    assert not counts(client, article.pk, reader(1))  # same reader


@pytest.mark.parametrize(
    "path",
    [
        "/analytics/views/999999/",
        "/analytics/views/99999999999999999999999999/",
        "/analytics/views/0/",
    ],
)
def test_unknown_articles_get_a_404_not_a_500(client, article, path):
    response = client.post(path, **reader(1))
    assert response.status_code == 404
    assert response.json() == {"error": "No published article has this id."}
    assert client.get(path + "pixel.gif", **reader(1)).status_code == 404


def test_drafts_and_other_pages_are_not_counted(client, article, home):
    draft = ArticleFactory(parent=article.get_parent(), live=False)
    assert _beacon(client, draft.pk, reader(1)).status_code == 404
    section = article.get_parent()
    assert _beacon(client, section.pk, reader(1)).status_code == 404


def test_wrong_methods_and_malformed_ids_are_refused(client, article):
    assert client.get(f"/analytics/views/{article.pk}/", **reader(1)).status_code == 405
    assert client.post(f"/analytics/views/{article.pk}/pixel.gif").status_code == 405
    assert client.post("/analytics/views/abc/", **reader(1)).status_code == 404
