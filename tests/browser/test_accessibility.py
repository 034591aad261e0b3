"""axe-core (bundled in axe-playwright-python, nothing downloaded) checks the reader pages for
WCAG 2.x A/AA problems in the real browser: there must be none."""

import pytest
from axe_playwright_python.sync_playwright import Axe

from gazette.news.models import ArticlePage
from tests.conftest import ARTICLE_HEADLINE

pytestmark = pytest.mark.django_db(transaction=True)

WCAG_AA = {
    "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]},
    # Every violation with all its nodes, as before; of the passes and the incomplete and
    # inapplicable rules (which no test reads) one node each: an article page's answer is
    # 40 kB instead of 170 kB, axe's run about half as long.
    "resultTypes": ["violations"],
}


def _violations(page) -> list[str]:
    results = Axe().run(page, options=WCAG_AA)
    return [
        f"{violation['id']}: {violation['help']} ({len(violation['nodes'])} nodes: "
        f"{violation['nodes'][0]['target']})"
        for violation in results.response["violations"]
    ]


def test_reader_pages_in_chromium(open_page, seeded, subtests):
    """One imported site (importing it costs more than the checks), each page or walk a
    subtest."""
    path = ArticlePage.objects.get(title=ARTICLE_HEADLINE).url
    for width in (390, 1280):
        for scheme in ("light", "dark"):
            with subtests.test("the article", width=width, scheme=scheme):
                page, _ = open_page(path, width=width, scheme=scheme)
                assert _violations(page) == []
    for other in ("/", "/world/", "/authors/daniel-kim/", "/search/?q=korea"):
        with subtests.test("another reader page", path=other):
            page, _ = open_page(other, width=1280)
            assert _violations(page) == []
    with subtests.test("the check can fail: a picture without a text alternative is reported"):
        page, _ = open_page("/", width=1280)
        page.evaluate(
            "document.querySelector('main').insertAdjacentHTML('beforeend', '<img src=\"/x.png\">')"
        )
        assert any(line.startswith("image-alt:") for line in _violations(page))
    # Last: it posts a comment.
    with subtests.test("a keyboard alone reads the article and posts a comment"):
        _keyboard_alone(open_page, path)


def _keyboard_alone(open_page, path):
    """Skip link to the article, Tab through it to the comment form, type, submit: no mouse."""
    from gazette.comments.models import Comment

    page, watch = open_page(path, width=1280)
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")  # "Direct access to main contents"
    assert page.evaluate("document.activeElement.id") == "main-content"
    for _ in range(60):  # bounded: the form is a few dozen stops away
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.id") == "comment-name":
            break
    assert page.evaluate("document.activeElement.id") == "comment-name"
    page.keyboard.type("Keyboard Reader")
    page.keyboard.press("Tab")  # e-mail, optional
    page.keyboard.press("Tab")  # "E-mail me replies", optional
    assert page.evaluate("document.activeElement.id") == "comment-notify"
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "comment-text"
    page.keyboard.type("Read and written without a mouse.")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Post comment"
    page.wait_for_timeout(3100)  # a person takes longer than the minimum time to submit
    page.keyboard.press("Enter")
    page.get_by_text("Read and written without a mouse.").last.wait_for(timeout=5000)
    comment = Comment.objects.get(author_name="Keyboard Reader")
    assert comment.status == Comment.Status.PUBLISHED
    assert watch.console_errors == []
