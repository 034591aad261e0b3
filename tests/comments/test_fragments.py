"""The article page's list of comments is rendered once per change (gazette.comments.fragments):
every saved or deleted comment, and every change of the shared parts (the comment settings),
shows on the next render; until then the list costs no query."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from gazette.comments.models import Comment, CommentSettings

Status = Comment.Status

pytestmark = pytest.mark.django_db


def _render(client, url) -> tuple[str, int]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return response.content.decode(), len(queries)


def _comment(article, text, **fields) -> Comment:
    return Comment.objects.create(
        article=article,
        author_name="Reader",
        text=text,
        status=Status.PUBLISHED,
        created_at=timezone.now() - timedelta(minutes=5),
        **fields,
    )


def test_each_saved_or_deleted_comment_shows_on_the_next_render(
    client, article, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        first = _comment(article, "The first word")
    html, _ = _render(client, article.url)
    assert "The first word" in html
    _, cold = _render(client, article.url)

    with django_capture_on_commit_callbacks(execute=True):
        _comment(article, "A second word")
    html, changed = _render(client, article.url)
    assert "A second word" in html and changed > cold  # the list was read again

    with django_capture_on_commit_callbacks(execute=True):
        first.delete()
    html, _ = _render(client, article.url)
    assert "The first word" not in html and "A second word" in html

    with django_capture_on_commit_callbacks(execute=True):
        Comment.objects.filter(text="A second word").update(status=Status.REJECTED)
        # A bulk write sends no signal: the writer says so.
        from gazette.comments import fragments

        fragments.bump(article.pk)
    html, _ = _render(client, article.url)
    assert "A second word" not in html


def test_the_cached_list_costs_no_query_and_follows_the_comment_settings(
    client, article, home, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        _comment(article, "See https://example.org/page for more")
    _render(client, article.url)
    html, _ = _render(client, article.url)
    assert 'href="https://example.org/page"' not in html

    with CaptureQueriesContext(connection) as queries:
        _render(client, article.url)
    assert not any("comments_comment" in query["sql"] for query in queries.captured_queries)

    with django_capture_on_commit_callbacks(execute=True):
        settings = CommentSettings.for_site(home.get_site())
        settings.links_clickable = True
        settings.save()
    html, _ = _render(client, article.url)
    assert 'href="https://example.org/page"' in html


# The empty form is kept with the list, but for its stamp, which each render makes afresh.


def _stamp(html: str) -> str:
    return html.split('name="stamp" value="', 1)[1].split('"', 1)[0]


def test_the_kept_form_gets_a_stamp_of_its_own_render(client, article, time_machine):
    from gazette.comments import rules
    from gazette.comments.presentation import STAMP_PLACEHOLDER

    time_machine.move_to(timezone.now(), tick=False)
    first, _ = _render(client, article.url)
    time_machine.shift(timedelta(seconds=30))
    html, _ = _render(client, article.url)
    assert STAMP_PLACEHOLDER not in html
    assert _stamp(html) != _stamp(first)
    assert rules.stamp_age(_stamp(html), article.pk) == pytest.approx(0, abs=1)
    assert rules.stamp_age(_stamp(first), article.pk) == pytest.approx(30, abs=1)
    assert f'action="{reverse("comments:post", args=[article.pk])}"' in html


def test_the_form_follows_the_moderation_and_closing_at_once(client, article, site_settings):
    html, _ = _render(client, article.url)
    assert "Comments appear at once" in html
    site_settings.moderation = "pre"
    site_settings.save()
    html, _ = _render(client, article.url)
    assert "A moderator reads every comment before it appears." in html
    site_settings.moderation = "closed"
    site_settings.save()
    html, _ = _render(client, article.url)
    assert 'class="comment-form"' not in html
    assert "Comments on this article are closed." in html


# Redis stopped and started again with its data (appendonly): the block kept before the outage
# is there again, while the new version of the list was dropped (gazette.core.generational,
# ``cache_away``).


def test_a_comment_saved_while_the_cache_was_away_shows_once_it_is_back(
    client, article, cache_stopped, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        _comment(article, "Before the outage")
    html, _ = _render(client, article.url)
    assert "Before the outage" in html  # the block is kept now

    with cache_stopped():
        with django_capture_on_commit_callbacks(execute=True):
            _comment(article, "While the cache was away")  # its new version is dropped
        html, _ = _render(client, article.url)  # rendered without the cache meanwhile
        assert "While the cache was away" in html

    html, _ = _render(client, article.url)
    assert "While the cache was away" in html
