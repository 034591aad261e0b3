"""Comments on the article page: what readers see, its cost, and that the page, cached whole for
every reader, never carries one reader's data to another."""

import re
from datetime import timedelta

import pytest
import time_machine
from django.db import connection
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from gazette.comments.models import Comment

from .conftest import post

pytestmark = pytest.mark.django_db
Status = Comment.Status


def _comments(article, count, *, status=Status.PUBLISHED, start=None):
    start = start or timezone.now() - timedelta(days=1)
    return Comment.objects.bulk_create(
        Comment(
            article=article,
            author_name=f"Reader {n}",
            text=f"Comment number {n}",
            status=status,
            created_at=start + timedelta(minutes=n),
        )
        for n in range(count)
    )


def _shown(html: str) -> list[str]:
    return re.findall(r'<p class="comment__text">(.*?)</p>', html)


def test_published_comments_show_oldest_first_with_a_count_of_published_only(client, article):
    _comments(article, 3)
    for status in (Status.PENDING, Status.REJECTED, Status.SPAM):
        Comment.objects.create(
            article=article, author_name="Hidden", text=f"{status} text", status=status
        )
    html = client.get(article.url).content.decode()
    assert _shown(html) == ["Comment number 0", "Comment number 1", "Comment number 2"]
    assert re.search(r"Comments <span[^>]*data-comment-count>3</span>", html)
    assert "Hidden" not in html and "pending text" not in html and "spam text" not in html
    assert 'data-limit="300"' in html and "<span data-comment-remaining>300</span>" in html


def test_name_time_and_escaped_text_with_line_breaks(client, article):
    Comment.objects.create(
        article=article,
        author_name="<b>Bold</b> Name",
        text="First line\nSecond <i>line</i> https://example.org",
        status=Status.PUBLISHED,
    )
    html = client.get(article.url).content.decode()
    assert "&lt;b&gt;Bold&lt;/b&gt; Name" in html
    assert "First line<br>Second &lt;i&gt;line&lt;/i&gt; https://example.org</p>" in html
    assert '<a href="https://example.org"' not in html
    assert re.search(r'<time datetime="\d{4}-\d\d-\d\dT', html)


def test_links_are_clickable_only_when_the_site_allows(client, article, site_settings):
    Comment.objects.create(
        article=article, author_name="A", text="see https://example.org", status=Status.PUBLISHED
    )
    site_settings.links_clickable = True
    site_settings.save()
    html = client.get(article.url).content.decode()
    assert '<a href="https://example.org" rel="nofollow ugc noopener">' in html


def test_pagination_past_50_oldest_first(client, article):
    _comments(article, 51)
    first = client.get(article.url).content.decode()
    assert len(_shown(first)) == 50 and _shown(first)[0] == "Comment number 0"
    assert 'href="?comments_page=2#comments"' in first and "Page 1 of 2" in first
    second = client.get(f"{article.url}?comments_page=2").content.decode()
    assert _shown(second) == ["Comment number 50"]
    assert re.search(r"data-comment-count>51<", second)
    # Nonsense page numbers fall back to a real page rather than failing.
    assert client.get(f"{article.url}?comments_page=x").status_code == 200
    assert client.get(f"{article.url}?comments_page=99").status_code == 200


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_a_page_of_50_comments_renders_in_a_fixed_number_of_queries(client, home, article):
    from tests.factories import ArticleFactory

    few = ArticleFactory(parent=article.get_parent())
    _comments(few, 2)
    _comments(article, 120)
    # Warm the caches both pages share and each one's own (its You May Also Like list).
    _queries(client, few.url)
    _queries(client, article.url)
    assert _queries(client, article.url) == _queries(client, few.url)
    # A page of comments not rendered before costs its two queries (page and count, the
    # replies), whatever its size; then it comes from the cache.
    assert _queries(client, f"{article.url}?comments_page=2") == _queries(client, few.url) + 2
    assert _queries(client, f"{article.url}?comments_page=2") == _queries(client, few.url)


def test_closed_articles_show_no_form(client, article):
    article.comment_policy = "closed"
    article.save_revision().publish()
    _comments(article, 1)
    html = client.get(article.url).content.decode()
    assert "Comments on this article are closed." in html
    assert "data-comment-form" not in html and "Comment number 0" in html


def test_the_form_posts_to_the_uncached_endpoint_and_carries_no_token(client, article):
    html = client.get(article.url).content.decode()
    assert f'action="/comments/{article.pk}/post/"' in html
    assert "csrfmiddlewaretoken" not in html
    assert 'name="website"' in html and 'name="stamp"' in html


def test_one_readers_post_never_reaches_another_reader(article, site_settings):
    """Reader A posts (held for review, then one published); reader B, and A, get the very same
    article page as before: no name, no text of the held comment, no message, no token, and
    the page sets no cookie that a shared cache would have to care about."""
    site_settings.moderation = "pre"
    site_settings.save()
    reader_a, reader_b = Client(), Client()
    with time_machine.travel(timezone.now(), tick=False):
        before = reader_b.get(article.url)
        answer = post(reader_a, article, name="Alice Secret", text="My pending words")
        assert answer.status_code == 303
        landing = reader_a.get(answer["Location"].split("#")[0])
        assert "will appear once a moderator has read it" in landing.content.decode()

        for reader in (reader_b, reader_a):
            response = reader.get(article.url)
            html = response.content.decode()
            assert html == before.content.decode()
            assert "Alice Secret" not in html and "My pending words" not in html
            assert "moderator has read it" not in html
            assert "csrf" not in html.lower()
            assert not response.cookies
            assert "Set-Cookie" not in response
        # B lands on the same generic notice page A saw, and learns nothing about A.
        same = reader_b.get(answer["Location"].split("#")[0])
        assert same.content == landing.content
        assert not landing.cookies and not same.cookies


CACHED = {
    "MIDDLEWARE": [
        "django.middleware.cache.UpdateCacheMiddleware",
        *__import__("django.conf").conf.settings.MIDDLEWARE,
        "django.middleware.cache.FetchFromCacheMiddleware",
    ],
    "CACHE_MIDDLEWARE_SECONDS": 60,
}


def test_through_a_shared_page_cache_reader_b_gets_nothing_of_reader_a(article):
    """The article behind a whole-page cache (Django's, standing in for nginx's microcache)."""
    with override_settings(**CACHED):
        reader_a, reader_b = Client(), Client()
        first = reader_a.get(article.url)
        assert first.status_code == 200 and not first.cookies
        assert first.has_header("Expires") or "max-age" in first.get("Cache-Control", "")
        answer = post(reader_a, article, name="Alice Secret", text="Published words of A")
        assert answer.status_code == 303 and "no-store" in answer["Cache-Control"]
        # B is served the cached copy: nothing A did is in it.
        cached = reader_b.get(article.url)
        assert cached.content == first.content
        assert "Alice Secret" not in cached.content.decode()
        refused = post(reader_a, article, name="Alice Secret", text="z" * 301)
        assert refused.status_code == 400 and "no-store" in refused["Cache-Control"]
        again = reader_b.get(article.url)
        assert "Alice Secret" not in again.content.decode()
