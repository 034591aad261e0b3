"""A reader follows a story's topic to its page, in a real browser, on a phone and a desktop,
with and without JavaScript; axe finds no WCAG 2.2 A/AA problem on the topic pages."""

from datetime import timedelta

import pytest
from django.utils import timezone
from taggit.models import Tag

from gazette.news.renditions import generate_renditions
from gazette.topics.services import update_topic
from tests.browser.test_accessibility import _violations
from tests.factories import ArticleFactory, ImageFactory, SectionFactory

pytestmark = pytest.mark.django_db(transaction=True)

HEADLINES = [
    "Parliament Votes to Cut Emissions by Half Before 2035",
    "Heatwave Breaks Records Across Southern Europe",
    "Coal Plants Close Early as Wind Power Grows",
    "Farmers Adapt to a Shorter Rainy Season",
    "Glaciers in the Alps Lose a Tenth of Their Ice in a Year",
]


@pytest.fixture
def climate(home):
    world = SectionFactory(parent=home, title="World", slug="world")
    now = timezone.now()
    stories = []
    for n, headline in enumerate(HEADLINES):
        story = ArticleFactory(
            parent=world,
            title=headline,
            standfirst="What changes, for whom, and when.",
            lead_image=ImageFactory(small=True),
            first_published_at=now - timedelta(hours=n),
            tags=["Climate", "Europe"] if n % 2 == 0 else ["Climate"],
        )
        generate_renditions(story)
        stories.append(story)
    update_topic(
        tag=Tag.objects.get(name="Climate"),
        name="Climate",
        description="How a warming world changes lives, politics and business.",
    )
    return stories


def test_topic_pages_in_chromium(open_page, climate, artifacts, subtests):
    """One newsroom (building it costs more than the checks), each walk or page a subtest."""
    for javascript in (True, False):
        with subtests.test("a reader follows a topic from a story", javascript=javascript):
            _follow_a_topic_from_a_story(open_page, climate, javascript)
    for width in (390, 1280):
        for scheme in ("light", "dark"):
            with subtests.test("no accessibility violation", width=width, scheme=scheme):
                _check_accessibility(open_page, climate, artifacts, width, scheme)
    # Last: it renames a topic.
    with subtests.test("an old topic address leads to the new one"):
        update_topic(tag=Tag.objects.get(name="Europe"), name="European Union")
        page, watch = open_page("/topics/europe/")
        assert page.url.endswith("/topics/european-union/")
        assert page.locator("h1").inner_text() == "European Union"
        assert watch.console_errors == []


def _follow_a_topic_from_a_story(open_page, climate, javascript):
    page, watch = open_page(climate[0].url, javascript=javascript)
    topics = page.get_by_role("navigation", name="Topics")
    assert topics.get_by_role("link").all_inner_texts() == ["Climate", "Europe"]
    topics.get_by_role("link", name="Climate").click()
    page.wait_for_url("**/topics/climate/")

    assert page.title() == "Climate | Gazette"
    assert page.locator("h1").inner_text() == "Climate"
    assert "warming world" in page.locator(".page-header__intro").inner_text()
    headlines = page.locator(".story-card__headline a").all_inner_texts()
    assert headlines == HEADLINES  # newest first
    assert page.locator('meta[name="robots"]').count() == 0  # five stories: indexed
    assert watch.console_errors == [] and watch.foreign_requests == [] and watch.failed == []

    page.locator(".topic-header").get_by_role("link", name="Topics", exact=True).click()
    page.wait_for_url("**/topics/")
    assert page.locator(".topic-index a").all_inner_texts() == ["Climate", "Europe"]


def _check_accessibility(open_page, climate, artifacts, width, scheme):
    for path, name in (("/topics/climate/", "topic"), ("/topics/", "topics")):
        page, watch = open_page(path, width=width, scheme=scheme)
        assert _violations(page) == [], path
        overflow = page.evaluate("document.documentElement.scrollWidth > window.innerWidth")
        assert not overflow, (path, width)
        page.screenshot(path=artifacts / f"{name}-{width}-{scheme}.png", full_page=True)
        assert watch.foreign_requests == [] and watch.failed == []
    page, _ = open_page(climate[0].url, width=width, scheme=scheme)
    assert _violations(page) == []
    page.locator(".article-topics").screenshot(
        path=artifacts / f"article-topics-{width}-{scheme}.png"
    )
