"""The admin's Translate action (wagtail.contrib.simple_translation, gazette.news.translating):
an editor copies a story or a section into the Korean edition as a linked draft; readers see
nothing of it until it is published."""

import pytest
from django.contrib.auth.models import Group
from django.urls import resolve, reverse
from wagtail.models import Page

from gazette.news.models import ArticlePage, SectionPage
from gazette.news.translating import TranslatePageView
from tests.factories import ArticleFactory, SectionFactory


@pytest.fixture
def editor(client, django_user_model):
    """An editor of the newsroom's Editors group (not a superuser)."""
    user = django_user_model.objects.create_user("translator", "t@example.org", "pw")
    user.groups.add(Group.objects.get(name="Editors"))
    client.force_login(user)
    return client


def _translate_url(page) -> str:
    return reverse("simple_translation:submit_page_translation", args=[page.pk])


def _post(client, page, locale, **extra):
    return client.post(_translate_url(page), {"locales": [str(locale.pk)], **extra})


def test_wagtails_address_is_answered_by_the_newsrooms_view(editions):
    url = _translate_url(editions["story"])
    assert resolve(url).func.view_class is TranslatePageView


def test_editors_and_moderators_may_translate_and_contributors_may_not(db):
    for name in ("Editors", "Moderators"):
        assert (
            Group.objects.get(name=name).permissions.filter(codename="submit_translation").exists()
        )
    assert (
        not Group.objects.get(name="Contributors")
        .permissions.filter(codename="submit_translation")
        .exists()
    )


def test_an_editor_translates_a_story_into_a_linked_korean_draft(editions, editor):
    story = ArticleFactory(title="Harbour reopens", slug="harbour", parent=editions["world"])
    form = editor.get(_translate_url(story))
    assert form.status_code == 200
    assert "한국어" in form.content.decode()

    response = _post(editor, story, editions["korean"])

    copy = ArticlePage.objects.get(translation_key=story.translation_key, locale=editions["korean"])
    assert response.status_code == 302
    assert response.url == reverse("wagtailadmin_pages:edit", args=[copy.pk])
    assert not copy.live and copy.has_unpublished_changes  # a draft
    assert copy.get_parent().pk == editions["ko_world"].pk  # under the Korean World
    assert copy.slug == "harbour" and copy.title == "Harbour reopens"
    assert copy.source_key is None
    # The English story is untouched and still the only live one.
    story.refresh_from_db()
    assert story.live and story.locale_id != copy.locale_id


def test_a_section_is_translated_with_its_stories_as_drafts(editions, editor):
    sport = SectionFactory(title="Sport", slug="sport", parent=editions["home"])
    ArticleFactory(title="Final whistle", slug="final", parent=sport)

    response = _post(editor, sport, editions["korean"], include_subtree="on")

    assert response.status_code == 302
    ko_sport = SectionPage.objects.get(
        translation_key=sport.translation_key, locale=editions["korean"]
    )
    assert ko_sport.get_parent().pk == editions["ko_home"].pk and not ko_sport.live
    ko_final = ArticlePage.objects.get(locale=editions["korean"], slug="final")
    assert ko_final.get_parent().pk == ko_sport.pk and not ko_final.live


def test_the_drafts_are_nowhere_a_reader_looks(editions, editor, client):
    from django.test import Client

    story = ArticleFactory(title="Harbour reopens", slug="harbour", parent=editions["world"])
    sport = SectionFactory(title="Sport", slug="sport", parent=editions["home"])
    _post(editor, story, editions["korean"])
    _post(editor, sport, editions["korean"])

    reader = Client()
    assert reader.get("/ko/world/harbour/").status_code == 404
    assert reader.get("/ko/sport/").status_code == 404
    for path in (
        "/ko/",
        "/ko/world/",
        "/ko/feeds/rss.xml",
        "/sitemap.xml",
        "/ko/search/?q=Harbour",
    ):
        html = reader.get(path).content.decode()
        assert "/ko/world/harbour/" not in html, path
        assert "/ko/sport/" not in html, path
    assert "Harbour reopens" not in reader.get("/ko/search/?q=Harbour").content.decode()
    api = reader.get("/api/v1/articles?language=ko").json()
    assert [item["headline"] for item in api["items"]] == ["북부 홍수"]
    # The English story keeps its Korean switcher pointing at the Korean home page, not at
    # the draft.
    html = reader.get("/world/harbour/").content.decode()
    assert 'hreflang="ko" href="http://localhost/ko/world/harbour/"' not in html


def test_translating_twice_is_refused_clearly(editions, editor):
    story = editions["story"]  # already has its Korean translation
    before = Page.objects.count()

    response = _post(editor, story, editions["korean"])

    assert response.status_code == 409
    html = response.content.decode()
    assert "“Floods in the north” already has a translation in 한국어: edit that one." in html
    assert Page.objects.count() == before


def test_a_story_whose_section_is_not_translated_is_refused_clearly(editions, editor):
    business = SectionFactory(title="Business", slug="business", parent=editions["home"])
    story = ArticleFactory(title="Rates hold", slug="rates", parent=business)
    before = Page.objects.count()

    form = editor.get(_translate_url(story)).content.decode()
    assert "Translate the parent page." in form  # Wagtail's own hint, the locale greyed out

    response = _post(editor, story, editions["korean"])

    assert response.status_code == 409
    assert (
        "Translate “Business” into 한국어 first: “Rates hold” goes under it."
        in response.content.decode()
    )
    assert Page.objects.count() == before


def test_garbage_locales_are_a_form_error_not_a_500(editions, editor):
    story = ArticleFactory(title="Harbour reopens", slug="harbour", parent=editions["world"])
    for value in ("", "x", "999999", "-1", "1e9"):
        response = editor.post(_translate_url(story), {"locales": [value]})
        assert response.status_code == 200, value
        assert "error" in response.content.decode()
    assert not ArticlePage.objects.filter(slug="harbour", locale=editions["korean"]).exists()


def test_an_editor_without_the_permission_gets_403(editions, client, django_user_model):
    story = ArticleFactory(title="Harbour reopens", slug="harbour", parent=editions["world"])
    writer = django_user_model.objects.create_user("writer", "w@example.org", "pw")
    writer.groups.add(Group.objects.get(name="Contributors"))
    client.force_login(writer)
    assert client.get(_translate_url(story)).status_code == 403
    assert _post(client, story, editions["korean"]).status_code == 403
    assert not ArticlePage.objects.filter(slug="harbour", locale=editions["korean"]).exists()


def test_a_race_lost_to_a_colleague_is_a_message(editions, editor, monkeypatch):
    from wagtail.actions.copy_for_translation import CopyPageForTranslationAction

    story = ArticleFactory(title="Harbour reopens", slug="harbour", parent=editions["world"])
    copy_for_translation = CopyPageForTranslationAction._copy_for_translation

    def colleague_first(self, page, locale, *args):
        # The form was valid, then a colleague's copy landed before ours.
        copy_for_translation(self, page, locale, *args)
        return copy_for_translation(self, page, locale, *args)

    monkeypatch.setattr(CopyPageForTranslationAction, "_copy_for_translation", colleague_first)

    response = _post(editor, story, editions["korean"])

    assert response.status_code == 302
    assert "translated by someone else meanwhile" in editor.get(response.url).content.decode()
    assert ArticlePage.objects.filter(translation_key=story.translation_key).count() == 1


def test_a_new_english_story_is_not_copied_into_the_korean_edition(editions, editor):
    # WAGTAILSIMPLETRANSLATION_SYNC_PAGE_TREE stays off: no alias per edition.
    from tests.admin_forms import article_form_data

    response = editor.post(
        reverse("wagtailadmin_pages:add", args=["news", "articlepage", editions["world"].pk]),
        article_form_data(ArticlePage(title="Just in", slug="just-in"), body="<p>News.</p>"),
    )
    assert response.status_code == 302
    assert ArticlePage.objects.filter(slug="just-in", locale=editions["world"].locale).exists()
    assert not ArticlePage.objects.filter(locale=editions["korean"], slug="just-in").exists()
