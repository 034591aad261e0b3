"""The newsroom's daily tools in a real browser: a reply posted without JavaScript and in
place with it, featured comments, the public moderation page, the stop link of the reply
e-mails; axe on each; screenshots at 390 and 1280 px; and Wagtail's content checker running
the newsroom's checks on a preview."""

import json
from datetime import timedelta

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.core.serializers.json import DjangoJSONEncoder
from django.urls import reverse
from django.utils import timezone
from wagtail.models import Site

from gazette.comments.models import Comment, CommentSettings
from gazette.comments.reply_emails import stop_token
from tests.factories import ArticleFactory, SectionFactory

from .test_accessibility import _violations

pytestmark = pytest.mark.django_db(transaction=True)
Status = Comment.Status


@pytest.fixture
def article(home):
    settings, _ = CommentSettings.objects.get_or_create(site=Site.objects.get(is_default_site=True))
    settings.min_seconds_to_submit = 0  # the browser types faster than people do
    settings.save()
    section = SectionFactory(parent=home, title="World", slug="world")
    article = ArticleFactory(
        parent=section, title="Ferry Service Returns", first_published_at=timezone.now()
    )
    start = timezone.now() - timedelta(hours=5)
    thread = Comment.objects.create(
        article=article,
        author_name="Ada",
        text="Good to see the boats back.",
        status=Status.PUBLISHED,
        received_as=Status.PUBLISHED,
        created_at=start,
    )
    Comment.objects.create(
        article=article,
        parent=thread,
        author_name="Bea",
        text="Same here: my commute halves.",
        status=Status.PUBLISHED,
        received_as=Status.PUBLISHED,
        created_at=start + timedelta(hours=1),
    )
    Comment.objects.create(
        article=article,
        author_name="Cy",
        text="The timetable is on the harbour's site.",
        status=Status.PUBLISHED,
        received_as=Status.PUBLISHED,
        is_featured=True,
        created_at=start + timedelta(hours=2),
    )
    return article


def test_a_reply_posted_without_javascript(open_page, article, artifacts):
    thread = Comment.objects.get(author_name="Ada")
    page, watch = open_page(article.url, width=390, javascript=False)
    page.get_by_role("link", name="Reply to Ada").click()
    page.wait_for_url(f"**{reverse('comments:reply', args=[thread.pk])}")
    assert page.get_by_role("heading", name="Reply to Ada").is_visible()
    page.fill("#comment-name", "Dee")
    page.fill("#comment-text", "Replied with scripts off.")
    page.get_by_role("button", name="Post reply").click()
    page.wait_for_url(f"**{article.url}?comment=published#comment-*")
    reply = Comment.objects.get(author_name="Dee")
    assert reply.parent_id == thread.pk and reply.status == Status.PUBLISHED
    shown = page.locator(f"#comment-{thread.pk} .comment__replies #comment-{reply.pk}")
    assert shown.inner_text().count("Replied with scripts off.") == 1
    assert page.get_by_text("Thank you. Your comment is published.").is_visible()
    assert watch.console_errors == [] and watch.foreign_requests == []


def test_a_reply_in_place_with_javascript(open_page, article, artifacts):
    thread = Comment.objects.get(author_name="Ada")
    page, watch = open_page(article.url, width=1280)
    page.get_by_role("link", name="Reply to Ada").click()
    form = page.locator(f"#comment-{thread.pk} [data-reply-form]")
    assert page.evaluate("document.activeElement.id") == f"comment-text-reply-{thread.pk}"
    assert page.url.endswith(article.url)  # no page change
    form.locator("input[name=name]").fill("Eve")
    form.locator("textarea").fill("In place.")
    form.get_by_role("button", name="Post reply").click()
    page.wait_for_selector("text=Thank you. Your reply is published.")
    reply = Comment.objects.get(author_name="Eve")
    assert reply.parent_id == thread.pk
    assert page.locator(f"#comment-{thread.pk} .comment__replies #comment-{reply.pk}").count() == 1
    assert page.locator("[data-comment-count]").inner_text() == "4"
    ids = page.evaluate("[...document.querySelectorAll('[id]')].map(e => e.id)")
    assert len(ids) == len(set(ids))  # the copied form renamed every id
    assert _violations(page) == []
    assert watch.console_errors == []


def test_the_comment_pages_read_right(open_page, article, artifacts, admin_user, subtests):
    """One newsroom (building it costs more than the checks), each page a subtest."""
    thread = Comment.objects.get(author_name="Ada")
    for width in (390, 1280):
        with subtests.test("the reply page", width=width):
            # axe runs scripts: with them on (the no-JavaScript visit above is the same page).
            page, watch = open_page(reverse("comments:reply", args=[thread.pk]), width=width)
            page.screenshot(path=artifacts / f"reply-page-{width}.png", full_page=True)
            assert _violations(page) == []
            assert watch.console_errors == [] and watch.foreign_requests == []
        with subtests.test("threads and featured comments", width=width):
            page, _ = open_page(f"{article.url}#comments", width=width)
            texts = page.locator(".comment__text").all_inner_texts()
            assert texts[0] == "The timetable is on the harbour's site."  # featured first
            badge = page.locator(".comment--featured .comment__badge").inner_text()
            assert badge.startswith("FEATURED")
            page.locator("#comments").screenshot(path=artifacts / f"comment-threads-{width}.png")
            assert _violations(page) == []
    _reject_a_comment(article, admin_user)
    for width in (390, 1280):
        for scheme in ("light", "dark"):
            with subtests.test("the moderation page", width=width, scheme=scheme):
                page, watch = open_page(reverse("moderation"), width=width, scheme=scheme)
                assert page.get_by_role("heading", name="Moderation in public").is_visible()
                assert page.get_by_role("rowheader", name="Abuse or harassment").is_visible()
                assert "Troll" not in page.content() and "Nasty" not in page.content()
                page.screenshot(path=artifacts / f"moderation-{width}-{scheme}.png", full_page=True)
                assert _violations(page) == []
                assert watch.foreign_requests == []


def _reject_a_comment(article, admin_user):
    from gazette.comments import services

    held = Comment.objects.create(
        article=article,
        author_name="Troll",
        text="Nasty",
        status=Status.PENDING,
        received_as=Status.PENDING,
    )
    services.moderate_comment(
        comment=held, action="reject", reason="abuse", user=admin_user, category="abuse"
    )


def test_the_stop_link_of_the_reply_emails(open_page, article, artifacts):
    thread = Comment.objects.get(author_name="Ada")
    thread.email, thread.notify_replies = "ada@example.org", True
    thread.save()
    page, _ = open_page(reverse("comments:stop_reply_emails", args=[stop_token(thread)]), width=390)
    assert _violations(page) == []
    page.get_by_role("button", name="Stop the e-mails").click()
    page.get_by_text("You will get no more e-mails").wait_for()
    page.screenshot(path=artifacts / "stop-reply-emails-390.png")
    assert _violations(page) == []
    thread.refresh_from_db()
    assert not thread.notify_replies


def test_the_content_checker_reports_the_newsrooms_checks_on_a_preview(browser, home, rf):
    """The preview's markers and the checker's configuration, run by axe as Wagtail runs it."""
    from django.test import Client

    from gazette.checks.accessibility import NewsroomContentChecker, rule_id
    from gazette.checks.models import PublishingChecks
    from tests.checks.test_accessibility import _preview

    checks, _ = PublishingChecks.objects.get_or_create(site=Site.objects.get(is_default_site=True))
    checks.byline = "block"
    checks.save()
    editor = Client()
    from django.contrib.auth import get_user_model

    editor.force_login(get_user_model().objects.create_superuser("ed", "ed@example.org", "pw"))
    story = ArticleFactory(parent=SectionFactory(parent=home), title="A story long enough")
    html = _preview(editor, story, body='<p><a href="http://localhost:8000/">local</a></p>')
    checker = NewsroomContentChecker(in_editor=True, page=story)
    # As Wagtail hands it to the page: JSON (its messages are lazy translations).
    config = json.loads(
        json.dumps(checker.get_axe_configuration(rf.get("/")), cls=DjangoJSONEncoder)
    )

    context = browser.new_context(java_script_enabled=True)
    try:
        page = context.new_page()
        page.set_content(html)
        page.evaluate(Axe().axe_script)
        results = page.evaluate(
            "([config]) => { axe.configure(config.spec);"
            " return axe.run(config.context, config.options); }",
            [config],
        )
    finally:
        context.close()
    failed = {violation["id"] for violation in results["violations"]}
    assert {rule_id("byline"), rule_id("links")} <= failed
    assert rule_id("section") not in failed
