"""The article page: its parts, its lists and a query count that does not grow."""

import re
from datetime import timedelta

import pytest
from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from gazette.news.models import ArticlePage
from tests.factories import (
    ArticleFactory,
    AuthorFactory,
    ImageFactory,
    SectionFactory,
    make_curated_list,
)

pytestmark = pytest.mark.django_db

# With every cache warm, no query: the article itself, found by its address with its section,
# lead image, authors, tags, the lead image's renditions, its public notes and whether a view
# restriction applies, is kept in the shared parts (gazette.news.routing: the restrictions are
# no longer read per render); the lead image and the body, with the body's images and their
# renditions, are HTML from the shared parts (gazette.news.own_part), the page of comments from
# the cache (gazette.comments.fragments), the view count's stored total is kept until the next
# flush of views (gazette.analytics.services.STORED_VIEWS; it was the last query per render).
WARM_ARTICLE_QUERIES = 0
# Finding the article by its address when the shared parts do not hold it: one query with its
# section and lead image (the site from the cache), its authors, its tags, the lead image's
# renditions, its public notes (gazette.corrections), its view restrictions.
ARTICLE_ROUTING_QUERIES = 6
# After any change to the content (a new generation of the shared parts): also the article
# found again (above), the site (its
# cached lookup belongs to the old generation), the menu, Latest Stories and Must-Reads (a list
# each: the view restrictions are inside the query), the site identity, the comment settings,
# the correction settings, the body's images and their renditions (the article's own part is
# rendered again), the page of comments with their count (its cached list belongs
# to the old generation), the newsletters offered by the subscribe form and the breaking-news
# banner (gazette.newsletters). Not the view count: a change of content leaves it.
CHANGED_ARTICLE_QUERIES = WARM_ARTICLE_QUERIES + ARTICLE_ROUTING_QUERIES + 12
# On an empty cache: also Wagtail's site root paths, You May Also Like (the list and its
# renditions), Popular Now (the views, the list, its renditions), the site root paths' translations
# (Wagtail, with locales on), the list of locales (gazette.core.editions) and the view count's
# stored total.
COLD_ARTICLE_QUERIES = CHANGED_ARTICLE_QUERIES + 9


def _render(client, article) -> tuple[str, int]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(article.url)
    assert response.status_code == 200
    return response.content.decode(), len(queries)


def _newsroom(home, *, name: str, teasers: int, authors: int, images: int):
    """One article with the given number of authors and body images, and `teasers` other
    stories in its section and in Must-Reads."""
    section = SectionFactory(parent=home, title=name, slug=name.lower())
    others = [
        ArticleFactory(parent=section, lead_image=ImageFactory(small=True)) for _ in range(teasers)
    ]
    body = []
    for number in range(images):
        body += [
            ("paragraph", f"<p>Paragraph {number}.</p>"),
            ("image", {"image": ImageFactory(small=True)}),
        ]
    article = ArticleFactory(
        parent=section,
        lead_image=ImageFactory(),
        body=body,
        authors=[AuthorFactory() for _ in range(authors)],
        first_published_at=timezone.now(),
    )
    make_curated_list("must-reads", others)
    # Renditions are made when an article is published; make them as publishing would.
    from gazette.news.renditions import generate_renditions

    for page in [article, *others]:
        generate_renditions(page)
    return article


def test_query_count_is_fixed_on_a_warm_and_on_a_cold_cache(home, client):
    small = _newsroom(home, name="Small", teasers=1, authors=1, images=1)
    cache.clear()
    _, small_cold = _render(client, small)
    _, small_warm = _render(client, small)

    large = _newsroom(home, name="Large", teasers=8, authors=3, images=5)
    _, large_changed = _render(client, small)  # the new stories retired the shared parts
    cache.clear()
    _, large_cold = _render(client, large)
    html, large_warm = _render(client, large)

    assert html.count('class="figure article__inline-image"') == 5
    assert html.count('rel="author"') == 3 * 2  # byline and author box
    assert html.count('class="teaser__headline"') >= 6 + 5  # Latest Stories, Must-Reads
    # A query inside a loop, or a shared part read on every render, breaks these at once.
    assert small_warm == large_warm == WARM_ARTICLE_QUERIES
    assert large_changed == CHANGED_ARTICLE_QUERIES
    assert small_cold == large_cold == COLD_ARTICLE_QUERIES


def test_article_page_shows_its_parts(home, client):
    author = AuthorFactory(name="Daniel Kim", slug="daniel-kim", email="content@viewusglobal.com")
    section = SectionFactory(parent=home, title="World", slug="world")
    lead = ImageFactory(credit="Korean Central News Agency", caption="Soldiers on parade")
    article = ArticleFactory(
        parent=section, title="A headline <with> markup", authors=[author], lead_image=lead
    )
    html, _ = _render(client, article)
    assert "<title>A headline &lt;with&gt; markup | Gazette</title>" in html
    assert re.search(r"<h1[^>]*>A headline &lt;with&gt; markup</h1>", html)
    assert '<a href="/authors/daniel-kim/" rel="author" dir="auto">Daniel Kim</a>' in html
    assert '<a href="mailto:content@viewusglobal.com">content@viewusglobal.com</a>' in html
    assert "Korean Central News Agency" in html and "Soldiers on parade" in html
    skip_links = re.findall(r'class="skip-link" href="(#[\w-]+)"', html)
    assert skip_links == ["#site-navigation", "#main-content", "#site-footer"]
    assert 'id="main-content"' in html and 'id="site-navigation"' in html
    assert 'id="site-footer"' in html


def test_latest_stories_are_the_six_newest_live_of_the_section(home, client):
    world = SectionFactory(parent=home, title="World", slug="world")
    elsewhere = SectionFactory(parent=home, title="Lifestyle", slug="lifestyle")
    now = timezone.now()
    article = ArticleFactory(parent=world, first_published_at=now)
    stories = [
        ArticleFactory(
            parent=world, title=f"World {n}", first_published_at=now - timedelta(hours=n)
        )
        for n in range(1, 9)
    ]
    ArticleFactory(parent=world, title="Draft story", live=False)
    ArticleFactory(parent=elsewhere, title="Lifestyle story", first_published_at=now)

    latest = list(article.latest_in_section())
    assert [a.title for a in latest] == [s.title for s in stories[:6]]
    html, _ = _render(client, article)
    latest_block = html[html.index('id="latest-stories-heading"') :].split("</section>")[0]
    assert "Draft story" not in html
    assert "Lifestyle story" not in latest_block and "World 7" not in latest_block


def test_must_reads_follow_the_editors_order_and_drop_unpublished(home, client):
    section = SectionFactory(parent=home)
    picks = [ArticleFactory(parent=section, title=f"Pick {n}") for n in range(7)]
    make_curated_list("must-reads", picks)
    picks[1].unpublish()
    article = ArticleFactory(parent=section)

    html, _ = _render(client, article)
    rail = html[html.index("Must-Reads") :]
    shown = re.findall(r'class="teaser__headline" href="[^"]+" dir="auto">(Pick \d)</a>', rail)
    assert shown == ["Pick 0", "Pick 2", "Pick 3", "Pick 4", "Pick 5"]


def test_headline_only_article_says_so(home, client):
    section = SectionFactory(parent=home)
    stub = ArticleFactory(parent=section, body=[], is_headline_only=True)
    html, _ = _render(client, stub)
    assert "Only the headline of this story has reached us so far" in html


def test_embed_renders_as_a_link_without_third_party_requests(home, client):
    from wagtail.embeds.blocks import EmbedValue

    section = SectionFactory(parent=home)
    article = ArticleFactory(
        parent=section, body=[("embed", EmbedValue("https://video.example.org/watch?v=1"))]
    )
    html, _ = _render(client, article)
    assert '<a href="https://video.example.org/watch?v=1"' in html
    assert "<iframe" not in html


def test_article_page_weighs_under_60_kb_without_images(seeded, client):
    article = ArticlePage.objects.get(is_headline_only=False)
    html, _ = _render(client, article)
    assets = re.findall(r'(?:href|src)="/static/([^"]+)"', html)
    assert assets, "the page links its stylesheet"
    weight = len(html.encode())
    for asset in assets:
        with open(finders.find(asset), "rb") as f:
            weight += len(f.read())
    assert weight < 60 * 1024, f"article page weighs {weight} bytes"
    # Nothing the browser fetches comes from another host (links such as the canonical URL
    # are not fetched).
    fetched = re.findall(r'<(?:script|img|source|iframe)[^>]+src="([^"]+)"', html)
    fetched += re.findall(r'<link[^>]+rel="(?:stylesheet|icon|preload)"[^>]+href="([^"]+)"', html)
    assert fetched and all(url.startswith("/") for url in fetched), fetched


def test_the_section_routes_only_to_its_own_live_articles(home, client):
    world = SectionFactory(parent=home, title="World", slug="world")
    sport = SectionFactory(parent=home, title="Sport", slug="sport")
    story = ArticleFactory(parent=world, slug="the-story", title="World's story")
    ArticleFactory(parent=world, slug="a-draft", live=False)
    assert "World&#x27;s story" in client.get("/world/the-story/").content.decode()
    assert client.get("/sport/the-story/").status_code == 404  # not its section's
    assert client.get("/world/a-draft/").status_code == 404
    assert client.get("/world/no-such-story/").status_code == 404
    assert client.get("/world/the-story/deeper/").status_code == 404
    story.unpublish()
    assert client.get("/world/the-story/").status_code == 404
    assert sport.url == "/sport/"


def test_a_restriction_on_the_section_keeps_its_articles_private(home, client):
    from wagtail.models import PageViewRestriction

    world = SectionFactory(parent=home, title="World", slug="world")
    story = ArticleFactory(parent=world, slug="the-story")
    PageViewRestriction.objects.create(page=world, restriction_type=PageViewRestriction.LOGIN)
    response = client.get(story.url)
    assert response.status_code == 302 and "login" in response["Location"]
    assert [r.page_id for r in story.get_view_restrictions()] == [world.pk]


def test_a_warm_render_reads_the_cache_in_two_round_trips(home, client, monkeypatch):
    """The site and the article by its address, then everything else the page shows (the
    site's parts, the kept fragments, the rails, Popular Now, You May Also Like, the view
    count's total, the comments' list): each feature's own read was a round trip of its own
    (to Redis, in production)."""
    from django.core.cache import caches

    article = _newsroom(home, name="Trips", teasers=3, authors=1, images=1)
    _render(client, article)
    _render(client, article)
    backend = caches["default"]
    reads = []
    inside = []  # the local memory cache's get_many calls its own get

    def counted(method, original):
        def read(*args, **kwargs):
            if not inside:
                reads.append(method)
            inside.append(method)
            try:
                return original(*args, **kwargs)
            finally:
                inside.pop()

        return read

    for method in ("get", "get_many", "has_key"):
        monkeypatch.setattr(backend, method, counted(method, getattr(backend, method)))
    sent = _redis_round_trips(monkeypatch)
    html, queries = _render(client, article)
    assert queries == WARM_ARTICLE_QUERIES
    assert 'class="comments"' in html and 'class="byline__views"' in html
    if settings.GAZETTE_VIEWS_REDIS_URL:
        # The second read is one pipeline with the view counter's pending views (its own
        # round trip before): two in all, counter included.
        assert reads == ["get_many"]
        assert len(sent) == 2
    else:
        assert reads == ["get_many", "get_many"]


def _redis_round_trips(monkeypatch) -> list:
    """What is sent to Redis, one item a round trip (a pipeline is one)."""
    import redis

    sent = []
    original = redis.connection.AbstractConnection.send_packed_command

    def spy(connection, command, check_health=True):
        sent.append(command)
        return original(connection, command, check_health)

    monkeypatch.setattr(redis.connection.AbstractConnection, "send_packed_command", spy)
    return sent


@pytest.mark.skipif(not settings.GAZETTE_VIEWS_REDIS_URL, reason="Redis: where REDIS_URL is set")
def test_views_not_yet_flushed_show_at_once_read_in_the_page_round_trip(home, client):
    """The counter's pending views come with the page's second cache read, and still show
    at once: a view counted after the last render shows on the next."""
    from gazette.analytics.counters import counter

    article = _newsroom(home, name="Pending", teasers=1, authors=1, images=0)
    counter.reset()
    _render(client, article)
    counter.remote.redis.hincrby(counter.remote.pending_by_article_key, str(article.pk), 3)
    html, _ = _render(client, article)
    assert '<data value="3">' in html
    counter.remote.redis.hincrby(counter.remote.flushing_by_article_key, str(article.pk), 2)
    html, _ = _render(client, article)
    assert '<data value="5">' in html
