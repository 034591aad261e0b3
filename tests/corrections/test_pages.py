"""Notes to readers on the story (corrections at the top, updates where the site's setting
says), in its JSON-LD and the API; the corrections page and its feeds, paginated, in a fixed
number of queries."""

import json
import re
from datetime import timedelta

import feedparser
import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from wagtail.models import PageViewRestriction, Site

from gazette.corrections.models import CorrectionSettings
from gazette.corrections.views import NOTES_PER_PAGE
from gazette.news.models import ArticlePage
from tests.factories import ArticleFactory, SectionFactory, add_note

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(home):
    return SectionFactory(parent=home, title="World", slug="world")


def _notes(html: str, anchor: str) -> list[tuple[str, str]]:
    if f'id="{anchor}"' not in html:
        return []
    block = html[html.index(f'id="{anchor}"') :].split("</aside>")[0]
    kinds = re.findall(r'class="article-note__kind">([^<]+)</strong>', block)
    texts = re.findall(r'class="article-note__text">([^<]+)</p>', block)
    return list(zip(kinds, texts, strict=True))


def test_notes_show_on_the_story_corrections_first_and_updates_as_the_setting_says(world, client):
    story = ArticleFactory(parent=world)
    story = add_note(story, "The vote is on 4 May.")
    story = add_note(story, "Polls have closed.", kind="update")
    story = add_note(story, "This story was reported from Kyiv.", kind="editors-note")
    html = client.get(story.url).content.decode()
    assert _notes(html, "article-notes") == [
        ("Correction", "The vote is on 4 May."),
        ("Update", "Polls have closed."),
        ("Editor&#x27;s note", "This story was reported from Kyiv."),
    ]
    # The notes come before the story's first paragraph.
    assert html.index('id="article-notes"') < html.index("First paragraph.")
    assert _notes(html, "article-updates") == []

    CorrectionSettings.objects.create(
        site=Site.objects.get(is_default_site=True), updates_position="bottom"
    )
    html = client.get(story.url).content.decode()
    assert _notes(html, "article-updates") == [("Update", "Polls have closed.")]
    assert html.index('id="article-updates"') > html.index("Second.")
    assert ("Update", "Polls have closed.") not in _notes(html, "article-notes")
    assert re.search(r'<time datetime="[^"]+">\w+\.? \d+, \d{4}, \d\d:\d\d UTC</time>', html)


def test_the_json_ld_carries_corrections_and_the_latest_change(world, client):
    story = ArticleFactory(parent=world)
    moment = timezone.now() + timedelta(hours=3)
    with time_machine.travel(moment, tick=False):
        story = add_note(story, "Wrong date.")
    story = add_note(story, "More to come.", kind="update")
    html = client.get(story.url).content.decode()
    (script,) = re.findall(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    (article,) = [node for node in json.loads(script)["@graph"] if node["@type"] == "NewsArticle"]
    assert article["correction"] == [
        {
            "@type": "CorrectionComment",
            "text": "Wrong date.",
            "datePublished": moment.isoformat(timespec="seconds").replace("+00:00", "+00:00"),
        }
    ]
    # The newest change: the note (timed in the future here) is newer than the last publish.
    assert ArticlePage.objects.get(pk=story.pk).last_published_at < moment
    assert article["dateModified"] == moment.isoformat(timespec="seconds")
    assert "CorrectionComment" not in client.get(ArticleFactory(parent=world).url).content.decode()


def test_the_api_gives_each_article_its_notes(world, client):
    story = add_note(ArticleFactory(parent=world, title="Noted"), "Wrong date.")
    ArticleFactory(parent=world, title="Plain")
    items = {item["headline"]: item for item in client.get("/api/v1/articles").json()["items"]}
    (note,) = items["Noted"]["notes"]
    assert (note["kind"], note["label"], note["text"]) == (
        "correction",
        "Correction",
        "Wrong date.",
    )
    assert note["published_at"]
    assert items["Plain"]["notes"] == []
    detail = client.get(f"/api/v1/articles/{story.pk}").json()
    assert [n["text"] for n in detail["notes"]] == ["Wrong date."]


def _page_queries(client, url) -> tuple[str, int]:
    client.get(url)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return response.content.decode(), len(queries)


def _listed(html: str) -> list[tuple[str, str]]:
    return re.findall(
        r'class="correction__headline"><a href="[^"]+#article-notes">([^<]+)</a></h2>\s*'
        r'<p class="correction__text">([^<]+)</p>',
        html,
    )


def test_the_corrections_page_lists_newest_first_what_readers_may_see(world, client):
    now = timezone.now()
    with time_machine.travel(now + timedelta(minutes=1), tick=False):
        first = add_note(ArticleFactory(parent=world, title="First"), "Old fix.")
    with time_machine.travel(now + timedelta(minutes=2), tick=False):
        add_note(ArticleFactory(parent=world, title="Second"), "Clearer now.", kind="clarification")
        add_note(first, "Only an update.", kind="update")
    private = add_note(ArticleFactory(parent=world, title="Private"), "Members' fix.")
    PageViewRestriction.objects.create(page=private, restriction_type="password", password="x")
    pulled = add_note(ArticleFactory(parent=world, title="Pulled"), "Gone with the story.")
    pulled.unpublish()
    html, few = _page_queries(client, "/corrections/")
    assert _listed(html) == [("Second", "Clearer now."), ("First", "Old fix.")]

    for n in range(6):
        add_note(ArticleFactory(parent=SectionFactory(parent=world.get_parent())), f"Fix {n}.")
    _, many = _page_queries(client, "/corrections/")
    assert few == many, (few, many)


def test_the_corrections_page_paginates(world, client):
    story = ArticleFactory(parent=world, title="Much corrected")
    for n in range(NOTES_PER_PAGE + 1):
        with time_machine.travel(timezone.now() + timedelta(minutes=n + 1), tick=False):
            story = add_note(story, f"Fix {n}.")
    first = client.get("/corrections/").content.decode()
    second = client.get("/corrections/?page=2").content.decode()
    assert len(_listed(first)) == NOTES_PER_PAGE
    assert _listed(second) == [("Much corrected", "Fix 0.")]
    assert client.get("/corrections/?page=x").status_code == 200
    assert client.post("/corrections/").status_code == 405


@pytest.mark.parametrize("kind", ["rss", "atom"])
def test_the_corrections_feeds(world, client, kind):
    story = add_note(ArticleFactory(parent=world, title="The vote"), "Wrong date.")
    add_note(story, "An update.", kind="update")
    feed = feedparser.parse(client.get(f"/corrections/{kind}.xml").content)
    assert feed.feed.title == "Gazette: corrections"
    (entry,) = feed.entries
    assert entry.title == "Correction: The vote"
    assert entry.link == f"http://localhost{story.url}#article-notes"
    assert entry.id.startswith("tag:localhost,2025:note:")
    assert "Wrong date." in entry.summary
    html = client.get("/corrections/").content.decode()
    assert f'href="/corrections/{kind}.xml"' in html


def test_the_corrections_feed_makes_a_fixed_number_of_queries(world, client):
    add_note(ArticleFactory(parent=world), "Fix.")
    _, few = _page_queries(client, "/corrections/rss.xml")
    for n in range(5):
        add_note(ArticleFactory(parent=world), f"Fix {n}.")
    _, many = _page_queries(client, "/corrections/rss.xml")
    assert few == many, (few, many)
