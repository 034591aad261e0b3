"""Issue 23 (part B) in chromium: the newsroom dashboard, "New article", My byline, the
article's Readers and sharing panels, the pending queue and "Add to Must-Reads"; each page
screenshotted, with no console error and no request to another host."""

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse
from PIL import Image
from playwright.sync_api import expect
from wagtail.images import get_image_model

from gazette.comments.models import Comment
from gazette.people.models import Author
from tests.browser.conftest import close_when_idle
from tests.factories import ArticleFactory, SectionFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def signed_in(browser, live_server, settings):
    """A chromium context signed in to the admin as an editor (the session of a test client)."""
    settings.WAGTAIL_ENABLE_UPDATE_CHECK = False  # Wagtail's call home; part A turns it off
    user = get_user_model().objects.create_superuser("ed", "ed@example.org", "pw")
    client = Client()
    client.force_login(user)
    context = browser.new_context(viewport={"width": 1280, "height": 1000})
    context.add_cookies(
        [
            {
                "name": "sessionid",
                "value": client.cookies["sessionid"].value,
                "url": live_server.url,
            }
        ]
    )
    yield context, user
    close_when_idle([context])


def _open(context, live_server, path):
    from .conftest import PageWatch

    page = context.new_page()
    watch = PageWatch(page, live_server.url)
    page.goto(live_server.url + path)
    page.wait_for_load_state("networkidle")
    return page, watch


def _follow(page, control):
    """Click a link or submit button and wait for the page it loads: waiting for "networkidle"
    alone can return before the navigation starts and read the old page."""
    with page.expect_navigation():
        control.click()
    page.wait_for_load_state("networkidle")


def _clean(watch):
    assert watch.console_errors == [], (watch.console_errors, watch.foreign_requests)
    assert watch.foreign_requests == [], watch.foreign_requests


def test_the_editors_day_part_b(signed_in, live_server, home, artifacts, tmp_path):
    context, user = signed_in
    world = SectionFactory(parent=home, title="World", slug="world")
    SectionFactory(parent=home, title="Sport", slug="sport")
    story = ArticleFactory(parent=world, title="Ferry service returns", standfirst="Boats again.")
    ArticleFactory(parent=world, title="My unfinished piece", live=False, owner=user)
    Comment.objects.create(article=story, author_name="Ada", text="Held for a link")

    page, watch = _open(context, live_server, reverse("wagtailadmin_home"))
    for heading in ("My drafts", "Scheduled stories", "Awaiting my review", "Most read today"):
        assert page.get_by_role("heading", name=heading).is_visible(), heading
    assert page.get_by_text("My unfinished piece").is_visible()
    assert page.get_by_role("link", name="1 comment pending").is_visible()
    page.screenshot(path=artifacts / "editor-b-dashboard.png", full_page=True)
    _clean(watch)

    _follow(page, page.get_by_role("link", name="New article").first)
    assert page.get_by_role("heading", name="In which section?").is_visible()
    page.screenshot(path=artifacts / "editor-b-new-article.png", full_page=True)
    _follow(page, page.get_by_role("link", name="World"))
    assert "/pages/add/news/articlepage/" in page.url
    # A new author, made from the article's author chooser (4 clicks and the name).
    page.get_by_role("button", name="Add Authors").click()
    page.get_by_role("button", name="Choose author").first.click()
    chooser = page.locator(".modal-dialog")
    chooser.get_by_role("tab", name="New author").click()
    chooser.get_by_label("Name").first.fill("Mina Park")
    chooser.get_by_role("button", name="Add a new author").click()
    chooser.wait_for(state="hidden", timeout=10_000)
    page.get_by_text("Mina Park", exact=True).first.wait_for(state="visible", timeout=10_000)
    page.get_by_text("Mina Park", exact=True).first.scroll_into_view_if_needed()
    page.screenshot(path=artifacts / "editor-b-new-author.png")
    assert Author.objects.filter(name="Mina Park", slug="mina-park").exists()
    _clean(watch)

    page, watch = _open(context, live_server, reverse("people_my_byline"))
    page.screenshot(path=artifacts / "editor-b-my-byline.png", full_page=True)
    _clean(watch)

    page, watch = _open(context, live_server, reverse("wagtailadmin_pages:edit", args=[story.pk]))
    page.get_by_role("tab", name="Promote").click()
    card = page.get_by_role("heading", name="As a social card")
    card.scroll_into_view_if_needed()
    assert card.is_visible()
    page.screenshot(path=artifacts / "editor-b-share-preview.png")
    page.get_by_role("tab", name="Content").click()
    page.get_by_text("Since publication").scroll_into_view_if_needed()
    page.screenshot(path=artifacts / "editor-b-figures.png")
    _clean(watch)

    page, watch = _open(context, live_server, reverse("wagtailadmin_home"))
    _follow(page, page.get_by_role("link", name="1 comment pending"))
    assert "status=pending" in page.url
    assert page.get_by_text("Held for a link").is_visible()
    page.screenshot(path=artifacts / "editor-b-queue.png", full_page=True)
    # One click on the row approves it (2 clicks from the dashboard, as in WordPress).
    _follow(page, page.get_by_role("button", name="Approve: Held for a link"))
    assert page.get_by_text("Approved: Ada’s comment on “Ferry service returns”.").is_visible()
    assert "status=pending" in page.url and not page.get_by_text("Held for a link").count()
    assert Comment.objects.get().status == Comment.Status.PUBLISHED
    page.screenshot(path=artifacts / "editor-b-approved.png", full_page=True)
    _clean(watch)

    # Add to Must-Reads: the ⋯ menu next to the headline, then its item (2 clicks).
    page, watch = _open(context, live_server, reverse("wagtailadmin_pages:edit", args=[story.pk]))
    page.get_by_role("button", name="Actions", exact=True).first.click()
    _follow(page, page.get_by_role("button", name="Add to Must-Reads"))
    assert page.get_by_text("is first in Must-Reads").is_visible()
    assert "/edit/" in page.url
    page.screenshot(path=artifacts / "editor-b-must-reads.png")
    _clean(watch)

    # Change the section of two stories from Stories (one menu click, as WordPress's Posts).
    ArticleFactory(parent=world, title="Harbour reopens")
    page, watch = _open(context, live_server, reverse("wagtailadmin_home"))
    _follow(page, page.get_by_role("link", name="Stories", exact=True))
    for title in ("Ferry service returns", "Harbour reopens"):
        page.locator("tr", has_text=title).locator("input.bulk-action-checkbox").check()
    _follow(page, page.locator(".bulk-action-btn", has_text="Change section"))
    page.get_by_label("Section").select_option(label="Sport")
    page.screenshot(path=artifacts / "editor-b-bulk-section.png")
    _follow(page, page.get_by_role("button", name="Move them"))
    assert page.get_by_text("2 articles moved to Sport.").is_visible()
    page.screenshot(path=artifacts / "editor-b-bulk-moved.png")
    _clean(watch)

    # An image without a credit is refused, with the reason, and the form keeps what was typed.
    picture = tmp_path / "harbour.png"
    Image.new("RGB", (64, 48), "steelblue").save(picture)
    page, watch = _open(context, live_server, reverse("wagtailimages:add"))
    page.set_input_files("input[type=file][name=file]", str(picture))
    # Wagtail names the picture after its file, from a script: the editor sees it done.
    expect(page.locator("#id_title")).to_have_value("harbour")
    page.locator("#id_description").fill("Boats in the harbour at dawn")
    _follow(page, page.get_by_role("button", name="Upload").first)
    assert page.get_by_text("Every picture carries a credit").first.is_visible()
    page.screenshot(path=artifacts / "editor-b-upload-refused.png")
    # With its credit it is taken (the browser emptied the file field: chosen again).
    assert page.locator("#id_description").input_value() == "Boats in the harbour at dawn"
    page.set_input_files("input[type=file][name=file]", str(picture))
    expect(page.locator("#id_title")).to_have_value("harbour")
    page.locator("#id_credit").fill("Photo: Mina Park")
    _follow(page, page.get_by_role("button", name="Upload").first)
    uploaded = get_image_model().objects.get(credit="Photo: Mina Park")
    assert uploaded.description == "Boats in the harbour at dawn"
    _clean(watch)
