"""The Korean edition in a real browser: its article reads in Korean, its header's language
switcher leads to the English story with JavaScript off, and axe finds nothing (screenshots
in test-artifacts/)."""

import pytest
from axe_playwright_python.sync_playwright import Axe

from tests.browser.test_accessibility import WCAG_AA

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.parametrize("width", [390, 1280])
def test_the_korean_article_and_its_switcher(editions, open_page, width, artifacts):
    # axe runs its script in the page: JavaScript on for that part.
    page, watch = open_page("/ko/world/floods/", width=width)
    assert page.locator("html").get_attribute("lang") == "ko"
    assert page.locator("h1").first.inner_text() == "북부 홍수"
    switcher = page.get_by_role("navigation", name="언어")
    assert switcher.get_by_role("link", name="한국어").get_attribute("aria-current") == "page"
    page.screenshot(path=str(artifacts / f"korean-edition-article-{width}.png"), full_page=False)
    violations = Axe().run(page, options=WCAG_AA).response["violations"]
    assert violations == [], [violation["id"] for violation in violations]
    assert watch.foreign_requests == [] and watch.failed == [] and watch.console_errors == []

    # The switcher is plain links: followed with JavaScript off.
    page, watch = open_page("/ko/world/floods/", width=width, javascript=False)
    page.get_by_role("navigation", name="언어").get_by_role("link", name="English").click()
    page.wait_for_load_state()
    assert page.url.endswith("/world/floods/") and "/ko/" not in page.url
    assert page.locator("html").get_attribute("lang").startswith("en")
    assert page.locator("h1").first.inner_text() == "Floods in the north"
    assert watch.foreign_requests == [] and watch.failed == []


def test_the_korean_search_page(editions, open_page, artifacts):
    page, watch = open_page("/ko/search/?q=홍수", width=390)
    assert page.locator("html").get_attribute("lang") == "ko"
    results = page.locator(".search-result__headline a")
    assert results.all_inner_texts() == ["북부 홍수"]
    assert results.first.get_attribute("href") == "/ko/world/floods/"
    page.screenshot(path=str(artifacts / "korean-edition-search-390.png"), full_page=True)
    violations = Axe().run(page, options=WCAG_AA).response["violations"]
    assert violations == [], [violation["id"] for violation in violations]
    assert watch.foreign_requests == [] and watch.failed == [] and watch.console_errors == []
