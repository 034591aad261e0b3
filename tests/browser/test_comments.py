"""Comments in a real browser: stored XSS payloads stay text, the counter and posting in place
with JavaScript, the plain form without it."""

import pytest
from django.utils import timezone
from wagtail.models import Site

from gazette.comments.models import Comment, CommentSettings
from tests.factories import ArticleFactory, SectionFactory

pytestmark = pytest.mark.django_db(transaction=True)

CANARY = """
window.__xss = 0;
window.__dialogs = [];
"""

PAYLOADS = [
    "<script>window.__xss=1</script>",
    '<img src=x onerror="window.__xss=2">',
    '"><img src=x onerror=alert(1)>',
    "'><svg onload=alert(2)>",
    "<svg><script>window.__xss=3</script></svg>",
    "javascript:alert(4)",
    '<a href="javascript:alert(5)">click me</a>',
    '<iframe src="javascript:alert(6)"></iframe>',
    "</textarea><script>alert(7)</script>",
    "</p><p onmouseover=alert(8) style=position:fixed;inset:0>cover",
    'http://example.org/"onmouseover="alert(9)"x="',
    "https://example.org/<script>alert(10)</script>",
    "www.example.org/'><img src=x onerror=alert(11)>",
    "\uff1cscript\uff1ealert(12)\uff1c/script\uff1e",
    "\u202e<script>alert(13)</script>",
    "&lt;script&gt;alert(14)&lt;/script&gt;",
    "<<script>script>alert(15)//<</script>/script>",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(16)>",
    "{{ 7*7 }} {% debug %} ${alert(17)}",
    "line one\n<b onclick=alert(18)>line two</b>",
]


@pytest.fixture
def comment_settings(home):
    settings, _ = CommentSettings.objects.get_or_create(site=Site.objects.get(is_default_site=True))
    settings.min_seconds_to_submit = 0  # the browser types faster than people do
    settings.save()
    return settings


@pytest.fixture
def article(home, comment_settings):
    section = SectionFactory(parent=home, title="World", slug="world")
    return ArticleFactory(
        parent=section, title="Ferry Service Returns", first_published_at=timezone.now()
    )


def _watch_for_scripts(page):
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.add_init_script(CANARY)
    return dialogs


def _open(browser, live_server, path, *, javascript=True, width=1280):
    context = browser.new_context(
        viewport={"width": width, "height": 900}, java_script_enabled=javascript
    )
    page = context.new_page()
    dialogs = _watch_for_scripts(page)
    page.goto(live_server.url + path)
    return context, page, dialogs


@pytest.mark.parametrize("links", [False, True], ids=["plain", "links-clickable"])
def test_stored_xss_payloads_stay_text(browser, live_server, article, comment_settings, links):
    comment_settings.links_clickable = links
    comment_settings.save()
    for payload in PAYLOADS:
        Comment.objects.create(
            article=article, author_name=payload[:60], text=payload, status="published"
        )
    context, page, dialogs = _open(browser, live_server, article.url)
    try:
        page.hover(".comment__text >> nth=9")
        page.wait_for_timeout(300)  # give onerror/onload handlers every chance to run
        assert dialogs == []
        assert page.evaluate("window.__xss") == 0
        # Only our own static scripts are on the page (data blocks such as JSON-LD do not run).
        sources = page.evaluate(
            "[...document.scripts].filter(s => !s.type || /javascript|module/.test(s.type))"
            ".map(s => s.getAttribute('src'))"
        )
        assert sources and all(src and src.startswith("/static/") for src in sources)

        texts = page.locator(".comment__text")
        assert texts.count() == len(PAYLOADS)
        for index, payload in enumerate(PAYLOADS):
            element = texts.nth(index)
            children = element.evaluate(
                "el => [...el.querySelectorAll('*')].map(c => "
                "[c.tagName, [...c.attributes].map(a => a.name + '=' + a.value)])"
            )
            for tag, attributes in children:
                assert tag in ({"BR", "A"} if links else {"BR"}), (payload, tag)
                if tag == "A":
                    names = sorted(attribute.split("=", 1)[0] for attribute in attributes)
                    assert names == ["href", "rel"], (payload, attributes)
                    href = next(a for a in attributes if a.startswith("href="))[5:]
                    assert href.startswith(("http://", "https://")), payload
            if not links:
                assert element.text_content() == payload.replace("\n", ""), payload
        authors = page.locator(".comment__author")
        assert authors.evaluate_all("els => els.every(el => el.children.length === 0)")
        assert authors.all_text_contents() == [payload[:60] for payload in PAYLOADS]
    finally:
        context.close()


def test_counter_counts_code_points_and_posting_happens_in_place(
    browser, live_server, article, artifacts
):
    context, page, dialogs = _open(browser, live_server, article.url, width=390)
    try:
        counter = page.locator("[data-comment-counter]")
        assert counter.inner_text() == "300 characters left"
        page.fill("#comment-name", "Ada")
        page.fill("#comment-text", "😀" * 290)
        assert counter.inner_text() == "10 characters left"
        assert "is-near" in counter.get_attribute("class")
        page.fill("#comment-text", "e\u0301" * 150 + "!")  # 301 code points
        assert counter.inner_text() == "1 character too many"
        assert "is-over" in counter.get_attribute("class")
        page.click("button.comment-form__submit")
        status = page.locator("[data-comment-status]")
        assert "Shorten it by 1 character" in status.inner_text()
        assert page.input_value("#comment-text") == "e\u0301" * 150 + "!"
        assert Comment.objects.count() == 0
        page.screenshot(path=artifacts / "comments-over-limit-390.png", full_page=False)

        page.fill("#comment-text", "新聞 <img src=x onerror=alert(1)> 😀\n\n\n\nsecond line  ")
        stored = "新聞 <img src=x onerror=alert(1)> 😀\n\nsecond line"  # as the server keeps it
        assert counter.inner_text() == f"{300 - len(stored)} characters left"
        page.click("button.comment-form__submit")
        page.wait_for_selector("text=Thank you. Your comment is published.")
        assert page.input_value("#comment-text") == ""
        assert page.locator("[data-comment-count]").inner_text() == "1"
        added = page.locator(".comment").last
        assert added.locator(".comment__text").inner_text() == (
            "新聞 <img src=x onerror=alert(1)> 😀\n\nsecond line"
        )
        assert Comment.objects.get().text == "新聞 <img src=x onerror=alert(1)> 😀\n\nsecond line"
        assert dialogs == [] and page.evaluate("window.__xss") == 0

        # A refusal from the server keeps the text in the box.
        article.comment_policy = "closed"
        article.save_revision().publish()
        page.fill("#comment-text", "Words I do not want to lose")
        page.click("button.comment-form__submit")
        page.wait_for_selector("text=Comments on this article are closed. Your text is kept.")
        assert page.input_value("#comment-text") == "Words I do not want to lose"

        # Reporting happens in place too.
        page.locator(".comment__report-button").first.click()
        page.wait_for_selector("text=A moderator will look at the comment you reported.")
        page.locator("#comments").screenshot(path=artifacts / "comments-390.png")
    finally:
        context.close()


def test_without_javascript_the_plain_form_works_and_keeps_text(
    browser, live_server, article, artifacts
):
    context, page, _ = _open(browser, live_server, article.url, javascript=False)
    try:
        assert page.locator("[data-comment-counter]").inner_text() == "300 characters at most"
        page.fill("#comment-name", "Bea")
        page.fill("#comment-text", "Posted without JavaScript.")
        page.click("button.comment-form__submit")
        page.wait_for_load_state()
        assert page.url.endswith(
            f"{article.url}?comment=published#comment-{Comment.objects.get().pk}"
        )
        assert page.locator(".comment__text").inner_text() == "Posted without JavaScript."
        page.locator("#comments").screenshot(path=artifacts / "comments-1280.png")

        page.fill("#comment-name", "Bea")
        page.fill("#comment-text", "x" * 301)
        page.click("button.comment-form__submit")
        page.wait_for_load_state()
        assert "the limit is 300" in page.locator("[role=alert]").inner_text()
        assert page.locator("h1").inner_text() == "Ferry Service Returns"
        assert page.input_value("#comment-text") == "x" * 301
        assert page.input_value("#comment-name") == "Bea"
        page.screenshot(path=artifacts / "comments-refused-1280.png", full_page=True)
    finally:
        context.close()
