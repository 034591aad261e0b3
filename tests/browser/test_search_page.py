"""A reader searches from the header box, with and without JavaScript, on a phone and a
desktop."""

from datetime import timedelta

import pytest
from django.utils import timezone

from tests.factories import ArticleFactory, SectionFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def stories(home):
    world = SectionFactory(parent=home, title="World", slug="world")
    life = SectionFactory(parent=home, title="Lifestyle", slug="lifestyle")
    now = timezone.now()
    ArticleFactory(
        parent=world,
        title="18 North Korean Soldiers Flee Russian Forces Near Ukraine Border",
        standfirst="The soldiers crossed at night, reports say.",
        body=[("paragraph", "<p>Russia, currently engaged in the war, lost track of them.</p>")],
        first_published_at=now - timedelta(hours=3),
    )
    ArticleFactory(
        parent=life,
        title="Porsche Taycan GTS Breaks Guinness Record with 10.9-Mile Ice Drift",
        standfirst="No soldiers were harmed.",
        first_published_at=now - timedelta(hours=1),
    )


@pytest.mark.parametrize("javascript", [True, False])
def test_reader_searches_from_the_header(open_page, stories, artifacts, javascript):
    page, watch = open_page("/", javascript=javascript)
    box = page.get_by_role("search", name="Site search").get_by_label("Search stories")
    box.fill("soldiers")
    box.press("Enter")
    page.wait_for_url("**/search/?q=soldiers")

    assert page.title() == "Search: soldiers | Gazette"
    results = page.locator(".search-result")
    assert results.count() == 2
    summary = page.locator(".search-results__summary")
    assert summary.inner_text().startswith("2 stories match")
    assert summary.locator("q").inner_text() == "soldiers"
    assert page.locator(".search-result mark").first.inner_text().lower() == "soldiers"
    page.get_by_label("Newest first").check()
    page.get_by_label("Section", exact=True).select_option("world")
    page.get_by_role("search", name="Search stories").get_by_role("button").click()
    page.wait_for_url("**section=world**")
    assert results.count() == 1
    assert watch.console_errors == [] and watch.foreign_requests == [] and watch.failed == []


def test_search_page_at_phone_and_desktop_widths(open_page, stories, artifacts):
    for width in (390, 1280):
        page, watch = open_page("/search/?q=soldiers+border", width=width)
        assert page.locator(".search-result").count() == 1
        # Nothing sticks out sideways on a phone.
        overflow = page.evaluate("document.documentElement.scrollWidth > window.innerWidth")
        assert not overflow, width
        page.screenshot(path=artifacts / f"search-{width}.png", full_page=True)
        assert watch.foreign_requests == [] and watch.failed == []
    page, _ = open_page("/search/?q=zeppelin&section=world", width=390)
    assert "No stories match" in page.locator(".search-results__summary").inner_text()
    page.screenshot(path=artifacts / "search-none-390.png", full_page=True)
