"""Editors work in Wagtail's admin: the forms of our models open and save."""

import pytest
from django.urls import reverse

from gazette.images.models import CustomRendition
from gazette.news.models import ArticlePage, CuratedList
from tests.factories import ArticleFactory, ImageFactory, SectionFactory, make_curated_list

pytestmark = pytest.mark.django_db


def test_editor_forms_open(editor_client, home):
    section = SectionFactory(parent=home)
    article = ArticleFactory(parent=section)
    curated = make_curated_list("must-reads", [article])
    urls = [
        reverse("wagtailadmin_pages:edit", args=[article.pk]),
        reverse("wagtailadmin_pages:add", args=["news", "articlepage", section.pk]),
        reverse("wagtailadmin_pages:edit", args=[section.pk]),
        reverse("wagtailadmin_pages:edit", args=[home.pk]),
        reverse("wagtailsnippets_news_curatedlist:edit", args=[curated.pk]),
        reverse("wagtailsnippets_people_author:add"),
        reverse("wagtailimages:add_multiple"),
    ]
    for url in urls:
        assert editor_client.get(url).status_code == 200, url


def test_preview_shows_the_draft_not_the_live_page(editor_client, home):
    article = ArticleFactory(parent=SectionFactory(parent=home), title="Live headline")
    response = editor_client.post(
        reverse("wagtailadmin_pages:preview_on_edit", args=[article.pk]),
        {
            "title": "Draft headline",
            "slug": article.slug,
            "body-count": "0",
            "article_authors-TOTAL_FORMS": "0",
            "article_authors-INITIAL_FORMS": "0",
            "article_authors-MIN_NUM_FORMS": "0",
            "article_authors-MAX_NUM_FORMS": "1000",
            "editors_picks-TOTAL_FORMS": "0",
            "editors_picks-INITIAL_FORMS": "0",
            "editors_picks-MIN_NUM_FORMS": "0",
            "editors_picks-MAX_NUM_FORMS": "5",
            "correction_notes-TOTAL_FORMS": "0",
            "correction_notes-INITIAL_FORMS": "0",
            "correction_notes-MIN_NUM_FORMS": "0",
            "correction_notes-MAX_NUM_FORMS": "1000",
            "editors_exclusions-TOTAL_FORMS": "0",
            "editors_exclusions-INITIAL_FORMS": "0",
            "editors_exclusions-MIN_NUM_FORMS": "0",
            "editors_exclusions-MAX_NUM_FORMS": "1000",
        },
    )
    assert response.json()["is_valid"], response.json()
    preview = editor_client.get(reverse("wagtailadmin_pages:preview_on_edit", args=[article.pk]))
    assert "Draft headline" in preview.content.decode()
    assert ArticlePage.objects.get(pk=article.pk).title == "Live headline"


def test_publishing_makes_the_renditions_pages_need(home, django_capture_on_commit_callbacks):
    image = ImageFactory()
    section = SectionFactory(parent=home)
    with django_capture_on_commit_callbacks(execute=True):
        ArticleFactory(parent=section, lead_image=image)
    specs = set(CustomRendition.objects.filter(image=image).values_list("filter_spec", flat=True))
    assert {"width-480", "width-800", "width-1200", "fill-480x270"} <= specs


def test_moving_an_article_moves_its_section(home):
    world = SectionFactory(parent=home, title="World", slug="world")
    sport = SectionFactory(parent=home, title="Sport", slug="sport")
    article = ArticleFactory(parent=world)
    assert article.section == world
    article.move(sport, pos="last-child")
    assert ArticlePage.objects.get(pk=article.pk).section_id == sport.pk


def test_curated_list_is_editable_as_a_snippet(editor_client, home):
    article = ArticleFactory(parent=SectionFactory(parent=home))
    response = editor_client.post(
        reverse("wagtailsnippets_news_curatedlist:add"),
        {
            "name": "Must-Reads",
            "slug": "must-reads",
            "items-TOTAL_FORMS": "1",
            "items-INITIAL_FORMS": "0",
            "items-MIN_NUM_FORMS": "0",
            "items-MAX_NUM_FORMS": "1000",
            "items-0-article": str(article.pk),
            "items-0-ORDER": "1",
            "items-0-id": "",
            "items-0-DELETE": "",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert list(
        CuratedList.objects.get(slug="must-reads").items.values_list("article", flat=True)
    ) == [article.pk]
