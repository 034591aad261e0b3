"""RSS and Atom feeds: valid, absolute, escaped, newest first, nothing unpublished, and a
fixed number of queries however many items."""

from email.utils import parsedate_to_datetime
from urllib.parse import urlsplit

import feedparser
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.distribution.conftest import HIDDEN_TITLES, add_story

pytestmark = pytest.mark.django_db

SITE_FEEDS = ["/feeds/rss.xml", "/feeds/atom.xml"]


def _parse(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    feed = feedparser.parse(response.content)
    assert not feed.bozo, f"{url}: {feed.get('bozo_exception')}"
    return response, feed


def _is_absolute(url: str) -> bool:
    parts = urlsplit(url)
    return parts.scheme in ("http", "https") and bool(parts.netloc)


@pytest.mark.parametrize("url", SITE_FEEDS)
def test_site_feed_is_valid_and_lists_only_published_stories_newest_first(newsroom, client, url):
    response, feed = _parse(client, url)
    expected_type = "application/rss+xml" if "rss" in url else "application/atom+xml"
    assert response["Content-Type"].startswith(expected_type)
    assert feed.version == ("rss20" if "rss" in url else "atom10")

    titles = [entry.title for entry in feed.entries]
    assert titles == [story.title for story in newsroom.published]
    for hidden in HIDDEN_TITLES:
        assert hidden not in titles

    # Escaping survives the round trip: the reader sees the headline as typed.
    assert titles[0] == 'Soldiers <flee> & "run" across the border'
    assert b"<flee>" not in response.content

    guids = [entry.id for entry in feed.entries]
    assert len(set(guids)) == len(guids)
    assert guids[0] == f"tag:localhost,2025:article:{newsroom.published[0].pk}"

    assert _is_absolute(feed.feed.link)
    self_links = [link.href for link in feed.feed.links if link.rel == "self"]
    assert self_links == [f"http://localhost{url}"]
    for entry, story in zip(feed.entries, newsroom.published, strict=True):
        assert entry.link == f"http://localhost{story.url}"
        published = entry.get("published_parsed")
        assert published is not None
        assert published[:6] == story.first_published_at.utctimetuple()[:6]
        assert entry.summary == story.standfirst


def test_rss_dates_and_guids_follow_the_rss_rules(newsroom, client):
    body = client.get("/feeds/rss.xml").content.decode()
    # RFC 822 dates that a strict parser reads back; GUIDs that are not URLs say so.
    for raw in body.split("<pubDate>")[1:]:
        assert parsedate_to_datetime(raw.split("</pubDate>")[0]).tzinfo is not None
    assert body.count('<guid isPermaLink="false">tag:') == len(newsroom.published)
    assert 'xmlns:atom="http://www.w3.org/2005/Atom"' in body


def test_atom_entries_name_every_author_or_the_publication(newsroom, client):
    _, feed = _parse(client, "/feeds/atom.xml")
    first = feed.entries[0]
    assert first.author == "Daniel Kim and Mina Lee"
    assert first.author_detail.href == "http://localhost/authors/daniel-kim/"
    assert feed.feed.author == "Gazette"
    assert [tag.term for tag in first.tags] == ["World"]


def test_section_and_author_feeds_hold_only_their_stories(newsroom, client):
    _, world = _parse(client, "/feeds/sections/world/rss.xml")
    assert [entry.title for entry in world.entries] == [
        newsroom.published[0].title,
        newsroom.published[2].title,
    ]
    assert world.feed.title == "Gazette: World"
    assert world.feed.link == "http://localhost/world/"

    _, lee = _parse(client, "/feeds/authors/mina-lee/atom.xml")
    assert [entry.title for entry in lee.entries] == [
        newsroom.published[0].title,
        newsroom.published[1].title,
    ]
    assert lee.feed.link == "http://localhost/authors/mina-lee/"


@pytest.mark.parametrize(
    "url",
    [
        "/feeds/sections/nowhere/rss.xml",
        "/feeds/authors/nobody/atom.xml",
        "/feeds/sections/daniel-kim/rss.xml",
    ],
)
def test_unknown_section_or_author_is_a_404(newsroom, client, url):
    assert client.get(url).status_code == 404


def test_summary_feeds_leave_the_body_out(newsroom, client, settings):
    settings.GAZETTE_FEED_FULL_TEXT = False
    _, feed = _parse(client, "/feeds/atom.xml")
    assert "content" not in feed.entries[0]
    assert b"content:encoded" not in client.get("/feeds/rss.xml").content


@pytest.mark.parametrize("url", SITE_FEEDS)
def test_full_text_feeds_carry_the_story_with_absolute_links(newsroom, client, settings, url):
    settings.GAZETTE_FEED_FULL_TEXT = True
    _, feed = _parse(client, url)
    html = feed.entries[0].content[0].value
    assert 'They fled <a href="http://localhost/world/">north</a>.' in html
    assert "At the river — Image: Getty" in html
    assert "We &lt;ran&gt;" in html  # a quote is text, not markup
    assert '<a href="https://video.example.org/watch/1">' in html  # embeds become links
    sources = [part.split('"')[0] for part in html.split('src="')[1:]]
    assert len(sources) == 2  # lead image and the inline one
    assert all(_is_absolute(src) and "/media/" in src for src in sources)
    assert feed.entries[0].summary == newsroom.published[0].standfirst


def test_control_characters_in_a_headline_do_not_break_the_feed(newsroom, client):
    add_story(newsroom.world, minutes_ago=1, title="Bell\x07 and vertical\x0b tab")
    _, feed = _parse(client, "/feeds/rss.xml")
    assert feed.entries[0].title == "Bell and vertical tab"


def _queries(client, url) -> int:
    client.get(url)  # warm per-process caches
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


@pytest.mark.parametrize("full_text", [False, True])
def test_feeds_make_a_fixed_number_of_queries(newsroom, client, settings, full_text):
    settings.GAZETTE_FEED_FULL_TEXT = full_text
    urls = [
        "/feeds/rss.xml",
        "/feeds/sections/world/atom.xml",
        "/feeds/authors/daniel-kim/rss.xml",
    ]
    before = [_queries(client, url) for url in urls]
    for minutes in range(8):
        add_story(
            newsroom.world,
            minutes_ago=minutes + 1,
            authors=[newsroom.kim, newsroom.lee],
            body=[
                (
                    "paragraph",
                    f'<p>Link to <a linktype="page" id="{newsroom.lifestyle.pk}">x</a></p>',
                ),
                ("image", {"image": newsroom.published[0].lead_image, "caption": ""}),
            ],
        )
    after = [_queries(client, url) for url in urls]
    assert after == before
    assert max(after) <= 14, after  # site, settings, restrictions, items, authors, images, links
