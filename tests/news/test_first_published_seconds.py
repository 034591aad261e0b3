"""Republishing from the admin keeps the first-published time to the second: the admin's date
widget posts minutes, and the feeds, the news sitemap and article:published_time show it."""

import re
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.urls import reverse
from wagtail.test.utils.form_data import inline_formset

from gazette.news.models import ArticlePage
from tests.admin_forms import article_form_data
from tests.factories import ArticleFactory, AuthorFactory, SectionFactory

pytestmark = pytest.mark.django_db

FIRST_PUBLISHED = datetime(2026, 3, 2, 13, 15, 18, 250_000, tzinfo=UTC)


def _shown_first_published(editor_client, article) -> str:
    """The first-published time as the edit form shows it, and so posts it back."""
    html = editor_client.get(reverse("wagtailadmin_pages:edit", args=[article.pk])).content
    field = re.search(r'<input[^>]*name="first_published_at"[^>]*>', html.decode())
    assert field, "no first-published field in the form"
    value = re.search(r'value="([^"]*)"', field.group(0))
    return value.group(1) if value else ""  # none before the first publication


def _publish_from_the_admin(editor_client, article, **fields):
    byline = article.article_authors.first()
    authors = (
        inline_formset([{"id": byline.pk, "author": byline.author_id}], initial=1)
        if byline
        else inline_formset([{"author": AuthorFactory().pk}])
    )
    data = article_form_data(
        article,
        action="publish",
        body="The story.",
        first_published_at=_shown_first_published(editor_client, article),
        article_authors=authors,
        **fields,
    )
    response = editor_client.post(reverse("wagtailadmin_pages:edit", args=[article.pk]), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    return ArticlePage.objects.get(pk=article.pk)


@pytest.fixture
def draft(home, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    return ArticleFactory(parent=SectionFactory(parent=home), first_published_at=None, live=False)


def test_republishing_keeps_the_seconds_of_the_first_publication(editor_client, draft):
    with time_machine.travel(FIRST_PUBLISHED, tick=False):
        first = _publish_from_the_admin(editor_client, draft)
    assert first.first_published_at == FIRST_PUBLISHED

    assert _shown_first_published(editor_client, first).endswith("13:15")  # minutes only
    with time_machine.travel(FIRST_PUBLISHED + timedelta(hours=2), tick=False):
        again = _publish_from_the_admin(editor_client, first, title="A corrected headline")

    assert again.title == "A corrected headline"
    assert again.first_published_at == FIRST_PUBLISHED
    page = editor_client.get(again.url).content.decode()
    assert 'content="2026-03-02T13:15:18' in page  # article:published_time


def test_an_editor_may_still_move_the_first_published_time(editor_client, draft):
    with time_machine.travel(FIRST_PUBLISHED, tick=False):
        first = _publish_from_the_admin(editor_client, draft)
    byline = first.article_authors.get()
    data = article_form_data(
        first,
        action="publish",
        body="The story.",
        first_published_at="2026-03-01 09:30",
        article_authors=inline_formset([{"id": byline.pk, "author": byline.author_id}], initial=1),
    )
    editor_client.post(reverse("wagtailadmin_pages:edit", args=[first.pk]), data)
    moved = ArticlePage.objects.get(pk=first.pk).first_published_at
    assert moved == datetime(2026, 3, 1, 9, 30, tzinfo=UTC)
