"""Feed sources polled against an HTTP server these tests start on loopback: conditional GET,
imports that change nothing the second time, back-off on errors, the schedule worker's round,
and the admin listing."""

from __future__ import annotations

import http.server
import time
from datetime import timedelta
from pathlib import Path

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from wagtail.models import Revision

from gazette.importers import feed_sources
from gazette.importers.body import body_blocks
from gazette.importers.feed_ingest import import_entries
from gazette.importers.feed_sources import backoff, poll_due_sources
from gazette.importers.models import FeedSource
from gazette.importers.sources.feed import parse_feed
from gazette.news.models import ArticlePage
from tests.factories import AuthorFactory, SectionFactory
from tests.loopback import serve_in_background

pytestmark = pytest.mark.django_db

FIXTURES = Path(__file__).parent / "fixtures" / "feeds"
WORDPRESS = (FIXTURES / "rss20_wordpress.xml").read_bytes()


class FeedServer:
    """What the loopback server answers, and what it was asked."""

    def __init__(self):
        self.body = WORDPRESS
        self.etag = '"v1"'
        self.last_modified = "Wed, 04 Jun 2025 18:02:11 GMT"
        self.status = 200
        self.content_type = "application/rss+xml; charset=UTF-8"
        self.delay = 0.0
        self.requests: list[dict[str, str]] = []
        self.url = ""


class _Handler(http.server.BaseHTTPRequestHandler):
    state: FeedServer

    def do_GET(self):
        state = self.state
        state.requests.append({"path": self.path, **dict(self.headers.items())})
        if state.delay:
            time.sleep(state.delay)
        if state.status != 200:
            self.send_response(state.status)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        if self.path == "/moved":
            self.send_response(302)
            self.send_header("Location", "ftp://127.0.0.1/feed.xml")
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        if self.headers.get("If-None-Match") == state.etag:
            self.send_response(304)
            self.send_header("ETag", state.etag)
            self.end_headers()
            return
        self.send_response(200)
        self.send_header("Content-Type", state.content_type)
        self.send_header("Content-Length", str(len(state.body)))
        self.send_header("ETag", state.etag)
        self.send_header("Last-Modified", state.last_modified)
        self.end_headers()
        self.wfile.write(state.body)

    def log_message(self, *args):
        pass


@pytest.fixture
def feed_server():
    state = FeedServer()
    handler = type("Handler", (_Handler,), {"state": state})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    serve_in_background(server)
    state.url = f"http://127.0.0.1:{server.server_address[1]}/feed.xml"
    yield state
    server.shutdown()
    server.server_close()


@pytest.fixture
def quiet_tasks(settings):
    # Publishing queues renditions and related-articles tasks: not what these tests are about.
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}


@pytest.fixture
def section(home):
    return SectionFactory(parent=home, title="Valley", slug="valley")


@pytest.fixture
def source(feed_server, section, quiet_tasks):
    return FeedSource.objects.create(
        name="Valley Ledger",
        url=feed_server.url,
        section=section,
        default_author=AuthorFactory(name="Wire desk"),
        interval_minutes=30,
        publish=True,
    )


def _revisions() -> int:
    return Revision.objects.filter(content_type__model="articlepage").count()


def _later(minutes: int):
    return time_machine.travel(timezone.now() + timedelta(minutes=minutes), tick=True)


# --- polling -----------------------------------------------------------------------------


def test_first_poll_imports_the_feed(source, feed_server):
    (result,) = poll_due_sources()
    assert result.status == FeedSource.Status.OK
    assert result.message == "2 created, 0 updated, 0 unchanged, 0 skipped, 0 failed"

    bridge = ArticlePage.objects.get(source_key="https://valleyledger.example.com/?p=4812")
    assert bridge.live and bridge.get_parent().specific == source.section
    assert bridge.title == "Council approves the new bridge – and a 20 mph limit"
    assert [author.name for author in bridge.authors] == ["Priya Raman"]
    assert sorted(tag.name for tag in bridge.tags.all()) == [
        "Bridges & roads",
        "Local politics",
        "Transport",
    ]
    assert bridge.first_published_at.isoformat() == "2025-06-04T16:45:00+00:00"
    kinds = [block.block_type for block in bridge.body]
    assert kinds == ["paragraph", "paragraph", "paragraph", "paragraph", "quote"]
    assert bridge.body[4].value["text"] == "We waited twenty years for this."
    assert bridge.body[4].value["attribution"] == "A resident"
    assert bridge.lead_image.is_placeholder
    assert bridge.lead_image.credit == "Sam Ortiz/Valley Ledger"

    summer = ArticlePage.objects.get(source_key="https://valleyledger.example.com/?p=4790")
    image_block = next(block for block in summer.body if block.block_type == "image")
    assert image_block.value["image"].title.endswith("/2025/06/festival.jpg")

    source.refresh_from_db()
    assert source.etag == '"v1"'
    assert source.last_modified == "Wed, 04 Jun 2025 18:02:11 GMT"
    assert source.last_status == FeedSource.Status.OK
    assert source.consecutive_failures == 0
    assert source.next_poll_at - source.last_polled_at >= timedelta(minutes=30)
    assert "Imported: 2 created" in source.status_summary()


def test_a_source_is_polled_again_only_when_its_interval_has_passed(source, feed_server):
    poll_due_sources()
    assert poll_due_sources() == []
    with _later(29):
        assert poll_due_sources() == []
    with _later(31):
        assert len(poll_due_sources()) == 1
    assert len(feed_server.requests) == 2


def test_second_poll_sends_the_validators_gets_304_and_changes_nothing(source, feed_server):
    poll_due_sources()
    revisions = _revisions()
    with _later(31):
        (result,) = poll_due_sources()
    request = feed_server.requests[-1]
    assert request["If-None-Match"] == '"v1"'
    assert request["If-Modified-Since"] == "Wed, 04 Jun 2025 18:02:11 GMT"
    assert result.status == FeedSource.Status.NOT_MODIFIED
    assert _revisions() == revisions
    source.refresh_from_db()
    assert source.status_summary() == "No change: the feed has not changed"


def test_a_changed_feed_adds_and_updates_and_leaves_the_rest(source, feed_server):
    poll_due_sources()
    bridge = ArticlePage.objects.get(source_key="https://valleyledger.example.com/?p=4812")
    summer_revisions = Revision.objects.for_instance(
        ArticlePage.objects.get(source_key="https://valleyledger.example.com/?p=4790")
    ).count()

    new_item = (
        b"<item><title>Flood defences finished early</title>"
        b"<link>https://valleyledger.example.com/2025/06/05/flood-defences/</link>"
        b'<guid isPermaLink="false">https://valleyledger.example.com/?p=4830</guid>'
        b"<pubDate>Thu, 05 Jun 2025 09:00:00 +0000</pubDate>"
        b"<content:encoded><![CDATA[<p>The wall is finished.</p>]]></content:encoded></item>"
    )
    feed_server.body = WORDPRESS.replace(b"<item>", new_item + b"<item>", 1).replace(
        b"Work starts in the spring.</p>", b"Work starts in March.</p>"
    )
    feed_server.etag = '"v2"'
    with _later(31):
        (result,) = poll_due_sources()

    assert result.message == "1 created, 1 updated, 1 unchanged, 0 skipped, 0 failed"
    bridge.refresh_from_db()
    assert "Work starts in March." in bridge.body[0].value.source
    assert bridge.live and not bridge.has_unpublished_changes
    flood = ArticlePage.objects.get(source_key="https://valleyledger.example.com/?p=4830")
    assert flood.live
    summer = ArticlePage.objects.get(source_key="https://valleyledger.example.com/?p=4790")
    assert Revision.objects.for_instance(summer).count() == summer_revisions
    source.refresh_from_db()
    assert source.etag == '"v2"'


def test_an_erroring_source_backs_off_says_why_and_recovers(source, feed_server):
    feed_server.status = 500
    (result,) = poll_due_sources()
    assert result.status == FeedSource.Status.ERROR
    source.refresh_from_db()
    assert source.consecutive_failures == 1
    assert source.last_message == (
        "the server answered 500 Internal Server Error; next try in 60 min"
    )
    assert source.next_poll_at - source.last_polled_at >= timedelta(minutes=60)
    assert "Failed: the server answered 500" in source.status_summary()

    with _later(61):
        poll_due_sources()
    source.refresh_from_db()
    assert source.consecutive_failures == 2
    assert source.next_poll_at - source.last_polled_at >= timedelta(minutes=120)
    assert "(2 failures in a row)" in source.status_summary()
    # Not polled again before its back-off is over.
    with _later(61 + 119):
        assert poll_due_sources() == []

    feed_server.status = 200
    with _later(61 + 121):
        (result,) = poll_due_sources()
    assert result.status == FeedSource.Status.OK
    source.refresh_from_db()
    assert source.consecutive_failures == 0


def test_backoff_doubles_and_is_capped_at_a_day(source):
    assert [backoff(source, n) for n in (1, 2, 3)] == [
        timedelta(minutes=60),
        timedelta(minutes=120),
        timedelta(minutes=240),
    ]
    assert backoff(source, 50) == timedelta(hours=24)


def _redirect_off_http(server, monkeypatch):
    server.url = server.url.replace("feed.xml", "moved")  # answers 302 to an ftp:// address


@pytest.mark.parametrize(
    ("arrange", "message"),
    [
        (lambda server, monkeypatch: setattr(server, "body", b"<html><body>x</body></html>"),
         "not a feed: it is an HTML page"),
        (lambda server, monkeypatch: setattr(server, "body", WORDPRESS[:1500]),
         "the feed is truncated"),
        (lambda server, monkeypatch: monkeypatch.setattr(feed_sources, "MAX_FEED_BYTES", 1000),
         "the feed is over 0 MB"),
        (lambda server, monkeypatch: (setattr(server, "delay", 1.0),
                                      monkeypatch.setattr(feed_sources, "TIMEOUT", (1, 0.2))),
         "timed out"),
        (_redirect_off_http,
         "redirected off http(s)"),
    ],
)  # fmt: skip
def test_fetch_and_parse_errors_are_one_line_statuses(
    source, feed_server, monkeypatch, arrange, message
):
    arrange(feed_server, monkeypatch)
    FeedSource.objects.filter(pk=source.pk).update(url=feed_server.url)
    (result,) = poll_due_sources()
    assert result.status == FeedSource.Status.ERROR
    assert message in result.message and "\n" not in result.message
    assert not ArticlePage.objects.exists()


def test_a_source_that_cannot_be_reached(source):
    FeedSource.objects.filter(pk=source.pk).update(url="http://127.0.0.1:9/feed.xml")
    (result,) = poll_due_sources()
    assert result.message.startswith("could not connect (")


def test_disabled_sources_and_sections_deleted_under_them(source, feed_server):
    FeedSource.objects.filter(pk=source.pk).update(enabled=False)
    assert poll_due_sources() == []
    FeedSource.objects.filter(pk=source.pk).update(enabled=True, section=None)
    (result,) = poll_due_sources()
    assert result.message.startswith("its section was deleted: choose another")
    assert feed_server.requests == []


def test_a_source_claimed_by_another_worker_is_left_to_it(source, feed_server):
    stale = FeedSource.objects.get(pk=source.pk)
    assert feed_sources._claim(stale, timezone.now())
    # A second worker read the same row before the claim: its claim fails.
    assert not feed_sources._claim(stale, timezone.now())
    assert poll_due_sources() == []


def test_a_partly_failed_import_says_which_entry_and_refetches_next_time(source, feed_server):
    feed_server.body = WORDPRESS.replace(
        b'<guid isPermaLink="false">https://valleyledger.example.com/?p=4790</guid>', b""
    ).replace(b"<link>https://valleyledger.example.com/2025/06/03/summer-guide/</link>", b"")
    (result,) = poll_due_sources()
    assert result.status == FeedSource.Status.PARTIAL
    assert result.message == (
        "1 created, 0 updated, 0 unchanged, 0 skipped, 1 failed; entry 2: the entry has no id "
        "and no link: it cannot be told apart from others"
    )
    source.refresh_from_db()
    assert source.etag == ""  # the next poll fetches the whole feed again


def test_changing_the_address_forgets_the_validators(source, feed_server):
    poll_due_sources()
    source.refresh_from_db()
    source.url = feed_server.url + "?v=2"
    source.save()
    source.refresh_from_db()
    assert source.etag == "" and source.next_poll_at is None


# --- importing ---------------------------------------------------------------------------


def test_import_is_idempotent(section, quiet_tasks):
    first = import_entries(
        parse_feed(WORDPRESS, url="https://x.example/feed"),
        section=section,
        author=None,
        publish=True,
    )
    revisions = _revisions()
    again = import_entries(
        parse_feed(WORDPRESS, url="https://x.example/feed"),
        section=section,
        author=None,
        publish=True,
    )
    assert first.line() == "2 created, 0 updated, 0 unchanged, 0 skipped, 0 failed"
    assert again.line() == "0 created, 0 updated, 2 unchanged, 0 skipped, 0 failed"
    assert _revisions() == revisions
    assert ArticlePage.objects.count() == 2


def test_drafts_wait_for_an_editor_and_an_unpublished_article_stays_down(section, quiet_tasks):
    data = (FIXTURES / "atom10_xhtml.xml").read_bytes()
    import_entries(parse_feed(data, url="https://n.example/"), section=section, author=None,
                   publish=False)  # fmt: skip
    keeper = ArticlePage.objects.get(source_key="tag:northwind.example.org,2025:story-881")
    assert not keeper.live and keeper.has_unpublished_changes
    assert keeper.get_latest_revision_as_object().title == "The last lighthouse keeper"

    # Published by an editor, then taken down: a changed entry waits as a draft.
    keeper.get_latest_revision().publish()
    keeper.refresh_from_db()
    keeper.unpublish()
    changed = data.replace(b"climbed 142 steps", b"climbed 143 steps")
    summary = import_entries(
        parse_feed(changed, url="https://n.example/"), section=section, author=None, publish=True
    )
    assert summary.counts["updated"] == 1
    keeper.refresh_from_db()
    assert not keeper.live
    assert "143 steps" in keeper.get_latest_revision_as_object().body[0].value.source


def test_drafts_and_updates_kept_down_are_written_once(section, quiet_tasks):
    data = (FIXTURES / "atom10_xhtml.xml").read_bytes()

    def poll(feed: bytes, *, publish: bool) -> str:
        entries = parse_feed(feed, url="https://n.example/")
        return import_entries(entries, section=section, author=None, publish=publish).line()

    assert poll(data, publish=False) == "2 created, 0 updated, 0 unchanged, 0 skipped, 0 failed"
    revisions = _revisions()
    # A draft keeps its first-published time in its revision: a rerun finds nothing to write.
    assert poll(data, publish=False) == "0 created, 0 updated, 2 unchanged, 0 skipped, 0 failed"
    assert _revisions() == revisions

    keeper = ArticlePage.objects.get(source_key="tag:northwind.example.org,2025:story-881")
    ferries = ArticlePage.objects.get(source_key="tag:northwind.example.org,2025:story-870")
    keeper.get_latest_revision().publish()
    ferries.get_latest_revision().publish()
    keeper.refresh_from_db()
    keeper.unpublish()
    assert poll(data, publish=True) == "0 created, 0 updated, 2 unchanged, 0 skipped, 0 failed"

    # Not publishing: the live article's update waits as a draft, the live page as it was.
    changed = data.replace(b"climbed 142 steps", b"climbed 143 steps").replace(
        b"Ferries to run on batteries by 2030", b"Ferries to run on batteries by 2031"
    )
    assert poll(changed, publish=False) == "0 created, 2 updated, 0 unchanged, 0 skipped, 0 failed"
    ferries.refresh_from_db()
    assert ferries.live and ferries.has_unpublished_changes
    assert ferries.title == "Ferries to run on batteries by 2030"
    assert ferries.get_latest_revision_as_object().title == "Ferries to run on batteries by 2031"
    # Publishing, and the feed changed again: the live one is published, the one taken down
    # gets a draft and stays down; a rerun writes nothing.
    again = changed.replace(b"by 2031", b"by 2032").replace(b"143 steps", b"144 steps")
    revisions = _revisions()
    assert poll(again, publish=True) == "0 created, 2 updated, 0 unchanged, 0 skipped, 0 failed"
    assert poll(again, publish=True) == "0 created, 0 updated, 2 unchanged, 0 skipped, 0 failed"
    assert _revisions() == revisions + 2
    ferries.refresh_from_db()
    keeper.refresh_from_db()
    assert ferries.live and ferries.title == "Ferries to run on batteries by 2032"
    assert not ferries.has_unpublished_changes
    assert not keeper.live
    assert "144 steps" in keeper.get_latest_revision_as_object().body[0].value.source


def test_headline_only_entries_say_so_and_default_author(section, quiet_tasks):
    author = AuthorFactory(name="Courier desk")
    data = (FIXTURES / "rss091_netscape.xml").read_bytes()
    import_entries(parse_feed(data, url="http://courier.example.net/rss.xml"), section=section,
                   author=author, publish=True)  # fmt: skip
    ferry = ArticlePage.objects.get(title="Ferry timetable changes for the winter")
    assert ferry.is_headline_only and list(ferry.body) == []
    assert ferry.standfirst.startswith("The island ferry will run four times a day")
    assert [a.name for a in ferry.authors] == ["Courier desk"]


def test_one_failing_item_among_good_ones(section, quiet_tasks, monkeypatch):
    from gazette.importers import feed_ingest

    real = feed_ingest.upsert_item

    def fail_on_the_bridge(item, **kwargs):
        if "bridge" in item.headline:
            raise RuntimeError("disk full")
        return real(item, **kwargs)

    monkeypatch.setattr(feed_ingest, "upsert_item", fail_on_the_bridge)
    summary = import_entries(
        parse_feed(WORDPRESS, url="https://x.example/feed"),
        section=section,
        author=None,
        publish=True,
    )
    assert summary.line() == "1 created, 0 updated, 0 unchanged, 0 skipped, 1 failed"
    assert summary.failures[0].reason == "RuntimeError: disk full"
    assert summary.failures[0].position == "entry 1"
    assert ArticlePage.objects.filter(title__startswith="School").exists()


def test_body_blocks_map_every_kind():
    # The shared body mapping (body.py), with a feed entry's kinds of block.
    blocks = body_blocks(
        "<p>One <a href='https://x.example/'>link</a></p><h2>H</h2><ul><li>a</li></ul>"
        "<pre>line 1\nline 2</pre><blockquote><p>Q1</p><p>Q2</p><em>Someone</em></blockquote>",
        image_block=lambda picture: None,
        notes=[],
    )
    assert [block["type"] for block in blocks] == ["paragraph"] * 4 + ["quote"]
    assert blocks[0]["value"] == '<p>One <a href="https://x.example/">link</a></p>'
    assert blocks[3]["value"] == "<p>line 1<br/>line 2</p>"
    assert blocks[4]["value"] == {"text": "Q1\n\nQ2", "attribution": "Someone"}


# --- the schedule worker and the admin ---------------------------------------------------


def test_the_schedule_workers_round_polls_due_sources(source, feed_server, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    call_command("schedule_worker", "--once")
    assert ArticlePage.objects.filter(source_key__startswith="https://valleyledger").count() == 2
    # Nothing due: the round queues nothing and asks no server.
    call_command("schedule_worker", "--once")
    assert len(feed_server.requests) == 1


def test_the_admin_listing_shows_each_sources_last_status(editor_client, source, feed_server):
    poll_due_sources()
    FeedSource.objects.create(
        name="Broken feed",
        url="http://127.0.0.1:9/x",
        section=source.section,
        last_status=FeedSource.Status.ERROR,
        last_message="timed out; next try in 60 min",
        consecutive_failures=3,
    )
    response = editor_client.get(reverse("wagtailsnippets_importers_feedsource:list"))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Imported: 2 created, 0 updated" in page
    assert "Failed: timed out; next try in 60 min (3 failures in a row)" in page


def test_the_listing_makes_a_fixed_number_of_queries(
    editor_client, section, django_assert_num_queries
):
    url = reverse("wagtailsnippets_importers_feedsource:list")
    FeedSource.objects.create(name="One", url="https://one.example/feed", section=section)
    editor_client.get(url)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as one:
        editor_client.get(url)
    for number in range(2, 6):
        FeedSource.objects.create(
            name=f"Feed {number}", url=f"https://{number}.example/feed", section=section
        )
    with django_assert_num_queries(len(one)):
        editor_client.get(url)


def test_feed_sources_are_behind_a_permission(client, source):
    url = reverse("wagtailsnippets_importers_feedsource:list")
    user = get_user_model().objects.create_user("reporter", password="pw")
    user.user_permissions.add(Permission.objects.get(codename="access_admin"))
    client.force_login(user)
    assert client.get(url).status_code in (302, 403)

    editors = Group.objects.create(name="Feed editors")
    editors.permissions.add(
        Permission.objects.get(codename="access_admin"),
        Permission.objects.get(codename="view_feedsource"),
    )
    user.groups.add(editors)
    assert client.get(url).status_code == 200


def test_the_admin_form_refuses_bad_addresses_and_intervals_with_messages(editor_client, section):
    url = reverse("wagtailsnippets_importers_feedsource:add")
    form = {
        "name": "Wire",
        "url": "ftp://wire.example.com/feed.xml",
        "section": section.pk,
        "default_author": "",
        "interval_minutes": "1",
        "enabled": "on",
    }
    response = editor_client.post(url, form)
    assert response.status_code == 200  # the form again, with what was typed
    errors = response.context["form"].errors
    assert "url" in errors and "interval_minutes" in errors
    assert not FeedSource.objects.exists()

    form.update(url="https://wire.example.com/feed.xml", interval_minutes="15")
    response = editor_client.post(url, form)
    assert response.status_code == 302
    source = FeedSource.objects.get()
    assert (source.section, source.interval_minutes, source.publish) == (section, 15, False)
    assert source.last_status == FeedSource.Status.NEW and source.next_poll_at is None


def test_imported_articles_render_for_readers(client, source, feed_server):
    feed_server.body = (FIXTURES / "atom10_xhtml.xml").read_bytes()
    poll_due_sources()
    keeper = ArticlePage.objects.get(title="The last lighthouse keeper")
    page = client.get(keeper.url)
    assert page.status_code == 200
    html = page.content.decode()
    assert "For 31 years Arne Holm kept the light burning" in html  # the standfirst
    # Stored as Wagtail's rich text stores bold (body.py), as an editor's own would be.
    assert "<b>Arne Holm</b> climbed 142 steps" in html
    assert "Ingrid Solberg" in html and "Kåre Dahl" in html
    assert "A page of the 1993 logbook." in html

    feed_server.body = (FIXTURES / "rss091_netscape.xml").read_bytes()
    feed_server.etag = '"v2"'
    FeedSource.objects.filter(pk=source.pk).update(next_poll_at=None)
    poll_due_sources()
    stub = ArticlePage.objects.get(title="Ferry timetable changes for the winter")
    page = client.get(stub.url)
    assert page.status_code == 200
    html = page.content.decode()
    assert "The island ferry will run four times a day" in html
    assert "Only the headline of this story has reached us so far." in html
