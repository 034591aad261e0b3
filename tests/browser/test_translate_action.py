"""The admin's Translate action in chromium: an editor opens a story's ⋯ menu, picks
Translate, ticks 한국어 and lands on the Korean draft's edit view (screenshots in
test-artifacts/)."""

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse

from gazette.news.models import ArticlePage
from tests.browser.conftest import PageWatch, close_when_idle
from tests.factories import ArticleFactory

pytestmark = pytest.mark.django_db(transaction=True)


def test_an_editor_translates_a_story_from_its_action_menu(
    editions, browser, live_server, settings, artifacts
):
    settings.WAGTAIL_ENABLE_UPDATE_CHECK = False  # Wagtail's call home
    story = ArticleFactory(title="Harbour reopens", slug="harbour", parent=editions["world"])
    user = get_user_model().objects.create_superuser("ed", "ed@example.org", "pw")
    client = Client()
    client.force_login(user)
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )
    try:
        page = context.new_page()
        watch = PageWatch(page, live_server.url)
        page.goto(live_server.url + reverse("wagtailadmin_pages:edit", args=[story.pk]))
        page.wait_for_load_state("networkidle")

        page.get_by_role("button", name="Actions", exact=True).first.click()
        translate = page.get_by_role("link", name="Translate")
        assert translate.is_visible()
        page.screenshot(path=str(artifacts / "translate-1-action-menu-1280.png"))

        with page.expect_navigation():
            translate.click()
        page.wait_for_load_state("networkidle")
        page.screenshot(path=str(artifacts / "translate-2-form-1280.png"), full_page=True)
        page.get_by_label("한국어").check()
        with page.expect_navigation():
            page.get_by_role("button", name="Submit").click()
        page.wait_for_load_state("networkidle")

        copy = ArticlePage.objects.get(
            translation_key=story.translation_key, locale__language_code="ko"
        )
        assert page.url.endswith(reverse("wagtailadmin_pages:edit", args=[copy.pk]))
        assert not copy.live and copy.get_parent().pk == editions["ko_world"].pk
        assert page.get_by_text("was successfully created in 한국어").is_visible()
        page.screenshot(path=str(artifacts / "translate-3-korean-draft-1280.png"))
        assert watch.console_errors == [] and watch.foreign_requests == []
    finally:
        close_when_idle([context])
