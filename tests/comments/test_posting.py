"""A reader posts a comment: limits, answers with and without JavaScript, the rules, the rate
limits and the same-origin defence, all on the server, as a script that skips the browser
would post."""

import logging
import zlib
import zoneinfo
from datetime import UTC, datetime, timedelta
from http.server import ThreadingHTTPServer

import pytest
import time_machine
from django.core.cache import caches
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from wagtail.models import PageViewRestriction, Site

from gazette.comments import rules
from gazette.comments.models import Comment
from gazette.core.models import SiteIdentity
from tests.factories import ArticleFactory
from tests.loopback import serve_in_background

from .conftest import form_data, post

pytestmark = pytest.mark.django_db
Status = Comment.Status


@pytest.mark.parametrize("unit", ["a", "😀", "新", "e\u0301"])
def test_300_characters_are_accepted_and_301_refused(client, article, unit):
    # 300 code points: "e\u0301" is two, so 150 of them.
    times = 300 // len(unit)
    accepted = post(client, article, text=unit * times)
    assert accepted.status_code == 303
    assert Comment.objects.get().text == unit * times

    refused = post(client, article, text=unit * times + "x", name="Bea")
    assert refused.status_code == 400
    assert "the limit is 300" in refused.content.decode()
    assert Comment.objects.count() == 1


def test_whitespace_is_trimmed_before_counting(client, article):
    response = post(client, article, text="\n  " + "a" * 300 + "  \r\n\r\n\r\n")
    assert response.status_code == 303
    assert Comment.objects.get().text == "a" * 300


def test_refusal_keeps_the_readers_text_and_shows_the_article(client, article):
    text = "x" * 301 + ' <my words & "quotes">'
    response = post(client, article, text=text, name="Ada <Lovelace>", email="ada@example.org")
    html = response.content.decode()
    assert response.status_code == 400
    assert "no-store" in response["Cache-Control"]
    assert "Ferry Service Returns" in html  # the article's headline
    assert "The comment is 323 characters long; the limit is 300. Shorten it by 23" in html
    assert "&lt;my words &amp; &quot;quotes&quot;&gt;</textarea>" in html  # kept, escaped
    assert 'value="Ada &lt;Lovelace&gt;"' in html
    assert 'value="ada@example.org"' in html
    assert Comment.objects.count() == 0


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"text": "   \n\n  "}, "the comment is empty"),
        ({"name": "  "}, "Give a name"),
        ({"email": "not-an-address"}, "valid email"),
    ],
)
def test_bad_input_gets_a_clear_400(client, article, fields, message):
    response = post(client, article, **fields)
    assert response.status_code == 400
    assert message in response.content.decode()


def test_without_javascript_success_redirects_back_to_the_comment(client, article):
    response = post(client, article)
    comment = Comment.objects.get()
    assert comment.status == Status.PUBLISHED
    assert response.status_code == 303
    assert response["Location"] == f"{article.url}?comment=published#comment-{comment.pk}"
    page = client.get(response["Location"].split("#")[0]).content.decode()
    assert "Thank you. Your comment is published." in page
    assert f'id="comment-{comment.pk}"' in page


def test_pre_moderated_comment_waits_and_the_reader_is_told(client, article, site_settings):
    site_settings.moderation = "pre"
    site_settings.save()
    response = post(client, article)
    assert response["Location"] == f"{article.url}?comment=pending#comments"
    assert Comment.objects.get().status == Status.PENDING
    page = client.get(f"{article.url}?comment=pending").content.decode()
    assert "will appear once a moderator has read it" in page
    assert "A thoughtful remark." not in page


def test_with_javascript_answers_in_json(client, article):
    response = post(client, article, json=True, text="Line one\nLine <two>")
    assert response.status_code == 201
    body = response.json()
    assert body["ok"] and body["status"] == "published" and body["count"] == 1
    assert "Line one<br>Line &lt;two&gt;" in body["html"]

    refused = post(client, article, json=True, text="y" * 301)
    assert refused.status_code == 400
    assert refused.json()["code"] == "invalid"
    assert "the limit is 300" in refused.json()["message"]


def test_closed_articles_refuse_and_keep_the_text(client, article, site_settings):
    article.comment_policy = "closed"
    article.save_revision().publish()
    response = post(client, article, text="Too late?")
    assert response.status_code == 403
    html = response.content.decode()
    assert "Comments on this article are closed." in html and "Too late?</textarea>" in html
    assert Comment.objects.count() == 0


def test_article_policy_overrides_the_site_default(client, article, site_settings):
    site_settings.moderation = "closed"
    site_settings.save()
    assert post(client, article).status_code == 403
    article.comment_policy = "post"
    article.save_revision().publish()
    assert post(client, article).status_code == 303


def test_comments_close_by_themselves_after_n_days(client, home, site_settings):
    site_settings.close_after_days = 3
    site_settings.save()
    published = timezone.now()
    article = ArticleFactory(first_published_at=published)
    with time_machine.travel(published + timedelta(days=2, hours=23), tick=False):
        assert post(client, article).status_code == 303
    with time_machine.travel(published + timedelta(days=3, minutes=1), tick=False):
        response = post(client, article, text="Another thought.")
        assert response.status_code == 403
        assert "closed" in client.get(article.url).content.decode()


@pytest.mark.parametrize(
    ("fields", "reason"),
    [
        ({"text": "Cheap pills at https://spam.example.com"}, "link"),
        ({"text": "Best deals on www.example.org"}, "link"),
        ({"text": "What a CAFÉ this is"}, "watched words: cafe"),
        ({"text": "this is Nonsense, truly"}, "watched words: nonsense"),
        ({"stamp": ""}, "form stamp missing or invalid"),
        ({"stamp": "1:2:forged"}, "form stamp missing or invalid"),
    ],
)
def test_rules_hold_a_comment_for_review(client, article, site_settings, fields, reason):
    site_settings.watched_words = "cafe\nnonsense\n"
    site_settings.save()
    response = post(client, article, **fields)
    assert response["Location"].endswith("?comment=pending#comments")
    comment = Comment.objects.get()
    assert comment.status == Status.PENDING
    assert reason in comment.held_for


def test_the_same_text_posted_again_is_held(client, article):
    post(client, article, text="First!")
    other = ArticleFactory(parent=article.get_parent())
    post(client, other, text="  first ", name="Someone else")
    first, second = Comment.objects.order_by("pk")
    assert first.status == Status.PUBLISHED
    assert second.status == Status.PENDING and second.held_for == "same text posted before"
    assert second.received_as == Status.PENDING and second.published_at is None


def test_a_repeat_held_for_another_reason_too_names_both(client, article):
    post(client, article, text="See https://example.org")
    post(client, article, text="see https://example.org ", name="Someone else")
    first, second = Comment.objects.order_by("pk")
    assert first.status == second.status == Status.PENDING
    assert first.held_for == "link"
    assert second.held_for == "link; same text posted before"


def test_a_repeat_is_not_purged_and_waits_for_a_moderator(
    client, article, purged, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        assert post(client, article, json=True, text="Once.").json()["status"] == "published"
    purged.clear()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        answer = post(client, article, json=True, text="once")
    assert answer.status_code == 201 and answer.json()["status"] == "pending"
    assert "count" not in answer.json() and purged == []
    assert Comment.objects.filter(status=Status.PENDING).count() == 1
    assert callbacks  # the moderators' notice, after the commit


@pytest.mark.parametrize(
    "fields",
    [
        {"website": "http://bot.example"},
        {"stamp": rules.make_stamp(0)},  # replaced below by a fresh stamp of the article
    ],
)
def test_honeypot_and_speed_mark_spam_silently(client, article, fields):
    if "stamp" in fields:
        fields = {"stamp": rules.make_stamp(article.pk)}  # served just now: too fast
    response = post(client, article, **fields)
    # The bot is told what a held comment's author is told, and learns nothing.
    assert response["Location"].endswith("?comment=pending#comments")
    assert Comment.objects.get().status == Status.SPAM


def test_no_minimum_time_when_the_site_turns_it_off(client, article, site_settings):
    site_settings.min_seconds_to_submit = 0
    site_settings.save()
    post(client, article, stamp=rules.make_stamp(article.pk))
    assert Comment.objects.get().status == Status.PUBLISHED


# --- cross-site requests -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "headers",
    [
        {"HTTP_ORIGIN": "https://evil.example", "HTTP_SEC_FETCH_SITE": "cross-site"},
        {"HTTP_ORIGIN": "https://evil.example", "HTTP_SEC_FETCH_SITE": ""},
        {"HTTP_ORIGIN": "http://testserver", "HTTP_SEC_FETCH_SITE": "same-site"},
        {"HTTP_ORIGIN": "null", "HTTP_SEC_FETCH_SITE": ""},
        {"HTTP_ORIGIN": "https://testserver"},  # another scheme is another origin
        {"HTTP_REFERER": "https://evil.example/page"},
    ],
)
def test_cross_site_posts_are_refused(client, article, headers):
    extra = {"HTTP_ORIGIN": "", "HTTP_SEC_FETCH_SITE": ""} | headers
    clean = {key: value for key, value in extra.items() if value}
    url = f"/comments/{article.pk}/post/"
    response = client.post(url, form_data(article), **clean)
    assert response.status_code == 403
    assert Comment.objects.count() == 0


def test_a_post_without_origin_or_referer_is_refused(client, article):
    response = client.post(f"/comments/{article.pk}/post/", form_data(article))
    assert response.status_code == 403


def test_same_origin_by_referer_alone_is_accepted(client, article):
    url = f"/comments/{article.pk}/post/"
    response = client.post(url, form_data(article), HTTP_REFERER=f"http://testserver{article.url}")
    assert response.status_code == 303


def test_other_views_keep_djangos_csrf_check(article):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    assert strict.post("/admin/login/", {"username": "x", "password": "y"}).status_code == 403
    # ... while the comment endpoint relies on its origin check, not on a token.
    response = strict.post(
        f"/comments/{article.pk}/post/", form_data(article), HTTP_ORIGIN="http://testserver"
    )
    assert response.status_code == 303


def test_get_is_not_allowed(client, article):
    assert client.get(f"/comments/{article.pk}/post/").status_code == 405


def test_unknown_or_unpublished_article_is_404(client, article):
    assert post(client, article).status_code == 303
    article.unpublish()
    assert post(client, article, text="Again").status_code == 404


# --- rate limits -------------------------------------------------------------------------------


def test_rate_limit_per_minute_and_per_hour_keeps_the_text(client, article, site_settings):
    site_settings.per_minute, site_settings.per_hour = 2, 4
    site_settings.save()
    start = _just_after_the_hourly_window_turns(rules.client_hash("127.0.0.1"))
    with time_machine.travel(start, tick=False):
        assert post(client, article, text="one").status_code == 303
        assert post(client, article, text="two").status_code == 303
        limited = post(client, article, text="three, kept")
        assert limited.status_code == 429
        assert limited["Retry-After"] == "60"
        html = limited.content.decode()
        assert "Wait a minute" in html and "three, kept</textarea>" in html
        # Another reader is not limited by this one.
        other = post(client, article, text="other", headers={"REMOTE_ADDR": "198.51.100.7"})
        assert other.status_code == 303
    with time_machine.travel(start + timedelta(minutes=2), tick=False):
        assert post(client, article, text="three").status_code == 303
        # Refused attempts count too: one, two, three (refused), three again, four.
        assert post(client, article, text="four").status_code == 429
    assert Comment.objects.count() == 4


def _just_after_the_hourly_window_turns(client: str) -> datetime:
    """django-ratelimit's windows are fixed, shifted per client; start a test right after this
    client's hourly window turns, so that minutes later it is still the same window."""
    now = int(timezone.now().timestamp())
    base = now - now % 3600
    return datetime.fromtimestamp(base + zlib.crc32(client.encode()) % 3600 + 1, tz=UTC)


def test_rate_limit_counts_live_in_the_shared_default_cache(client, article, site_settings):
    """django-ratelimit keeps its counters in the default cache: Redis in production, so every
    app process sees the same counts. Emptying that cache empties the counts."""
    from django.conf import settings

    assert getattr(settings, "RATELIMIT_USE_CACHE", "default") == "default"
    site_settings.per_minute = 1
    site_settings.save()
    with time_machine.travel(timezone.now(), tick=False):
        assert post(client, article, text="one").status_code == 303
        assert post(client, article, text="two").status_code == 429
        caches["default"].clear()
        assert post(client, article, text="three").status_code == 303


def test_no_raw_address_is_stored(client, article):
    post(client, article, headers={"REMOTE_ADDR": "203.0.113.45"})
    row = Comment.objects.values().get()
    assert not any("203.0.113.45" in str(value) for value in row.values())
    assert row["client_hash"] == rules.client_hash("203.0.113.45")


# --- cost --------------------------------------------------------------------------------------


def _post_queries(client, article, **fields) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = post(client, article, **fields)
    assert response.status_code == 303
    return len(queries)


def test_posting_costs_a_bounded_number_of_queries(client, article, site_settings):
    site_settings.watched_words = "\n".join(f"word{n}" for n in range(200))
    site_settings.save()
    client.get(article.url)  # the site and its settings are shared parts, read as the page does
    assert post(client, article, text="warm the article's part").status_code == 303
    first = _post_queries(client, article, text="first comment", headers={"REMOTE_ADDR": "1.2.3.5"})
    for n in range(30):
        Comment.objects.create(
            article=article, author_name=f"R{n}", text=f"old {n}", status="published"
        )
    later = _post_queries(client, article, text="later comment", headers={"REMOTE_ADDR": "1.2.3.4"})
    assert later == first
    # The insert with its repeat check (one statement, no transaction of its own), the
    # comment's page; the article, the site and its settings from the cache.
    assert first <= 2, f"posting made {first} queries"


def test_a_post_reads_the_cache_once_before_it_writes(client, article, monkeypatch):
    """The site, the article and the site's parts (comment settings, the answer's zone) in
    one round trip, once this process has seen the host's site; the answer's time still in
    the site's zone."""
    from gazette.comments import lookups
    from gazette.core import generational

    identity = SiteIdentity.for_site(article.get_site())
    identity.time_zone = "Pacific/Auckland"
    identity.save()
    assert post(client, article, json=True, text="warm").status_code == 201
    reads = []
    get_many_with = generational._get_many_with

    def counted(keys, redis_reads):
        if keys:
            reads.append(keys)
        return get_many_with(keys, redis_reads)

    monkeypatch.setattr(generational, "_get_many_with", counted)
    with time_machine.travel(datetime(2026, 3, 1, 12, 0, tzinfo=UTC), tick=False):
        answer = post(client, article, json=True, text="second")
    assert answer.status_code == 201
    assert len(reads) == 1, reads
    assert 'datetime="2026-03-02T01:00:00+13:00"' in answer.json()["html"]
    # A host whose site this process has not seen: the parts in a second round trip.
    reads.clear()
    lookups._site_of_host.clear()
    assert post(client, article, json=True, text="third").status_code == 201
    assert len(reads) == 2, reads
    # A wrong guess (the host answers another site now): the right site's parts, read again.
    reads.clear()
    for host in lookups._site_of_host:
        lookups._site_of_host[host] = Site(pk=article.get_site().pk + 100)
    with time_machine.travel(datetime(2026, 3, 1, 12, 0, tzinfo=UTC), tick=False):
        answer = post(client, article, json=True, text="fourth")
    assert len(reads) == 2, reads
    assert 'datetime="2026-03-02T01:00:00+13:00"' in answer.json()["html"]


def test_a_published_comment_purges_the_articles_page_alone(
    client, article, purged, django_capture_on_commit_callbacks
):
    """No other page shows comments: the home page, section, authors' pages and feeds stay."""
    with django_capture_on_commit_callbacks(execute=True):
        assert post(client, article, json=True).status_code == 201
    assert purged == [article.full_url]
    purged.clear()
    with django_capture_on_commit_callbacks(execute=True):
        post(client, article, json=True, text="See https://example.com")  # held: not shown
    assert purged == []


def test_settings_saved_between_two_posts_apply_to_the_second(client, article, site_settings):
    """Posting reads the comment settings from the shared parts: saving them retires those."""
    assert post(client, article, json=True).json()["status"] == "published"
    site_settings.moderation = "pre"
    site_settings.save()
    assert post(client, article, json=True, text="Second").json()["status"] == "pending"
    site_settings.moderation = "closed"
    site_settings.save()
    assert post(client, article, json=True, text="Third").status_code == 403


def test_the_article_kept_for_posting_follows_its_changes(client, article):
    """Posting reads the article from the shared parts: a new revision (comments closed on
    it), a view restriction, an unpublish retire them, so the next post sees the change."""
    assert post(client, article, json=True).json()["status"] == "published"
    article.comment_policy = "closed"
    article.save_revision().publish()
    assert post(client, article, json=True, text="Second").status_code == 403
    article.comment_policy = "pre"
    article.save_revision().publish()
    assert post(client, article, json=True, text="Third").json()["status"] == "pending"
    PageViewRestriction.objects.create(page=article.get_parent(), restriction_type="login")
    assert post(client, article, json=True, text="Fourth").status_code == 404


def test_the_answers_count_is_the_count_readers_see(client, article):
    """The count in the answer (one fixed statement) counts what ``shown()`` counts: published
    comments, and published replies under a published comment only."""
    thread = Comment.objects.create(article=article, author_name="A", text="t", status="published")
    taken_down = Comment.objects.create(
        article=article, author_name="B", text="u", status="rejected"
    )
    for parent, status in [(thread, "published"), (thread, "pending"), (taken_down, "published")]:
        Comment.objects.create(
            article=article, parent=parent, author_name="C", text="r", status=status
        )
    other = ArticleFactory(parent=article.get_parent())
    Comment.objects.create(article=other, author_name="D", text="v", status="published")
    body = post(client, article, json=True).json()
    assert body["count"] == Comment.objects.shown().on(article).count() == 3
    assert Comment.objects.shown_count(other.pk) == 1
    # A reply's answer too (on PostgreSQL counted in the INSERT's own statement).
    body = post(client, article, json=True, parent=thread.pk, text="A reply.").json()
    assert body["count"] == Comment.objects.shown().on(article).count() == 4


def test_the_answers_html_is_the_comment_as_the_list_shows_it(client, article, site_settings):
    """Rendered without the request: the newsroom's time zone, the reply link, the report
    form, links when the site makes them clickable."""
    site_settings.links_clickable = True
    site_settings.watched_words = ""
    site_settings.save()
    SiteIdentity.objects.create(site=site_settings.site, time_zone="Asia/Seoul")
    with time_machine.travel(datetime(2026, 7, 1, 12, 0, tzinfo=UTC), tick=False):
        html = post(client, article, json=True, text="Good <b>point</b>").json()["html"]
    comment = Comment.objects.get(text="Good <b>point</b>")
    assert f'id="comment-{comment.pk}"' in html
    assert "Good &lt;b&gt;point&lt;/b&gt;" in html
    assert f'href="/comments/{comment.pk}/reply/"' in html
    assert f'action="/comments/report/{comment.pk}/"' in html
    assert '<time datetime="2026-07-01T21:00:00+09:00">' in html  # the newsroom's zone


@pytest.mark.parametrize("links", [False, True])
@pytest.mark.parametrize("language", ["en", "ko"])
@pytest.mark.parametrize("zone", ["UTC", "Asia/Seoul"])
def test_the_answers_html_from_kept_markup_is_the_templates(article, links, language, zone):
    """``posted_comment_html`` fills the template's kept markup with the comment's own id,
    name, time and text: the same HTML as rendering comments/comment.html, for a comment
    and a reply, whatever a reader wrote (markup, the slots' own names, the stand-in id)."""
    from django.utils import translation

    from gazette.comments.presentation import (
        _ID_SLOT,
        _NAME_SLOT,
        _SENTINEL_ID,
        _TEXT_SLOT,
        _TIME_SLOT,
        _comment_template_html,
        posted_comment_html,
    )

    thread = Comment.objects.create(article=article, author_name="T", text="t", status="published")
    slots = f"{_ID_SLOT} {_NAME_SLOT} {_TEXT_SLOT} {_TIME_SLOT} {_SENTINEL_ID}"
    writers = [
        ("Ada", "A thoughtful remark."),
        ('Ada <Lovelace> & "Co"', "Good <b>point</b>\nsee https://example.org/x?a=1&b=2"),
        (f"{_NAME_SLOT} {_TEXT_SLOT}", slots + "\n" + slots),  # a name fits in 60
    ]
    with translation.override(language), timezone.override(zoneinfo.ZoneInfo(zone)):
        for name, text in writers:
            for parent in (None, thread):
                comment = Comment.objects.create(
                    article=article,
                    parent=parent,
                    author_name=name,
                    text=text,
                    status="published",
                    created_at=datetime(2026, 3, 29, 0, 59, 59, tzinfo=UTC),
                )
                expected = _comment_template_html(comment, links)
                assert posted_comment_html(comment, links=links) == expected
                assert f'id="comment-{comment.pk}"' in expected


def test_the_kept_markup_is_built_once_for_every_post_of_a_kind(client, article):
    """Kept per zone by its name: the zone made current for each request is a new object."""
    from gazette.comments.presentation import _posted_comment_skeleton

    _posted_comment_skeleton.cache_clear()
    for text in ("First remark.", "Second remark.", "Third remark."):
        assert post(client, article, json=True, text=text).status_code == 201
    assert _posted_comment_skeleton.cache_info().misses == 1


def test_a_published_comment_is_purged_before_the_answer_and_queues_no_task(
    client, article, settings, monkeypatch, django_capture_on_commit_callbacks
):
    """The reader's next load shows the comment: the PURGE reaches the cache before the post
    is answered, from the request itself; no task row for a worker to poll and claim."""
    from wagtail.contrib.frontend_cache import tasks

    from tests.news.test_purge import KeepAliveNginx

    class QueueRecorder:  # where Wagtail's purge_urls_from_cache enqueues
        queued: list = []

        def enqueue(self, *args, **kwargs):
            self.queued.append(args)

    server = ThreadingHTTPServer(("127.0.0.1", 0), KeepAliveNginx)
    server.daemon_threads = True
    serve_in_background(server)
    KeepAliveNginx.connections, KeepAliveNginx.seen = 0, []
    KeepAliveNginx.answers_per_connection = 0
    location = f"http://127.0.0.1:{server.server_address[1]}/_purge"
    settings.WAGTAILFRONTENDCACHE = {
        "nginx": {"BACKEND": "gazette.core.purge.NginxPurgeBackend", "LOCATION": location}
    }
    monkeypatch.setattr(tasks, "purge_urls_from_cache_task", QueueRecorder())
    try:
        for text in ("First remark.", "Second remark."):
            with django_capture_on_commit_callbacks(execute=True):
                assert post(client, article, json=True, text=text).status_code == 201
    finally:
        server.shutdown()
        server.server_close()
    assert KeepAliveNginx.seen == [f"/_purge{article.url}"] * 2
    assert QueueRecorder.queued == []


def test_a_post_reads_the_articles_address_from_the_kept_article(
    client, article, settings, monkeypatch, django_capture_on_commit_callbacks
):
    """The purge and the redirect work out the article's address from the sites' root paths
    kept with the article, not from Wagtail's cache on every post; a Site saved retires the
    kept article, so the next post purges the new address."""
    from wagtail.models import Site

    from gazette.core.purge import NginxPurgeBackend

    purged = []
    monkeypatch.setattr(NginxPurgeBackend, "purge", lambda self, url: purged.append(url))
    settings.WAGTAILFRONTENDCACHE = {
        "nginx": {"BACKEND": "gazette.core.purge.NginxPurgeBackend", "LOCATION": "http://c/_p"}
    }
    with django_capture_on_commit_callbacks(execute=True):
        assert post(client, article, json=True, text="First remark.").status_code == 201
    reads = []
    real = Site.get_site_root_paths
    monkeypatch.setattr(Site, "get_site_root_paths", lambda: reads.append(1) or real())
    with django_capture_on_commit_callbacks(execute=True):
        assert post(client, article, text="Second remark.").status_code == 303
    assert reads == []
    site = Site.objects.get(is_default_site=True)
    site.hostname, site.port = "news.example.org", 8080
    site.save()
    with django_capture_on_commit_callbacks(execute=True):
        assert post(client, article, json=True, text="Third remark.").status_code == 201
    assert purged == [article.full_url] * 2 + [f"http://news.example.org:8080{article.url}"]


def test_a_post_succeeds_when_the_cache_cannot_be_reached(
    client, article, settings, caplog, django_capture_on_commit_callbacks
):
    settings.WAGTAILFRONTENDCACHE = {
        "nginx": {
            "BACKEND": "gazette.core.purge.NginxPurgeBackend",
            "LOCATION": "http://127.0.0.1:9/_purge",  # nothing listens: refused
            "TIMEOUT": 1,
        }
    }
    with django_capture_on_commit_callbacks(execute=True):
        answer = post(client, article, json=True)
    assert answer.status_code == 201
    assert Comment.objects.get().status == Status.PUBLISHED
    errors = [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]
    assert any("Couldn't purge" in e and article.url in e for e in errors), errors


def test_the_repeat_check_finds_what_the_orm_finds():
    """``posted_since`` (one fixed statement) answers as the ORM's filter does: the same
    text within the window, to the microsecond at its edge, and nothing else."""
    article = ArticleFactory()
    posted_at = datetime(2026, 7, 1, 12, 0, 0, 250000, tzinfo=UTC)
    mark = rules.fingerprint("The same remark.")
    Comment.objects.create(
        article=article,
        author_name="A",
        text="The same remark.",
        fingerprint=mark,
        created_at=posted_at,
    )
    other = rules.fingerprint("Another remark.")
    for fingerprint in (mark, other):
        for since in (
            posted_at - timedelta(hours=24),
            posted_at,
            posted_at + timedelta(microseconds=1),
            posted_at.astimezone(zoneinfo.ZoneInfo("Asia/Seoul")),
        ):
            expected = Comment.objects.filter(
                fingerprint=fingerprint, created_at__gte=since
            ).exists()
            found = Comment.objects.posted_since(fingerprint, since)
            assert found is expected, (fingerprint, since)
    assert Comment.objects.posted_since(mark, posted_at) is True
    assert Comment.objects.posted_since(mark, posted_at + timedelta(microseconds=1)) is False


def test_the_insert_with_its_repeat_check_writes_only_what_is_new():
    """``insert(..., unless_posted_since=...)`` writes the comment, in one statement, only
    when ``posted_since`` finds nothing (to the microsecond at the window's edge); otherwise
    it writes nothing and sends no post_save."""
    from django.db.models.signals import post_save

    article = ArticleFactory()
    posted_at = datetime(2026, 7, 1, 12, 0, 0, 250000, tzinfo=UTC)
    mark = rules.fingerprint("The same remark.")
    Comment.objects.create(
        article=article, author_name="A", text="x", fingerprint=mark, created_at=posted_at
    )
    saved = []

    def listen(sender, instance, **kwargs):
        saved.append(instance.pk)

    post_save.connect(listen, sender=Comment, weak=False, dispatch_uid="test-repeat-insert")
    try:
        for fingerprint in (mark, rules.fingerprint("Another remark.")):
            for since in (
                posted_at - timedelta(hours=24),
                posted_at,
                posted_at + timedelta(microseconds=1),
                posted_at.astimezone(zoneinfo.ZoneInfo("Asia/Seoul")),
            ):
                repeat = Comment.objects.posted_since(fingerprint, since)
                comment = Comment(
                    article=article,
                    author_name="B",
                    text="y",
                    fingerprint=fingerprint,
                    created_at=posted_at + timedelta(hours=1),
                )
                before = Comment.objects.count()
                written = Comment.objects.insert(comment, unless_posted_since=since)
                if repeat:
                    assert written is None and comment.pk is None, (fingerprint, since)
                    assert Comment.objects.count() == before
                else:
                    assert written is comment and saved[-1] == comment.pk, (fingerprint, since)
                    stored = Comment.objects.get(pk=comment.pk)
                    assert (stored.fingerprint, stored.created_at) == (
                        fingerprint,
                        posted_at + timedelta(hours=1),
                    )
                    comment.delete()
    finally:
        post_save.disconnect(dispatch_uid="test-repeat-insert", sender=Comment)


def test_the_fixed_insert_stores_what_save_stores_and_sends_its_signals():
    """``Comment.objects.insert`` (one fixed statement) writes the row ``save()`` writes, every
    column, a reply's and a held one's too, and sends pre_save and post_save as ``save()`` does
    (the comments list's version follows post_save)."""
    from django.db.models.signals import post_save, pre_save

    article = ArticleFactory()
    thread = Comment.objects.create(article=article, author_name="T", text="t", fingerprint="t")
    when = datetime(2026, 3, 29, 0, 59, 59, 123456, tzinfo=UTC)

    def made(**extra):
        fields = {
            "article": article,
            "author_name": "Ada <Lovelace>",
            "email": "ada@example.org",
            "text": "Line one\nline 'two' \u00e9 😀",
            "status": Status.PUBLISHED,
            "received_as": Status.PUBLISHED,
            "held_for": "",
            "created_at": when,
            "published_at": when,
            "client_hash": "c" * 64,
            "fingerprint": "f" * 64,
        }
        return Comment(**(fields | extra))

    heard = []

    def listen(sender, instance, **kwargs):
        heard.append((kwargs["signal"], instance.pk, kwargs.get("created")))

    for signal in (pre_save, post_save):
        signal.connect(listen, sender=Comment, weak=False, dispatch_uid="test-insert")
    try:
        for extra in (
            {},
            {"parent": thread, "notify_replies": False},
            {
                "status": Status.PENDING,
                "received_as": Status.PENDING,
                "held_for": "link",
                "published_at": None,
                "notify_replies": True,
                "email": "b@example.org",
            },
        ):
            saved, inserted = made(**extra), made(**extra)
            saved.save()
            assert Comment.objects.insert(inserted) is inserted
            assert inserted.pk and inserted.pk != saved.pk and not inserted._state.adding
            stored = [Comment.objects.filter(pk=c.pk).values().get() for c in (saved, inserted)]
            assert stored[1].pop("id") == inserted.pk
            stored[0].pop("id")
            assert stored[0] == stored[1]
            assert stored[1]["created_at"] == when
    finally:
        for signal in (pre_save, post_save):
            signal.disconnect(dispatch_uid="test-insert", sender=Comment)
    assert [(s, created) for s, _, created in heard] == [
        (pre_save, None),
        (post_save, True),
        (pre_save, None),
        (post_save, True),
    ] * 3
