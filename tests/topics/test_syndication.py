"""Topics for machines: a feed per topic (RSS and Atom, served by distribution), the sitemap
of topic pages, the API's ?topic= filter and the articles' topics in their JSON-LD."""

import json
import re
from urllib.parse import unquote

import feedparser
import pytest
from defusedxml import ElementTree
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from wagtail.models import Site

from gazette.news.syndication import feed_paths, sitemap_path
from gazette.topics.models import TopicSettings
from tests.factories import ArticleFactory, SectionFactory

pytestmark = pytest.mark.django_db

SITEMAP = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}


@pytest.fixture
def world(home):
    return SectionFactory(parent=home, title="World", slug="world")


def test_the_paths_news_promises_are_distributions_urls():
    for kind, slug in (("topics", "climate"), ("topics", "économie")):
        rss, atom = feed_paths(kind, slug)
        assert (
            unquote(reverse("distribution:subject-rss", kwargs={"kind": kind, "slug": slug})) == rss
        )
        assert (
            unquote(reverse("distribution:subject-atom", kwargs={"kind": kind, "slug": slug}))
            == atom
        )
    assert reverse("distribution:sitemap-section", kwargs={"name": "topics"}) == sitemap_path(
        "topics"
    )


@pytest.mark.parametrize("kind", ["rss", "atom"])
def test_a_topic_feed_lists_its_readable_stories_newest_first(world, client, kind):
    ArticleFactory(parent=world, title="Older", tags=["Climate"])
    ArticleFactory(parent=world, title="Newer", tags=["Climate", "Energy"])
    ArticleFactory(parent=world, title="Elsewhere", tags=["Energy"])
    ArticleFactory(parent=world, title="Draft", live=False, tags=["Climate"])
    response = client.get(f"/feeds/topics/climate/{kind}.xml")
    assert response.status_code == 200
    feed = feedparser.parse(response.content)
    assert feed.feed.title == "Gazette: Climate"
    assert feed.feed.link == "http://localhost/topics/climate/"
    assert [entry.title for entry in feed.entries] == ["Newer", "Older"]
    # Each item names its section and its topics as categories; GUIDs are the site-wide ones.
    assert [tag.term for tag in feed.entries[0].tags] == ["World", "Climate", "Energy"]
    assert feed.entries[0].id.startswith("tag:localhost,2025:article:")


def test_a_topic_feed_makes_a_fixed_number_of_queries(world, client):
    def queries() -> int:
        client.get("/feeds/topics/climate/rss.xml")
        with CaptureQueriesContext(connection) as captured:
            assert client.get("/feeds/topics/climate/rss.xml").status_code == 200
        return len(captured)

    ArticleFactory(parent=world, tags=["Climate"])
    few = queries()
    for _ in range(6):
        ArticleFactory(parent=world, tags=["Climate", "Other"])
    assert queries() == few


def test_feeds_of_unknown_or_unpublished_topics_are_not_found(world, client):
    ArticleFactory(parent=world, live=False, tags=["Secret"])
    assert client.get("/feeds/topics/secret/rss.xml").status_code == 404
    assert client.get("/feeds/topics/nothing/atom.xml").status_code == 404
    assert client.get("/feeds/no-such-kind/climate/rss.xml").status_code == 404


def test_the_sitemap_of_topics_lists_those_worth_indexing(world, client):
    for _ in range(3):
        ArticleFactory(parent=world, tags=["Climate"])
    ArticleFactory(parent=world, tags=["Thin"])
    index = client.get("/sitemap.xml").content.decode()
    assert "<loc>http://localhost/sitemaps/topics.xml</loc>" in index

    def locations():
        root = ElementTree.fromstring(client.get("/sitemaps/topics.xml").content)
        return [loc.text for loc in root.findall("s:url/s:loc", SITEMAP)]

    assert locations() == ["http://localhost/topics/climate/"]
    lastmod = ElementTree.fromstring(client.get("/sitemaps/topics.xml").content).find(
        "s:url/s:lastmod", SITEMAP
    )
    assert lastmod.text.endswith("+00:00")
    TopicSettings.objects.create(site=Site.objects.get(is_default_site=True), noindex_below=1)
    assert locations() == ["http://localhost/topics/climate/", "http://localhost/topics/thin/"]
    assert client.get("/sitemaps/nothing.xml").status_code == 404


def test_the_api_filters_articles_by_topic_and_lists_their_topics(world, client):
    ArticleFactory(parent=world, title="Climate story", tags=["Climate", "Économie"])
    ArticleFactory(parent=world, title="Other story", tags=["Energy"])
    data = client.get("/api/v1/articles?topic=climate").json()
    assert [item["headline"] for item in data["items"]] == ["Climate story"]
    assert data["items"][0]["topics"] == [
        {"slug": "climate", "name": "Climate"},
        {"slug": "économie", "name": "Économie"},
    ]
    accented = client.get("/api/v1/articles", {"topic": "économie"}).json()
    assert [item["headline"] for item in accented["items"]] == ["Climate story"]
    assert client.get("/api/v1/articles?topic=nothing").json()["count"] == 0
    assert client.get("/api/v1/articles?topic=not a slug!").status_code == 422


def test_the_json_ld_names_the_topics_as_keywords_and_about(world, client):
    story = ArticleFactory(parent=world, tags=["Elections", "Climate"])
    html = client.get(story.url).content.decode()
    (script,) = re.findall(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    (article,) = [node for node in json.loads(script)["@graph"] if node["@type"] == "NewsArticle"]
    assert article["keywords"] == ["Elections", "Climate"]
    assert article["about"] == [
        {"@type": "Thing", "name": "Elections"},
        {"@type": "Thing", "name": "Climate"},
    ]
    assert '<meta property="article:tag" content="Elections">' in html
    untagged = ArticleFactory(parent=world)
    assert '"keywords"' not in client.get(untagged.url).content.decode()
