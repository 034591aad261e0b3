"""The feed sources' admin listing in a real browser: each source's last poll is readable at
a glance, and the edit form shows the editors' fields only (the poller's state is not theirs
to edit)."""

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import timezone

from gazette.importers.models import FeedSource
from tests.factories import SectionFactory

pytestmark = pytest.mark.django_db(transaction=True)


def _sign_in(page, live_server, path):
    get_user_model().objects.create_superuser("desk", "", "pw-for-the-browser")
    page.goto(live_server.url + "/admin/login/?next=" + path)
    page.fill("input[name=username]", "desk")
    page.fill("input[name=password]", "pw-for-the-browser")
    page.click("button[type=submit]")
    page.wait_for_url("**" + path)


def test_the_feed_sources_listing_and_form(open_page, live_server, artifacts, home):
    section = SectionFactory(parent=home, title="World", slug="world")
    now = timezone.now()
    FeedSource.objects.create(
        name="Continental Wire",
        url="https://wire.example.com/rss/top.xml",
        section=section,
        last_status=FeedSource.Status.OK,
        last_message="3 created, 1 updated, 12 unchanged, 0 skipped, 0 failed",
        last_polled_at=now,
        next_poll_at=now + timezone.timedelta(minutes=30),
    )
    broken = FeedSource.objects.create(
        name="Harbour Town Courier",
        url="http://courier.example.net/rss.xml",
        section=section,
        last_status=FeedSource.Status.ERROR,
        last_message="the server answered 503 Service Unavailable; next try in 2 h",
        consecutive_failures=3,
        last_polled_at=now,
        next_poll_at=now + timezone.timedelta(hours=2),
    )
    listing = reverse("wagtailsnippets_importers_feedsource:list")
    page, watch = open_page("/admin/login/")
    _sign_in(page, live_server, listing)
    assert page.get_by_role("link", name="Continental Wire").is_visible()
    assert page.get_by_text("Imported: 3 created, 1 updated").is_visible()
    assert page.get_by_text("Failed: the server answered 503 Service Unavailable").is_visible()
    page.screenshot(path=str(artifacts / "feed-sources-listing-1280.png"), full_page=True)

    page.goto(
        live_server.url + reverse("wagtailsnippets_importers_feedsource:edit", args=[broken.pk])
    )
    assert page.locator("#id_url").input_value() == "http://courier.example.net/rss.xml"
    assert page.get_by_text("Publish at once").first.is_visible()
    assert page.locator("input[name=etag]").count() == 0
    page.screenshot(path=str(artifacts / "feed-sources-edit-1280.png"), full_page=True)
    assert watch.console_errors == []
