"""An editor's day in the admin, the parts about running and previewing the site (issue 23):
sign in, the preview in the side panel renders (and the checks panel counts its words),
publish, find the story in the admin's search by a word of its body, schedule a second story
from the schedule dialog and see the warning a scheduler that is not running leaves (the
scheduler publishing it is walked in test_editor_day_scheduled.py). No admin page of the walk
logs a console error or asks another host for anything."""

from datetime import timedelta

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.utils import timezone

from gazette.news.models import ArticlePage
from tests.factories import ArticleFactory, AuthorFactory, SectionFactory

pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = "a long day at the desk"  # a throwaway test account


@pytest.fixture
def newsroom(home):
    get_user_model().objects.create_superuser("desk", "desk@example.org", PASSWORD)
    section = SectionFactory(parent=home, title="World", slug="world")
    author = AuthorFactory()
    story = ArticleFactory(
        parent=section,
        title="Border villages emptied overnight",
        body=[("paragraph", "<p>Residents of Bryansk left before dawn, officials said.</p>")],
        live=False,
    )
    story.article_authors.create(author=author, sort_order=0)
    story.save_revision()
    second = ArticleFactory(parent=section, title="Budget vote at noon", live=False)
    second.article_authors.create(author=author, sort_order=0)
    second.save_revision()
    return {"story": story, "second": second}


def _sign_in(open_page):
    page, watch = open_page("/admin/login/")
    page.fill("input[name=username]", "desk")
    page.fill("input[name=password]", PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/admin/")
    assert page.get_by_role("heading", name="Dashboard").count() or page.title()
    return page, watch


def _publish(page):
    """The footer's More actions menu, then Publish, as an editor clicks them."""
    page.get_by_role("button", name="More actions").click()
    page.get_by_role("button", name="Publish", exact=True).click()


def test_an_editors_day_running_and_previewing(open_page, live_server, newsroom, artifacts):
    story, second = newsroom["story"], newsroom["second"]
    page, watch = _sign_in(open_page)

    # The preview in the side panel renders the story (no frame-ancestors block).
    page.goto(f"{live_server.url}/admin/pages/{story.pk}/edit/")
    page.locator('[data-side-panel-toggle="preview"]').click()
    frame = page.frame_locator("#w-preview-iframe")
    frame.get_by_role("heading", name="Border villages emptied overnight").wait_for(timeout=20000)
    assert frame.get_by_text("Residents of Bryansk left before dawn").is_visible()
    page.screenshot(path=artifacts / "editor-preview-panel-1280.png")

    # The checks panel reads the preview: a word count and reading time, not "-".
    page.locator('[data-side-panel-toggle="checks"]').click()
    words = page.locator("[data-content-word-count]")
    page.wait_for_function(
        "el => el.textContent.trim() !== '-'", arg=words.element_handle(), timeout=20000
    )
    assert words.inner_text().strip().isdigit() or "word" in words.inner_text()
    page.screenshot(path=artifacts / "editor-checks-panel-1280.png")

    # Publish.
    _publish(page)
    page.get_by_text("has been published").wait_for()
    page.wait_for_timeout(600)  # the message slides in
    page.screenshot(path=artifacts / "editor-published-1280.png")
    assert ArticlePage.objects.get(pk=story.pk).live

    # Find it in the admin search by a word of its body.
    page.goto(f"{live_server.url}/admin/pages/search/?q=Bryansk")
    page.screenshot(path=artifacts / "editor-admin-search-1280.png")
    assert page.get_by_role("link", name="Border villages emptied overnight").first.is_visible()

    # Schedule the second story a few minutes ahead, to see what editors see when the
    # scheduler is not running: the status panel's "Set schedule", the time, then the
    # dialog's own "Schedule to publish". (The story going live through the scheduler `make
    # run` starts, one minute ahead, is walked in test_editor_day_scheduled.py.)
    go_live = timezone.localtime(timezone.now() + timedelta(minutes=3))
    page.goto(f"{live_server.url}/admin/pages/{second.pk}/edit/")
    page.locator('[data-side-panel-toggle="status"]').click()
    page.get_by_role("button", name="Set schedule").click()
    dialog = page.locator("#schedule-publishing-dialog")
    dialog.locator("input[name=go_live_at]").fill(f"{go_live:%Y-%m-%d %H:%M}")
    # The typed time is autosaved (every 500 ms); the click waits for that save, else its
    # answer can come after the publish has made it out of date (a 400 in the console).
    page.wait_for_timeout(2000)
    # The date picker may still cover the button: the click goes to the button itself.
    dialog.get_by_role("button", name="Schedule to publish").dispatch_event("click")
    page.get_by_text("has been scheduled for publishing").first.wait_for()
    assert not ArticlePage.objects.get(pk=second.pk).live
    assert open_page(second.url)[0].title() != "Budget vote at noon"

    # Had no scheduler run, five minutes later the dashboard and the story's edit view would
    # say the schedule was missed (the clock moved ahead for the whole test process).
    with time_machine.travel(go_live + timedelta(minutes=5)):
        page.goto(f"{live_server.url}/admin/")
        missed = page.get_by_text("Missed schedule.")
        assert missed.is_visible()
        assert page.get_by_role("link", name="Budget vote at noon: due").is_visible()
        page.screenshot(path=artifacts / "editor-missed-schedule-1280.png", full_page=True)
        page.get_by_role("link", name="Budget vote at noon: due").click()
        page.get_by_text("Missed schedule: This page was due to be published").wait_for()
        page.goto("about:blank")  # no editing-session pings into the flush after the test

    assert watch.foreign_requests == []
    assert watch.console_errors == []
