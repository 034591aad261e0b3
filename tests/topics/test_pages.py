"""Topic pages: newest first, paginated, a fixed number of queries whatever the topic's size;
the index of active topics; the article page's links to its topics; noindex below the site's
threshold; old addresses answering 301."""

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from wagtail.models import PageViewRestriction, Site

from gazette.news.renditions import generate_renditions
from gazette.topics.models import TopicSettings
from tests.factories import ArticleFactory, ImageFactory, SectionFactory, retag

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(home):
    return SectionFactory(parent=home, title="World", slug="world")


def _stories(section, count, tags, *, title="Story", minutes=0):
    now = timezone.now()
    stories = []
    for n in range(count):
        story = ArticleFactory(
            parent=section,
            title=f"{title} {n}",
            lead_image=ImageFactory(small=True),
            first_published_at=now - timedelta(minutes=minutes + n),
            tags=tags,
        )
        generate_renditions(story)
        stories.append(story)
    return stories


def _headlines(html) -> list[str]:
    return re.findall(r'class="story-card__headline" dir="auto"><a href="[^"]+">([^<]+)</a>', html)


def _count(client, url) -> tuple[str, int]:
    client.get(url)  # warm per-process caches (site root paths, content types, shared parts)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode(), len(queries)


def test_topic_page_lists_its_stories_newest_first_in_a_fixed_number_of_queries(world, client):
    _stories(world, 2, ["Climate"], title="Climate")
    _stories(world, 6, ["Elections"], title="Elections")
    ArticleFactory(parent=world, title="Untagged story")
    _stories(world, 1, ["Climate", "Elections"], title="Both", minutes=-5)

    small_html, small = _count(client, "/topics/climate/")
    large_html, large = _count(client, "/topics/elections/")
    assert _headlines(small_html) == ["Both 0", "Climate 0", "Climate 1"]
    assert _headlines(large_html) == ["Both 0", *[f"Elections {n}" for n in range(6)]]
    # The topic with its description, the count, the page of stories, their pictures'
    # renditions, the topic settings: however many stories.
    assert small == large, (small, large)
    assert large <= 6, large
    assert "<h1>Elections</h1>" in large_html and "7 stories" in large_html


def test_topic_page_paginates_and_never_errs_on_a_bad_page_number(world, client, monkeypatch):
    # Pages of four: pagination is the same on six stories as on twenty-two.
    monkeypatch.setattr("gazette.topics.views.STORIES_PER_PAGE", 4)
    _stories(world, 4 + 2, ["Climate"])
    first = client.get("/topics/climate/").content.decode()
    second = client.get("/topics/climate/?page=2").content.decode()
    assert len(_headlines(first)) == 4
    assert _headlines(second) == ["Story 4", "Story 5"]
    assert 'rel="next"' in first and 'rel="prev"' in second
    assert '<link rel="canonical" href="http://localhost/topics/climate/?page=2">' in second
    for page in ("99", "abc", "-1"):
        assert client.get(f"/topics/climate/?page={page}").status_code == 200


def test_only_readable_stories_are_listed_and_a_topic_without_one_is_not_found(world, client):
    (shown,) = _stories(world, 1, ["Climate"], title="Shown")
    draft = ArticleFactory(parent=world, title="Draft", live=False, tags=["Climate", "Secret"])
    private = ArticleFactory(parent=world, title="Members only", tags=["Climate", "Members"])
    PageViewRestriction.objects.create(page=private, restriction_type="password", password="x")
    pulled = ArticleFactory(parent=world, title="Pulled", tags=["Climate", "Pulled"])
    pulled.unpublish()
    ArticleFactory(parent=world, title="Stub", is_headline_only=True, tags=["Climate", "Stubs"])

    html = client.get("/topics/climate/").content.decode()
    assert _headlines(html) == ["Shown 0"]
    for slug in ("secret", "members", "pulled", "stubs", "no-such-topic"):
        assert client.get(f"/topics/{slug}/").status_code == 404, slug
    assert draft.pk and shown.pk


def test_a_thin_topic_is_noindex_as_the_site_setting_says(world, client):
    _stories(world, 2, ["Climate"])
    noindex = '<meta name="robots" content="noindex">'
    assert noindex in client.get("/topics/climate/").content.decode()  # default: from 3
    TopicSettings.objects.create(site=Site.objects.get(is_default_site=True), noindex_below=2)
    assert noindex not in client.get("/topics/climate/").content.decode()


def test_the_index_lists_active_topics_by_name_with_counts_in_fixed_queries(world, client):
    _stories(world, 2, ["climate", "Économie"])
    ArticleFactory(parent=world, tags=["Arts"])
    ArticleFactory(parent=world, live=False, tags=["Drafts only"])
    html, few = _count(client, "/topics/")
    listed = r'<li><a href="/topics/([^/]+)/">([^<]+)</a> <span class="topic-index__count">(\d+)'
    assert re.findall(listed, html) == [
        ("arts", "Arts", "1"),
        ("climate", "climate", "2"),
        ("%C3%A9conomie", "Économie", "2"),  # taggit keeps the accent in the slug
    ]
    assert client.get("/topics/%C3%A9conomie/").status_code == 200

    for n in range(10):
        ArticleFactory(parent=world, tags=[f"Topic {n}", "Arts"])
    html, many = _count(client, "/topics/")
    assert few == many, (few, many)
    assert "Drafts only" not in html


def test_the_article_page_links_its_topics_in_the_editors_order(world, client):
    story = ArticleFactory(parent=world, tags=["Elections", "Climate"])
    html = client.get(story.url).content.decode()
    block = html[html.index('class="article-topics"') :].split("</nav>")[0]
    assert re.findall(r'<a href="([^"]+)" rel="tag">([^<]+)</a>', block) == [
        ("/topics/elections/", "Elections"),
        ("/topics/climate/", "Climate"),
    ]
    # Every page's footer leads to the topics and the corrections.
    assert '<a href="/topics/">Topics</a>' in html
    assert '<a href="/corrections/">Corrections</a>' in html
    # Tags are one topic whatever the case an editor types.
    other = ArticleFactory(parent=world, tags=["climate"])
    assert 'href="/topics/climate/"' in client.get(other.url).content.decode()


def test_a_headline_only_story_shows_no_topic_links(world, client):
    stub = ArticleFactory(parent=world, is_headline_only=True, tags=["Climate"])
    assert 'class="article-topics"' not in client.get(stub.url).content.decode()


def test_retagging_a_story_moves_it_between_topic_pages(world, client):
    story = ArticleFactory(parent=world, title="Moving story", tags=["Climate"])
    ArticleFactory(parent=world, title="Stays", tags=["Climate"])
    retag(story, ["Energy"])
    assert "Moving story" not in client.get("/topics/climate/").content.decode()
    assert "Moving story" in client.get("/topics/energy/").content.decode()
    retag(story, ["Water"], publish=False)  # a draft: readers still see it under Energy
    assert "Moving story" in client.get("/topics/energy/").content.decode()
    assert client.get("/topics/water/").status_code == 404


def test_feed_links_of_the_topic_are_offered_on_its_page(world, client):
    _stories(world, 1, ["Climate"])
    html = client.get("/topics/climate/").content.decode()
    rss = 'title="Gazette: Climate (RSS)" href="/feeds/topics/climate/rss.xml"'
    assert f'type="application/rss+xml" {rss}' in html
    assert 'href="/feeds/topics/climate/atom.xml"' in html


def test_topic_pages_only_answer_get_and_head(world, client):
    _stories(world, 1, ["Climate"])
    assert client.post("/topics/climate/").status_code == 405
    assert client.head("/topics/").status_code == 200
