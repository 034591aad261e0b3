"""Readers in a real browser: their views are counted and shown; Popular Now fills the rail."""

import pytest
from django.utils import timezone

from gazette.analytics.counters import hour_of
from gazette.analytics.services import write_batch
from gazette.news.models import ArticlePage
from tests.browser.conftest import PageWatch, close_when_idle
from tests.conftest import ARTICLE_HEADLINE
from tests.importers.test_import_textdump import POPULAR_NOW

pytestmark = pytest.mark.django_db(transaction=True)

# Headless chromium says "HeadlessChrome" in its user agent, which the bot list knows: readers
# here present a desktop and a phone browser's user agent instead.
DESKTOP = (
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/131.0.0.0 Safari/537.36"
)
PHONE = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1"
)


@pytest.fixture
def article(seeded) -> ArticlePage:
    """The reference article; the five stories of its Popular Now read most, in that order."""
    hour = hour_of(timezone.now())
    popular = {a.title: a.pk for a in ArticlePage.objects.filter(title__in=POPULAR_NOW)}
    write_batch({(popular[title], hour): 500 - 50 * rank for rank, title in enumerate(POPULAR_NOW)})
    return ArticlePage.objects.get(title=ARTICLE_HEADLINE)


@pytest.fixture
def open_as(browser, live_server):
    """Open a path as a reader with the given browser; returns (page, watch, beacons)."""
    contexts = []

    def _open(path, *, user_agent=DESKTOP, width=1280, javascript=True):
        context = browser.new_context(
            viewport={"width": width, "height": 900},
            user_agent=user_agent,
            java_script_enabled=javascript,
        )
        contexts.append(context)
        page = context.new_page()
        watch = PageWatch(page, live_server.url)
        beacons = []
        page.on(
            "response",
            lambda response: "/analytics/views/" in response.url and beacons.append(response),
        )
        page.goto(live_server.url + path)
        return page, watch, beacons

    yield _open
    close_when_idle(contexts)


def _views(page) -> str:
    return page.locator(".byline__views").inner_text()


def test_each_reader_is_counted_once_and_sees_the_count_in_place(open_as, article, artifacts):
    page, watch, beacons = open_as(article.url)
    counter = page.locator(".byline__views")
    counter.filter(has_text="1 view").wait_for(timeout=5000)
    assert counter.is_visible()
    # The beacon answers 204 and nothing more; the count comes from its own URL.
    assert [(b.request.method, b.status) for b in beacons[:2]] == [("POST", 204), ("GET", 200)]
    assert beacons[1].url.endswith(f"/analytics/views/{article.pk}/count")
    assert "no-store" in beacons[0].headers["cache-control"]

    # Another reader: the page already says 1 (the first view is shown before any flush),
    # then their own beacon's answer makes it 2.
    second, _, _ = open_as(article.url, user_agent=PHONE, width=390)
    second.locator(".byline__views").filter(has_text="2 views").wait_for(timeout=5000)

    # The first reader comes back within 30 minutes: not counted again.
    page.reload()
    counter.filter(has_text="2 views").wait_for(timeout=5000)
    page.wait_for_load_state("networkidle")
    assert _views(page) == "2 views"

    assert watch.console_errors == [] and watch.failed == [] and watch.foreign_requests == []
    page.locator(".byline").screenshot(path=str(artifacts / "views-byline-1280.png"))
    second.locator(".article__header").screenshot(path=str(artifacts / "views-byline-390.png"))


def test_headless_browsers_are_bots_and_leave_no_number(open_page, article):
    page, watch = open_page(article.url)  # chromium's own HeadlessChrome user agent
    page.wait_for_load_state("networkidle")
    assert page.locator(".byline__views").is_hidden()
    assert watch.failed == [] and watch.console_errors == []


def test_without_javascript_the_pixel_counts_the_view(open_as, article):
    page, watch, beacons = open_as(article.url, javascript=False)
    page.wait_for_load_state("networkidle")
    assert [beacon.request.method for beacon in beacons] == ["GET"]
    assert beacons[0].headers["content-type"] == "image/gif"
    assert page.locator(".byline__views").is_hidden()  # counted after this page was made

    again, _, _ = open_as(article.url, javascript=False, user_agent=PHONE)
    assert _views(again) == "1 view"  # the server's page shows it, no script needed
    assert watch.failed == []


def test_popular_now_follows_the_related_list_and_precedes_must_reads(
    open_as, article, artifacts, subtests
):
    for width in (390, 1280):  # one imported site for both widths (the import is the dear part)
        with subtests.test(width=width):
            _popular_now_follows_the_related_list(open_as, article, artifacts, width)


def _popular_now_follows_the_related_list(open_as, article, artifacts, width):
    page, watch, _ = open_as(article.url, width=width)
    block = page.locator("section[aria-labelledby=popular-now-heading]")
    assert block.locator("h2").inner_text().lower() == "popular now"
    assert block.locator("a.teaser__headline").all_inner_texts() == POPULAR_NOW
    assert block.locator(".ranked-list__rank").all_inner_texts() == ["1", "2", "3", "4", "5"]
    assert set(block.locator(".section-label").all_inner_texts()) == {"LIFESTYLE"}

    headings = page.locator(".rail h2").evaluate_all("hs => hs.map(h => h.id)")
    order = [h for h in headings if h != "latest-stories-heading"]
    expected = ["popular-now-heading", "must-reads-heading"]
    if "you-may-also-like-heading" in order:
        expected.insert(0, "you-may-also-like-heading")
    assert order == expected

    block.scroll_into_view_if_needed()
    page.screenshot(path=str(artifacts / f"popular-now-{width}.png"), full_page=True)
    block.locator("a.teaser__headline").first.click()
    assert page.locator("h1").inner_text() == POPULAR_NOW[0]
    assert watch.console_errors == [] and watch.foreign_requests == []
