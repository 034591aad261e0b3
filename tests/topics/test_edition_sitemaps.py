"""The sitemaps name every edition's pages: the Korean edition's topic pages, front page and
author pages beside the English ones, each with its hreflang alternates; the Google News
sitemap names each story's own language."""

import pytest
from defusedxml import ElementTree
from django.db import connection
from django.test.utils import CaptureQueriesContext

from gazette.news.models import ArticleAuthor, ArticlePage
from gazette.people.models import Author
from tests.conftest import translate
from tests.factories import ArticleFactory

pytestmark = pytest.mark.django_db

NS = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9", "x": "http://www.w3.org/1999/xhtml"}


def _entries(client, path) -> dict[str, list[tuple[str, str]]]:
    """Each <loc> with its alternates (hreflang, href)."""
    response = client.get(path)
    assert response.status_code == 200
    root = ElementTree.fromstring(response.content)
    return {
        url.find("s:loc", NS).text: [
            (link.get("hreflang"), link.get("href")) for link in url.findall("x:link", NS)
        ]
        for url in root.findall("s:url", NS)
    }


@pytest.fixture
def topical(editions):
    """Three English stories on Climate (indexable), two of them translated into Korean with
    one more Korean one: Climate is indexable in both editions; Energy in English only."""
    world, korean = editions["world"], editions["korean"]
    climate = [
        ArticleFactory(parent=world, slug=f"climate-{n}", tags=["Climate", "Energy"])
        for n in range(3)
    ]
    for n, story in enumerate(climate[:2]):
        translate(story, korean, title=f"기후 {n}")
    translate(
        ArticleFactory(parent=world, slug="climate-3", tags=["Climate"]), korean, title="기후 3"
    )
    return editions


def test_the_topic_sitemap_names_each_editions_topic_pages_with_alternates(topical, client):
    entries = _entries(client, "/sitemaps/topics.xml")
    both = [
        ("en", "http://localhost/topics/climate/"),
        ("ko", "http://localhost/ko/topics/climate/"),
    ]
    assert entries["http://localhost/topics/climate/"] == both
    assert entries["http://localhost/ko/topics/climate/"] == both
    # Energy: three English stories, two Korean (below the threshold of three): English only.
    assert entries["http://localhost/topics/energy/"] == []
    assert "http://localhost/ko/topics/energy/" not in entries
    assert client.get("/ko/topics/climate/").status_code == 200
    # The same file answered under the prefix.
    assert _entries(client, "/ko/sitemaps/topics.xml") == entries


def test_a_one_language_site_has_no_alternates_in_its_topic_sitemap(home, client):
    from tests.factories import SectionFactory

    world = SectionFactory(parent=home, slug="world")
    for _ in range(3):
        ArticleFactory(parent=world, tags=["Climate"])
    xml = client.get("/sitemaps/topics.xml").content.decode()
    assert "<loc>http://localhost/topics/climate/</loc>" in xml and "xhtml" not in xml


def test_the_pages_sitemap_names_each_editions_front_page_and_authors(topical, client):
    author = Author.objects.create(name="Mina Lee", slug="mina-lee")
    ko_story = ArticlePage.objects.get(slug="climate-3", locale=topical["korean"])
    ArticleAuthor.objects.create(article=ko_story, author=author)
    english = ArticlePage.objects.get(slug="climate-0", locale=topical["home"].locale)
    ArticleAuthor.objects.create(article=english, author=author)
    lone = Author.objects.create(name="Only English", slug="only-english")
    ArticleAuthor.objects.create(article=ArticlePage.objects.get(slug="english-only"), author=lone)

    entries = _entries(client, "/sitemaps/pages.xml")
    homes = [("en", "http://localhost/"), ("ko", "http://localhost/ko/")]
    assert entries["http://localhost/"] == homes and entries["http://localhost/ko/"] == homes
    worlds = [("en", "http://localhost/world/"), ("ko", "http://localhost/ko/world/")]
    assert entries["http://localhost/world/"] == worlds
    assert entries["http://localhost/ko/world/"] == worlds
    authors = [
        ("en", "http://localhost/authors/mina-lee/"),
        ("ko", "http://localhost/ko/authors/mina-lee/"),
    ]
    assert entries["http://localhost/authors/mina-lee/"] == authors
    assert entries["http://localhost/ko/authors/mina-lee/"] == authors
    assert entries["http://localhost/authors/only-english/"] == []
    assert "http://localhost/ko/authors/only-english/" not in entries
    assert client.get("/ko/authors/mina-lee/").status_code == 200


def test_the_news_sitemap_names_each_storys_language(topical, client):
    root = ElementTree.fromstring(client.get("/sitemaps/news.xml").content)
    news = "{http://www.google.com/schemas/sitemap-news/0.9}"
    languages = {
        url.find("s:loc", NS).text: url.find(f"{news}news/{news}publication/{news}language").text
        for url in root.findall("s:url", NS)
    }
    assert languages["http://localhost/ko/world/floods/"] == "ko"
    assert languages["http://localhost/world/floods/"] == "en"


def test_the_sitemaps_make_a_fixed_number_of_queries(topical, client):
    def count(path) -> int:
        client.get(path)
        with CaptureQueriesContext(connection) as captured:
            assert client.get(path).status_code == 200
        return len(captured)

    before = {path: count(path) for path in ("/sitemaps/topics.xml", "/sitemaps/pages.xml")}
    for n in range(4):
        story = ArticleFactory(parent=topical["world"], slug=f"more-{n}", tags=["Climate", f"T{n}"])
        translate(story, topical["korean"], title=f"더 {n}")
    after = {path: count(path) for path in before}
    assert after == before
