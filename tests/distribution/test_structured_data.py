"""The article head: canonical URL, OpenGraph and Twitter tags with the lead image, and
JSON-LD NewsArticle and BreadcrumbList that a structured-data parser reads back."""

import extruct
import pytest
from django.db import connection
from django.template.loader import render_to_string
from django.test.utils import CaptureQueriesContext
from wagtail.models import Site

from gazette.core.models import SiteIdentity
from gazette.news.models import ArticlePage
from tests.distribution.conftest import add_story

pytestmark = pytest.mark.django_db


def _read(client, article):
    response = client.get(article.url)
    assert response.status_code == 200
    html = response.content.decode()
    data = extruct.extract(
        html, base_url=f"http://localhost{article.url}", syntaxes=["json-ld", "opengraph"]
    )
    return html, data


def _by_type(data, kind):
    graph = [item for block in data["json-ld"] for item in block.get("@graph", [block])]
    return [item for item in graph if item.get("@type") == kind]


def test_news_article_json_ld_reads_back(newsroom, client):
    story = newsroom.published[0]
    _, data = _read(client, story)
    (article,) = _by_type(data, "NewsArticle")
    canonical = f"http://localhost{story.url}"
    assert article["headline"] == story.title  # escaped for <script>, read back as typed
    assert article["url"] == canonical
    assert article["mainEntityOfPage"]["@id"] == canonical
    assert article["author"] == [
        {"@type": "Person", "name": "Daniel Kim", "url": "http://localhost/authors/daniel-kim/"},
        {"@type": "Person", "name": "Mina Lee", "url": "http://localhost/authors/mina-lee/"},
    ]
    assert article["datePublished"] == story.first_published_at.isoformat(timespec="seconds")
    assert article["dateModified"] == story.last_published_at.isoformat(timespec="seconds")
    assert article["articleSection"] == "World"
    assert article["publisher"]["name"] == "Gazette"
    assert article["publisher"]["logo"]["url"].startswith("http://localhost/static/")
    image = article["image"]
    assert image["url"].startswith("http://localhost/media/") and "width-1200" in image["url"]
    assert (image["width"], image["height"]) == (1200, 675)
    assert image["creditText"] == story.lead_image.credit


def test_breadcrumbs_lead_from_home_through_the_section(newsroom, client):
    story = newsroom.published[0]
    _, data = _read(client, story)
    (trail,) = _by_type(data, "BreadcrumbList")
    assert [
        (item["position"], item["name"], item["item"]) for item in trail["itemListElement"]
    ] == [
        (1, "Gazette", "http://localhost/"),
        (2, "World", "http://localhost/world/"),
        (3, story.title, f"http://localhost{story.url}"),
    ]


def test_canonical_opengraph_and_twitter_tags(newsroom, client):
    story = newsroom.published[0]
    html, data = _read(client, story)
    assert f'<link rel="canonical" href="http://localhost{story.url}">' in html
    (og,) = data["opengraph"]
    properties = dict(og["properties"])
    assert properties["og:type"] == "article"
    assert properties["og:title"] == story.title
    assert properties["og:url"] == f"http://localhost{story.url}"
    assert properties["og:description"] == story.standfirst
    assert properties["og:image"].startswith("http://localhost/media/")
    assert properties["article:section"] == "World"
    assert '<meta name="twitter:card" content="summary_large_image">' in html
    assert f'<meta name="twitter:image" content="{properties["og:image"]}">' in html
    assert 'name="robots"' not in html


def test_a_headline_cannot_close_the_json_ld_script(newsroom, client):
    story = add_story(newsroom.world, minutes_ago=1, title="</script><script>alert(1)</script>")
    html, data = _read(client, story)
    assert "<script>alert(1)" not in html
    (article,) = _by_type(data, "NewsArticle")
    assert article["headline"] == "</script><script>alert(1)</script>"


def test_an_editors_quotes_stand_escaped_in_the_json_ld_and_read_back(newsroom, client):
    """The stack's hostile-input check found a headline's "'" raw in the script."""
    title = "It's the \"mayor's\" call"
    story = add_story(newsroom.world, minutes_ago=1, title=title)
    html, data = _read(client, story)
    script = html.split('<script type="application/ld+json">', 1)[1].split("</script>", 1)[0]
    assert "'" not in script
    assert '"It\\u0027s the \\"mayor\\u0027s\\" call"' in script
    (article,) = _by_type(data, "NewsArticle")
    assert article["headline"] == title


def test_headline_only_stub_asks_not_to_be_indexed_and_story_without_image_gets_a_summary_card(
    newsroom, client
):
    html, data = _read(client, newsroom.hidden["stub"])
    assert '<meta name="robots" content="noindex">' in html
    assert '<meta name="twitter:card" content="summary">' in html
    (article,) = _by_type(data, "NewsArticle")
    assert "image" not in article and article["author"] == []


def test_the_head_adds_no_query_to_the_article_page(newsroom, rf):
    """It reads what the article page loaded already: authors, section, lead image and its
    renditions, the site and its settings."""
    story = newsroom.published[0]
    page = ArticlePage.objects.for_article_page().get(pk=story.pk)
    request = rf.get(story.url)
    Site.find_for_request(request)  # as the page's routing and <title> have done
    SiteIdentity.for_request(request)
    Site.get_site_root_paths()  # cached by Wagtail for every link the page makes
    page.authors  # noqa: B018 - the byline loads them
    with CaptureQueriesContext(connection) as queries:
        html = render_to_string("distribution/article_head.html", {"page": page}, request)
    assert "application/ld+json" in html
    assert len(queries) == 0, [query["sql"] for query in queries]
