"""Issue 23: bulk change of section and topics from the page listing."""

import pytest
from django.urls import reverse

from gazette.news.models import ArticlePage
from tests.factories import ArticleFactory, SectionFactory

pytestmark = pytest.mark.django_db


def _url(action, *pages):
    ids = "&".join(f"id={page.pk}" for page in pages)
    return reverse("wagtail_bulk_action", args=("wagtailcore", "page", action)) + f"?{ids}"


def _topics(article):
    return sorted(tag.name for tag in ArticlePage.objects.get(pk=article.pk).tags.all())


def test_the_listing_offers_both_actions(editor_client, home):
    section = SectionFactory(parent=home)
    ArticleFactory(parent=section)
    html = editor_client.get(reverse("wagtailadmin_explore", args=[section.pk])).content.decode()
    assert "Change section" in html and "Change topics" in html


def test_change_section_moves_the_articles(editor_client, home, client):
    world = SectionFactory(parent=home, title="World", slug="world")
    sport = SectionFactory(parent=home, title="Sport", slug="sport")
    first = ArticleFactory(parent=world, title="Cup final", slug="cup-final")
    second = ArticleFactory(parent=world, title="Marathon", slug="marathon")
    form = editor_client.get(_url("change_section", first, second)).content.decode()
    assert 'name="section"' in form and "Cup final" in form

    response = editor_client.post(_url("change_section", first, second), {"section": sport.pk})
    assert response.status_code == 302
    for article in (first, second):
        moved = ArticlePage.objects.get(pk=article.pk)
        assert moved.section_id == sport.pk and moved.url.startswith("/sport/")
    assert client.get("/sport/cup-final/").status_code == 200


def test_change_section_refuses_a_non_article(editor_client, home):
    world = SectionFactory(parent=home, title="World", slug="world")
    sport = SectionFactory(parent=home, title="Sport", slug="sport")
    html = editor_client.get(_url("change_section", world)).content.decode()
    assert "Not an article" in html
    editor_client.post(_url("change_section", world), {"section": sport.pk})
    assert world.get_parent().pk == home.pk


def test_change_topics_republishes_live_articles_and_keeps_drafts_unpublished(editor_client, home):
    section = SectionFactory(parent=home)
    live = ArticleFactory(parent=section, title="Live", tags=["Energy", "Old"])
    pending = ArticleFactory(parent=section, title="Pending", tags=["Old"])
    draft = pending.get_latest_revision_as_object()
    draft.title = "Pending, retitled"
    draft.save_revision()  # an editor's unpublished change

    response = editor_client.post(
        _url("change_topics", live, pending), {"add": "Climate, Energy", "remove": "old"}
    )
    assert response.status_code == 302
    assert _topics(live) == ["Climate", "Energy"]  # live at once, no duplicate
    pending = ArticlePage.objects.get(pk=pending.pk)
    assert _topics(pending) == ["Old"] and pending.title == "Pending"  # nothing went live
    latest = pending.get_latest_revision_as_object()
    assert latest.title == "Pending, retitled"
    assert sorted(tag.name for tag in latest.tags.all()) == ["Climate", "Energy"]


def test_change_topics_needs_a_topic(editor_client, home):
    article = ArticleFactory(parent=SectionFactory(parent=home), tags=["Kept"])
    response = editor_client.post(_url("change_topics", article), {"add": " ", "remove": ""})
    assert response.status_code == 200
    assert "Name at least one topic" in response.content.decode()
    assert _topics(article) == ["Kept"]
