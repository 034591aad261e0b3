"""The subscribe form in a real browser, with JavaScript and without; axe on the new pages."""

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.core import mail
from django.utils import timezone

from gazette.newsletters import tokens
from gazette.newsletters.models import Issue, IssueStatus, Newsletter, Subscriber, Subscription
from tests.factories import ArticleFactory, SectionFactory

pytestmark = pytest.mark.django_db(transaction=True)

WCAG_AA = {
    "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]}
}


@pytest.fixture
def newsletters(home):
    morning = Newsletter.objects.create(
        name="Morning Brief", slug="morning-brief", description="The day's news at seven."
    )
    Newsletter.objects.create(
        name="Weekend Reads",
        slug="weekend-reads",
        description="Long stories for Saturday.",
        cadence="weekly",
        sort_order=1,
    )
    return morning


def _violations(page) -> list[str]:
    results = Axe().run(page, options=WCAG_AA)
    return [
        f"{violation['id']}: {violation['help']} ({violation['nodes'][0]['target']})"
        for violation in results.response["violations"]
    ]


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_subscribe_form(open_page, newsletters, artifacts, javascript):
    page, watch = open_page("/newsletters/", width=390, javascript=javascript)
    page.get_by_label("Morning Brief").check()
    page.get_by_label("Your e-mail address").fill("reader@example.org")
    page.get_by_role("button", name="Subscribe").click()
    if javascript:
        status = page.locator("[data-newsletter-status]")
        status.get_by_text("Almost done").wait_for()
        assert page.url.endswith("/newsletters/")
    else:
        page.get_by_role("heading", name="Check your inbox").wait_for()
    page.screenshot(path=artifacts / f"newsletters-subscribed-{'js' if javascript else 'nojs'}.png")
    subscription = Subscription.objects.get(subscriber__email="reader@example.org")
    assert subscription.newsletter == newsletters and subscription.confirmed_at is None
    assert [m.to for m in mail.outbox] == [["reader@example.org"]]
    assert watch.console_errors == [] and watch.foreign_requests == []


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_a_refused_form_keeps_what_was_typed(open_page, newsletters, artifacts, javascript):
    page, _ = open_page("/newsletters/", width=1280, javascript=javascript)
    page.get_by_label("Your e-mail address").fill("reader@example.org")
    page.get_by_role("button", name="Subscribe").click()  # no list ticked
    if javascript:
        page.locator("[data-newsletter-status]").get_by_text("Choose at least one").wait_for()
        assert page.get_by_label("Your e-mail address").input_value() == "reader@example.org"
    else:
        page.get_by_role("alert").get_by_text("Choose at least one newsletter.").wait_for()
        assert page.get_by_label("Your e-mail address").input_value() == "reader@example.org"
        page.screenshot(path=artifacts / "newsletters-refused-nojs.png")
    assert not Subscriber.objects.exists()


def test_new_pages_have_no_accessibility_violations(open_page, newsletters, artifacts):
    article = ArticleFactory(
        parent=SectionFactory(title="World", slug="world"), title="Harbour Bridge Reopens"
    )
    issue = Issue.objects.create(
        newsletter=newsletters,
        subject="Bridges and ferries",
        body=[("heading", "Top stories"), ("story", {"article": article, "note": "Our pick."})],
    )
    Issue.objects.filter(pk=issue.pk).update(status=IssueStatus.SENT, sent_at=timezone.now())
    subscriber = Subscriber.objects.create(email="reader@example.org")
    Subscription.objects.create(
        subscriber=subscriber, newsletter=newsletters, confirmed_at=timezone.now()
    )
    paths = {
        "index": "/newsletters/",
        "newsletter": "/newsletters/morning-brief/",
        "archive": issue.get_absolute_url(),
        "preferences": f"/newsletters/preferences/{tokens.preferences_token(subscriber.pk)}/",
        "unsubscribe": "/newsletters/unsubscribe/"
        f"{tokens.unsubscribe_token(subscriber.pk, newsletters.pk, issue.pk)}/",
        "article": article.url,
    }
    problems = {}
    for name, path in paths.items():
        for width, scheme in ((390, "light"), (1280, "dark")):
            page, watch = open_page(path, width=width, scheme=scheme)
            page.screenshot(path=artifacts / f"newsletters-{name}-{width}.png", full_page=True)
            if found := _violations(page):
                problems[f"{name} {width} {scheme}"] = found
            assert watch.foreign_requests == []
    assert problems == {}
