"""urls_to_purge: every feed and sitemap an article change shows up in, as absolute URLs that
really serve that article."""

import pytest

from gazette.distribution.purge import urls_to_purge
from gazette.distribution.sitemaps import bucket_of

pytestmark = pytest.mark.django_db


def test_urls_to_purge_name_the_feeds_and_sitemaps_showing_the_article(newsroom, client):
    story = newsroom.published[0]
    urls = urls_to_purge(story)
    paths = [url.removeprefix("http://localhost") for url in urls]
    assert all(url.startswith("http://localhost/") for url in urls)
    assert set(paths) == {
        "/feeds/rss.xml",
        "/feeds/atom.xml",
        "/feeds/sections/world/rss.xml",
        "/feeds/sections/world/atom.xml",
        "/feeds/authors/daniel-kim/rss.xml",
        "/feeds/authors/daniel-kim/atom.xml",
        "/feeds/authors/mina-lee/rss.xml",
        "/feeds/authors/mina-lee/atom.xml",
        "/sitemap.xml",
        "/sitemaps/pages.xml",
        "/sitemaps/news.xml",
        f"/sitemaps/articles-{bucket_of(story.pk)}.xml",
        "/sitemaps/topics.xml",  # a section a feature adds (gazette.topics)
    }
    # Each one is a real address, and the feeds and the article's sitemap page list it.
    for path in paths:
        response = client.get(path)
        assert response.status_code == 200, path
        if "/feeds/" in path or "/articles-" in path:
            assert f"http://localhost{story.url}".encode() in response.content, path
