"""Sitemap index, article sitemaps cut by id range, the pages sitemap, Google News sitemap of
the last 48 hours, and robots.txt pointing at them."""

from datetime import UTC, timedelta
from xml.etree import ElementTree

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from gazette.distribution.sitemaps import bucket_of
from tests.distribution.conftest import HIDDEN_TITLES, add_story

pytestmark = pytest.mark.django_db

NS = {
    "s": "http://www.sitemaps.org/schemas/sitemap/0.9",
    "news": "http://www.google.com/schemas/sitemap-news/0.9",
}


def _xml(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    assert response["Content-Type"].startswith("application/xml")
    return ElementTree.fromstring(response.content)  # noqa: S314 - our own output


def _locs(root, tag="s:url") -> list[str]:
    return [element.findtext("s:loc", namespaces=NS) for element in root.findall(tag, NS)]


def _all_article_urls(client) -> list[str]:
    index = _xml(client, "/sitemap.xml")
    urls = []
    for loc in _locs(index, "s:sitemap"):
        if "/sitemaps/articles-" in loc:
            urls += _locs(_xml(client, loc.removeprefix("http://localhost")))
    return urls


def test_index_lists_every_sitemap_and_pages_hold_only_published_articles(
    newsroom, client, settings
):
    settings.GAZETTE_SITEMAP_PAGE_SIZE = 4  # several pages from a handful of ids
    index = _xml(client, "/sitemap.xml")
    locations = _locs(index, "s:sitemap")
    assert locations[:2] == [
        "http://localhost/sitemaps/pages.xml",
        "http://localhost/sitemaps/news.xml",
    ]
    pages = {bucket_of(story.pk) for story in newsroom.published}
    assert locations[2:-1] == [
        f"http://localhost/sitemaps/articles-{number}.xml" for number in sorted(pages)
    ]
    # Then the sections features add through news: the topic pages (gazette.topics).
    assert locations[-1] == "http://localhost/sitemaps/topics.xml"
    for element in index.findall("s:sitemap", NS)[2:-1]:
        assert element.findtext("s:lastmod", namespaces=NS).endswith("+00:00")

    urls = _all_article_urls(client)
    assert sorted(urls) == sorted(f"http://localhost{story.url}" for story in newsroom.published)
    for hidden in newsroom.hidden.values():
        assert f"http://localhost{hidden.url}" not in urls


def test_an_article_page_lists_the_ids_in_its_range_with_lastmod(newsroom, client, settings):
    settings.GAZETTE_SITEMAP_PAGE_SIZE = 4
    story = newsroom.published[0]
    root = _xml(client, f"/sitemaps/articles-{bucket_of(story.pk)}.xml")
    entries = {
        url.findtext("s:loc", namespaces=NS): url.findtext("s:lastmod", namespaces=NS)
        for url in root.findall("s:url", NS)
    }
    assert entries[f"http://localhost{story.url}"] == _w3c(story.last_published_at)
    same_page = [s for s in newsroom.published if bucket_of(s.pk) == bucket_of(story.pk)]
    assert set(entries) == {f"http://localhost{s.url}" for s in same_page}

    # The index gives the page the newest change of its own articles.
    index = _xml(client, "/sitemap.xml")
    lastmods = {
        element.findtext("s:loc", namespaces=NS): element.findtext("s:lastmod", namespaces=NS)
        for element in index.findall("s:sitemap", NS)
    }
    newest = max(s.last_published_at for s in same_page)
    assert lastmods[f"http://localhost/sitemaps/articles-{bucket_of(story.pk)}.xml"] == _w3c(newest)


def _w3c(moment) -> str:
    return moment.astimezone(UTC).isoformat(timespec="seconds")


@pytest.mark.parametrize("path", ["/sitemaps/articles-999.xml", f"/sitemaps/articles-{10**30}.xml"])
def test_a_page_without_articles_is_a_404(newsroom, client, path):
    assert client.get(path).status_code == 404


def test_pages_sitemap_lists_home_sections_and_writing_authors(newsroom, client):
    locations = _locs(_xml(client, "/sitemaps/pages.xml"))
    assert locations == [
        "http://localhost/",
        "http://localhost/world/",
        "http://localhost/lifestyle/",
        "http://localhost/authors/daniel-kim/",
        "http://localhost/authors/mina-lee/",
    ]


def test_news_sitemap_holds_the_last_48_hours_only(newsroom, client):
    root = _xml(client, "/sitemaps/news.xml")
    titles = [element.text for element in root.iter(f"{{{NS['news']}}}title")]
    assert titles == [newsroom.published[0].title, newsroom.published[1].title]
    assert not set(titles) & set(HIDDEN_TITLES)
    first = root.find("s:url", NS)
    assert first.findtext("news:news/news:publication/news:name", namespaces=NS) == "Gazette"
    assert first.findtext("news:news/news:publication/news:language", namespaces=NS) == "en"
    published = first.findtext("news:news/news:publication_date", namespaces=NS)
    assert published.endswith("+00:00")

    # Two days on, the stories of today have left it.
    with time_machine.travel(timezone.now() + timedelta(hours=48, minutes=1)):
        later = _xml(client, "/sitemaps/news.xml")
    assert [element.text for element in later.iter(f"{{{NS['news']}}}title")] == []


def test_robots_txt_points_to_the_sitemaps(db, client):
    response = client.get("/robots.txt")
    assert response["Content-Type"].startswith("text/plain")
    lines = response.content.decode().splitlines()
    assert "Sitemap: http://localhost/sitemap.xml" in lines
    assert "Sitemap: http://localhost/sitemaps/news.xml" in lines
    assert "Disallow: /admin/" in lines and "Disallow: /search/" in lines


def _queries(client, url) -> int:
    client.get(url)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_sitemaps_make_a_fixed_number_of_queries(newsroom, client, settings):
    settings.GAZETTE_SITEMAP_PAGE_SIZE = 1_000_000  # every id on one page, new ones too
    page = f"/sitemaps/articles-{bucket_of(newsroom.published[0].pk)}.xml"
    urls = ["/sitemap.xml", page, "/sitemaps/news.xml", "/sitemaps/pages.xml"]
    before = [_queries(client, url) for url in urls]
    for minutes in range(6):
        add_story(newsroom.lifestyle, minutes_ago=minutes + 1, authors=[newsroom.kim])
    after = [_queries(client, url) for url in urls]
    assert after == before
    assert max(after) <= 5, after
