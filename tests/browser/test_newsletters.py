"""The subscribe form in a real browser, with JavaScript and without; axe on the new pages."""

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.core import mail
from django.utils import timezone

from gazette.newsletters import tokens
from gazette.newsletters.models import Issue, IssueStatus, Newsletter, Subscriber, Subscription
from tests.browser.test_accessibility import WCAG_AA
from tests.factories import ArticleFactory, SectionFactory

pytestmark = pytest.mark.django_db(transaction=True)


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


def _issue_with_a_story(newsletter):
    """An issue of ``newsletter`` whose body holds a heading and one live story."""
    article = ArticleFactory(
        parent=SectionFactory(title="World", slug="world"), title="Harbour Bridge Reopens"
    )
    issue = Issue.objects.create(
        newsletter=newsletter,
        subject="Bridges and ferries",
        body=[("heading", "Top stories"), ("story", {"article": article, "note": "Our pick."})],
    )
    return article, issue


def test_new_pages_have_no_accessibility_violations(open_page, newsletters, artifacts):
    article, issue = _issue_with_a_story(newsletters)
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


@pytest.mark.parametrize("width", [390, 1280])
def test_the_admin_sending_page_has_no_accessibility_violations(
    browser, live_server, newsletters, artifacts, settings, width
):
    """Axe on the sending page itself (counts, preview frame, test send, schedule, send now),
    with the stories of a real issue in its preview."""
    from django.contrib.auth import get_user_model
    from django.test import Client
    from django.urls import reverse

    from .conftest import PageWatch, close_when_idle

    settings.WAGTAIL_ENABLE_UPDATE_CHECK = False  # Wagtail's call home: a foreign request
    _, issue = _issue_with_a_story(newsletters)
    Subscription.objects.create(
        subscriber=Subscriber.objects.create(email="reader@example.org"),
        newsletter=newsletters,
        confirmed_at=timezone.now(),
    )
    client = Client()
    client.force_login(get_user_model().objects.create_superuser("ed", "ed@example.org", "pw"))
    context = browser.new_context(viewport={"width": width, "height": 1000})
    context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )
    try:
        page = context.new_page()
        watch = PageWatch(page, live_server.url)
        page.goto(live_server.url + reverse("newsletters_admin:sending", args=[issue.pk]))
        page.wait_for_load_state("networkidle")
        page.get_by_role("heading", name="Counts").wait_for()
        assert page.get_by_role("button", name="Send to 1 subscriber now").is_visible()
        page.screenshot(path=artifacts / f"newsletters-admin-sending-{width}.png", full_page=True)
        assert _violations(page) == []
        assert watch.console_errors == [] and watch.foreign_requests == []
    finally:
        close_when_idle([context])
