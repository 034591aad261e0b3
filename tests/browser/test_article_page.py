"""A reader opens the imported reference article in a real browser."""

import pytest

from gazette.news.models import ArticlePage
from tests.conftest import ARTICLE_HEADLINE
from tests.importers.test_import_textdump import LATEST_WORLD, MUST_READS

pytestmark = pytest.mark.django_db(transaction=True)


# Importing the reference page costs more than all the checks below together: the module
# imports it once, and each check runs as a subtest of one test, in a page of its own.


def reader_sees_every_part_of_the_article(open_page, article_path, artifacts):
    page, watch = open_page(article_path)

    assert page.title() == f"{ARTICLE_HEADLINE} | Gazette"
    assert page.locator("h1").inner_text() == ARTICLE_HEADLINE
    byline = page.locator(".byline a[rel=author]")
    assert byline.inner_text() == "Daniel Kim"
    assert byline.get_attribute("href") == "/authors/daniel-kim/"

    lead = page.locator(".article__lead-image")
    assert "Korean Central News Agency" in lead.locator("figcaption").text_content()
    assert lead.locator("img").evaluate("img => img.complete && img.naturalWidth > 0")

    body = page.locator(".article__body")
    paragraphs = body.locator(":scope > p")
    assert paragraphs.count() == 6
    assert paragraphs.first.inner_text().startswith("Russia, currently engaged")
    # The inline image and its credit stand between paragraphs 5 and 6.
    order = body.evaluate(
        "body => [...body.children].map(el => el.tagName === 'FIGURE' ? "
        "'figure:' + el.querySelector('figcaption').textContent : 'p')"
    )
    assert order[:5] == ["p"] * 5 and order[6] == "p"
    assert "GettyimagesKorea" in order[5]

    author_box = page.locator(".author-box")
    assert author_box.locator("a[href^=mailto]").get_attribute("href") == (
        "mailto:content@viewusglobal.com"
    )

    latest = page.locator("section[aria-labelledby=latest-stories-heading]")
    assert latest.locator("h2").inner_text() == "WORLD Latest Stories"
    assert latest.locator("a.teaser__headline").all_inner_texts() == LATEST_WORLD

    must_reads = page.locator("section[aria-labelledby=must-reads-heading]")
    assert must_reads.locator("a.teaser__headline").all_inner_texts() == MUST_READS
    assert must_reads.locator(".ranked-list__rank").all_inner_texts() == ["1", "2", "3", "4", "5"]
    assert set(must_reads.locator(".section-label").all_inner_texts()) == {"LIFESTYLE"}

    # Every image reserves its space, so the layout does not jump while it loads.
    sizes = page.locator("img").evaluate_all(
        "imgs => imgs.map(img => [img.getAttribute('width'), img.getAttribute('height')])"
    )
    assert sizes and all(width and height for width, height in sizes)

    assert watch.failed == []
    assert watch.console_errors == []
    assert watch.foreign_requests == []
    page.screenshot(path=artifacts / "article-1280.png", full_page=True)


def headlines_in_the_lists_lead_to_their_articles(open_page, article_path, artifacts):
    page, _ = open_page(article_path)
    page.locator("section[aria-labelledby=latest-stories-heading] a").first.click()
    page.wait_for_load_state()
    assert page.locator("h1").inner_text() == LATEST_WORLD[0]
    assert "Only the headline of this story has reached us so far" in page.content()


def keyboard_reaches_skip_links_first_and_jumps_to_the_article(open_page, article_path, artifacts):
    page, _ = open_page(article_path)
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Quick access to main page (top)"
    assert page.locator(".skip-link").first.is_visible()
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Direct access to main contents"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.tagName") == "ARTICLE"
    assert page.evaluate("document.activeElement.id") == "main-content"
    # The next Tab continues inside the article, not back at the top of the page.
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.closest('article') !== null")


def the_other_skip_links_reach_navigation_and_footer(open_page, article_path, artifacts):
    page, _ = open_page(article_path)
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "site-navigation"
    page.keyboard.press("Shift+Tab")
    for _ in range(3):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.textContent").startswith("Quick access"):
            break
    page.evaluate("document.querySelectorAll('.skip-link')[2].focus()")
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "site-footer"


def article_works_with_javascript_off(open_page, article_path, artifacts):
    page, watch = open_page(article_path, javascript=False)
    assert page.locator("h1").inner_text() == ARTICLE_HEADLINE
    assert page.locator(".article__body > p").count() == 6
    page.locator("a[rel=author]").first.click()
    page.wait_for_load_state()
    assert page.locator("h1").inner_text() == "Daniel Kim"
    assert watch.failed == []


def layout_fits_every_width(open_page, article_path, artifacts, width):
    page, _ = open_page(article_path, width=width)
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"page is {overflow}px wider than a {width}px screen"
    rail_below = page.evaluate(
        "document.querySelector('.rail').getBoundingClientRect().top > "
        "document.querySelector('.article').getBoundingClientRect().bottom - 1"
    )
    assert rail_below == (width < 1024), "lists beside the article on wide screens only"
    if width in (390, 1280):
        page.screenshot(path=artifacts / f"article-{width}.png", full_page=True)


def dark_scheme_changes_colours(open_page, article_path, artifacts):
    page, _ = open_page(article_path, scheme="dark")
    background = page.evaluate("getComputedStyle(document.body).backgroundColor")
    assert background == "rgb(18, 18, 18)"
    page.screenshot(path=artifacts / "article-1280-dark.png")


def other_reader_page_renders_cleanly(open_page, artifacts, path):
    page, watch = open_page(path, width=390)
    assert page.locator("h1").count() == 1
    assert watch.console_errors == [] and watch.foreign_requests == [] and watch.failed == []
    name = path.strip("/").replace("/", "-") or "home"
    page.screenshot(path=artifacts / f"{name}-390.png", full_page=True)


ARTICLE_CHECKS = (
    reader_sees_every_part_of_the_article,
    headlines_in_the_lists_lead_to_their_articles,
    keyboard_reaches_skip_links_first_and_jumps_to_the_article,
    the_other_skip_links_reach_navigation_and_footer,
    article_works_with_javascript_off,
    dark_scheme_changes_colours,
)


def test_the_reference_site_in_chromium(open_page, seeded, artifacts, subtests):
    article_path = ArticlePage.objects.get(title=ARTICLE_HEADLINE).url
    for check in ARTICLE_CHECKS:
        with subtests.test(check.__name__):
            check(open_page, article_path, artifacts)
    for width in (360, 390, 768, 1280, 1440):
        with subtests.test("layout fits the width", width=width):
            layout_fits_every_width(open_page, article_path, artifacts, width)
    for path in ("/", "/world/", "/lifestyle/", "/authors/daniel-kim/"):
        with subtests.test("other reader page renders cleanly", path=path):
            other_reader_page_renders_cleanly(open_page, artifacts, path)
