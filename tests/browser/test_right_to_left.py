"""The Arabic site in a real browser: the article reads right to left at a phone's and a
desktop's width (screenshots in test-artifacts/), axe finds nothing, and the comment counter
counts down in the digits the locale writes: Western for Arabic ("ar", as CLDR has it),
Arabic-Indic for Egyptian Arabic ("ar-eg")."""

import pytest
from axe_playwright_python.sync_playwright import Axe
from wagtail.models import Site

from gazette.comments.models import CommentSettings
from gazette.news.models import ArticlePage
from tests.browser.test_accessibility import WCAG_AA
from tests.conftest import ARTICLE_HEADLINE, empty_caches, use_site_language

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def arabic(settings):
    use_site_language(settings, "ar")
    return settings


@pytest.fixture
def article_path(seeded):
    comment_settings, _ = CommentSettings.objects.get_or_create(
        site=Site.objects.get(is_default_site=True)
    )
    comment_settings.min_seconds_to_submit = 0
    comment_settings.save()
    return ArticlePage.objects.get(title=ARTICLE_HEADLINE).url


COUNTERS = [  # the language, then what the counter says at 10 and 11 left and 1 over
    ("ar", "10 أحرف متبقية", "11 حرفًا متبقيًا", "1 حرف زائد"),
    ("ar-eg", "١٠ أحرف متبقية", "١١ حرفًا متبقيًا", "١ حرف زائد"),
]


def test_the_arabic_article_in_chromium(arabic, open_page, article_path, artifacts, subtests):
    """One imported site (the import is the dear part) for every check, each a subtest."""
    for width in (390, 1280):
        with subtests.test("the article reads right to left", width=width):
            _reads_right_to_left(open_page, article_path, width, artifacts)
    for language, ten, eleven, over in COUNTERS:
        with subtests.test("the counter counts down in the locale's digits", language=language):
            use_site_language(arabic, language)
            empty_caches()  # as at a test's start: no page kept in the previous language
            _counts_down(open_page, article_path, language, ten, eleven, over, artifacts)


def _reads_right_to_left(open_page, article_path, width, artifacts):
    page, watch = open_page(article_path, width=width)
    assert page.evaluate("document.documentElement.lang") == "ar"
    assert page.evaluate("document.documentElement.dir") == "rtl"
    body_direction = "getComputedStyle(document.querySelector('.article__body')).direction"
    assert page.evaluate(body_direction) == "rtl"
    # The page's own words are Arabic; the story (content) stays as written.
    assert page.locator(".site-search button").inner_text() == "بحث"
    assert page.locator("#comments-heading").inner_text().startswith("التعليقات")
    # Right to left: the title starts at the right edge; the notice's rule is on its right.
    title = page.locator(".site-title").bounding_box()
    assert title["x"] + title["width"] > width * 0.6
    if width == 1280:
        # The rail sits at the inline end: left of the article in Arabic.
        article = page.locator("article.article").bounding_box()
        rail = page.locator("aside.rail").bounding_box()
        assert rail["x"] < article["x"]
    assert page.evaluate("document.documentElement.scrollWidth") <= width  # no sideways scroll
    page.screenshot(path=artifacts / f"article-ar-{width}.png", full_page=False)
    page.locator("#comments").screenshot(path=artifacts / f"comments-ar-{width}.png")
    violations = Axe().run(page, options=WCAG_AA).response["violations"]
    assert [violation["id"] for violation in violations] == []
    assert watch.console_errors == []


def _counts_down(open_page, article_path, language, ten, eleven, over, artifacts):
    page, watch = open_page(article_path, width=390)
    counter = page.locator("[data-comment-counter]")
    start = "300" if language == "ar" else "٣٠٠"
    assert counter.inner_text() == f"{start} حرف متبقٍّ"  # 300: CLDR's "other"
    page.fill("#comment-text", "ب" * 290)
    assert counter.inner_text() == ten  # "few" in Arabic
    page.fill("#comment-text", "ب" * 289)
    assert counter.inner_text() == eleven  # "many"
    page.fill("#comment-text", "ب" * 301)
    assert counter.inner_text() == over  # "one"
    assert "is-over" in counter.get_attribute("class")
    page.fill("#comment-name", "ليلى")
    page.click("button.comment-form__submit")
    status = page.locator("[data-comment-status]")
    assert "اختصره بمقدار حرف واحد" in status.inner_text()
    page.locator("#comments").screenshot(path=artifacts / f"comments-counter-{language}-390.png")
    assert watch.console_errors == []
