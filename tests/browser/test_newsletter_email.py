"""The newsletter e-mail as a phone's mail program shows it: 320 px wide, with its <style>
(the narrow layout's @media rule) and without it (mail programs that drop <style> keep only
the inlined CSS). No sideways scrolling, pictures within the screen and described, text large
enough to read (16 px and more; the footer's fine print 12 px and more), the way out
(unsubscribe) on the screen. Screenshots in test-artifacts/."""

import re

import pytest

from gazette.newsletters.models import Issue, Newsletter
from gazette.newsletters.rendering import render_issue
from tests.factories import ArticleFactory, ImageFactory

pytestmark = pytest.mark.django_db(transaction=True)

PHONE = 320


@pytest.fixture
def email_html(home):
    newsletter = Newsletter.objects.create(
        name="Morning Brief", slug="morning-brief", description="The day's news at seven."
    )
    story = ArticleFactory(
        title="Ferry Service Returns to the Islands After a Winter of Storms and Repairs",
        lead_image=ImageFactory(title="Ferry at dawn"),
    )
    issue = Issue.objects.create(
        newsletter=newsletter,
        subject="Ferries",
        preheader="The ferry is back",
        body=[
            ("heading", "Top stories"),
            ("story", {"article": story, "note": "Our pick of the morning, worth the read."}),
            ("paragraph", "<p>" + "A long paragraph of the editor's letter. " * 12 + "</p>"),
        ],
    )
    return render_issue(issue).html


def _layout(page) -> dict:
    return page.evaluate(
        """() => {
            const text = [...document.querySelectorAll('p, td, li, a')]
                .filter(e => e.innerText.trim().length > 20);
            const size = e => parseFloat(getComputedStyle(e).fontSize);
            const reading = text.filter(e => !e.closest('.footer'));
            const link = [...document.querySelectorAll('a')]
                .find(a => /unsubscribe/i.test(a.innerText));
            return {
                scrollWidth: document.documentElement.scrollWidth,
                images: [...document.images].map(i => ({
                    alt: i.getAttribute('alt'), right: i.getBoundingClientRect().right})),
                smallestReading: Math.min(...reading.map(size)),
                smallestText: Math.min(...text.map(size)),
                unsubscribe: link ? link.getBoundingClientRect().right : null,
            };
        }"""
    )


@pytest.mark.parametrize("with_style", [True, False], ids=["with-style", "inlined-only"])
def test_the_email_reads_on_a_320px_phone(browser, email_html, artifacts, with_style):
    html = email_html if with_style else re.sub(r"<style.*?</style>", "", email_html, flags=re.S)
    context = browser.new_context(viewport={"width": PHONE, "height": 640})
    # Pictures come from the site, which a mail program fetches; here nothing is fetched.
    context.route("**/*", lambda route: route.abort())
    page = context.new_page()
    page.set_content(html)
    layout = _layout(page)
    name = "with-style" if with_style else "inlined-only"
    page.screenshot(path=artifacts / f"newsletter-email-{name}-{PHONE}.png", full_page=True)
    context.close()

    assert layout["scrollWidth"] <= PHONE, layout
    assert layout["images"], "the story's picture is in the e-mail"
    for image in layout["images"]:
        assert image["alt"], image
        assert image["right"] <= PHONE, image
    assert layout["smallestReading"] >= 16, layout  # the stories and the letter
    assert layout["smallestText"] >= 12, layout  # the footer's fine print included
    assert layout["unsubscribe"] is not None and layout["unsubscribe"] <= PHONE, layout
