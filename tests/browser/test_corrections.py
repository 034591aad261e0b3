"""A reader sees a story's corrections at its top and the site's corrections page, in a real
browser, on a phone and a desktop, with and without JavaScript; axe finds no WCAG 2.2 A/AA
problem on either."""

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from tests.browser.test_accessibility import _violations
from tests.factories import ArticleFactory, SectionFactory, add_note

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def corrected(home):
    world = SectionFactory(parent=home, title="World", slug="world")
    now = timezone.now()
    with time_machine.travel(now - timedelta(hours=2), tick=False):
        story = ArticleFactory(
            parent=world,
            title="Parliament Sets the Date of the Referendum",
            standfirst="Voters will decide in the spring.",
            body=[("paragraph", "<p>The referendum will be held on 4 May, officials said.</p>")],
        )
    with time_machine.travel(now - timedelta(hours=1), tick=False):
        story = add_note(
            story,
            "An earlier version of this story gave the wrong date for the referendum. "
            "It is on 4 May, not 5 May.",
        )
    story = add_note(
        story, "Polling stations will open at 7am, the commission said.", kind="update"
    )
    other = ArticleFactory(parent=world, title="Minister Resigns Over Expenses")
    add_note(other, "The minister's name was misspelt in an earlier version.", kind="clarification")
    return story


def test_corrections_in_chromium(open_page, corrected, artifacts, subtests):
    """One newsroom (building it costs more than the checks), each walk or page a subtest."""
    for javascript in (True, False):
        with subtests.test("the correction on the story and the page", javascript=javascript):
            _read_the_correction(open_page, corrected, javascript)
    for width in (390, 1280):
        for scheme in ("light", "dark"):
            with subtests.test("no accessibility violation", width=width, scheme=scheme):
                _check_accessibility(open_page, corrected, artifacts, width, scheme)


def _read_the_correction(open_page, corrected, javascript):
    page, watch = open_page(corrected.url, javascript=javascript)
    notes = page.locator("#article-notes .article-note")
    assert notes.locator(".article-note__kind").all_inner_texts() == ["CORRECTION", "UPDATE"]
    assert "not 5 May" in notes.first.inner_text()
    # The correction is read before the story.
    above = page.evaluate(
        "document.querySelector('#article-notes').compareDocumentPosition("
        "document.querySelector('.article__body')) & Node.DOCUMENT_POSITION_FOLLOWING"
    )
    assert above

    page.goto(page.url.split("/world/")[0] + "/corrections/")
    assert page.title() == "Corrections | Gazette"
    items = page.locator(".corrections-list__item")
    assert items.locator(".correction__headline").all_inner_texts() == [
        "Minister Resigns Over Expenses",
        "Parliament Sets the Date of the Referendum",
    ]
    assert "Update" not in page.locator(".corrections-list").inner_text()
    items.nth(1).get_by_role("link").click()
    page.wait_for_url("**#article-notes")
    assert watch.console_errors == [] and watch.foreign_requests == [] and watch.failed == []


def _check_accessibility(open_page, corrected, artifacts, width, scheme):
    page, watch = open_page("/corrections/", width=width, scheme=scheme)
    assert _violations(page) == []
    assert not page.evaluate("document.documentElement.scrollWidth > window.innerWidth")
    page.screenshot(path=artifacts / f"corrections-{width}-{scheme}.png", full_page=True)
    page, _ = open_page(corrected.url, width=width, scheme=scheme)
    assert _violations(page) == []
    page.screenshot(path=artifacts / f"article-notes-{width}-{scheme}.png")
    assert watch.foreign_requests == [] and watch.failed == []
