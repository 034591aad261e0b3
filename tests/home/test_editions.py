"""A second-language edition (gazette.core.editions): a Korean translation of the home page
with its own sections and articles, served under /ko/, beside the English site unprefixed."""

import pytest

from tests.conftest import read_afresh
from tests.factories import ArticleFactory


@pytest.fixture
def editions(editions_once, db):
    """The two editions, made once for the module (27 tests with their parameters, each
    reading them and rolling back what it adds). A one-language site is tested in
    test_one_language_site.py, away from them."""
    return read_afresh(editions_once)


def test_the_korean_edition_is_served_under_its_prefix_in_korean(editions, client):
    assert editions["ko_story"].url == "/ko/world/floods/"
    assert editions["story"].url == "/world/floods/"

    home = client.get("/ko/")
    html = home.content.decode()
    assert home.status_code == 200
    assert '<html lang="ko" dir="ltr">' in html
    assert "북부 홍수" in html and "Floods in the north" not in html
    assert 'href="/ko/world/"' in html  # its own menu

    article = client.get("/ko/world/floods/")
    html = article.content.decode()
    assert article.status_code == 200
    assert '<html lang="ko"' in html and "북부 홍수" in html
    assert "Only in English" not in html  # Latest Stories and Must-Reads: Korean stories only

    section = client.get("/ko/world/")
    assert section.status_code == 200
    assert "북부 홍수" in section.content.decode()
    assert "Only in English" not in section.content.decode()


def test_the_english_site_keeps_its_addresses_and_its_stories(editions, client):
    html = client.get("/world/floods/").content.decode()
    assert '<html lang="en' in html and "Floods in the north" in html
    assert "북부 홍수" not in html
    home = client.get("/").content.decode()
    assert "Only in English" in home and "북부 홍수" not in home
    assert client.get("/en/world/floods/").status_code == 404


def test_hreflang_alternates_and_the_switcher(editions, client):
    html = client.get("/world/floods/").content.decode()
    assert '<link rel="alternate" hreflang="en" href="http://localhost/world/floods/">' in html
    assert '<link rel="alternate" hreflang="ko" href="http://localhost/ko/world/floods/">' in html
    assert (
        '<link rel="alternate" hreflang="x-default" href="http://localhost/world/floods/">' in html
    )
    assert 'aria-label="Languages"' in html

    # No Korean translation: the switcher leads to the Korean home page, no hreflang claims
    # it, and a page with no other language has no alternates at all.
    html = client.get("/world/english-only/").content.decode()
    assert '<a href="/ko/" hreflang="ko" lang="ko" dir="auto">한국어</a>' in html
    assert '<link rel="alternate" hreflang' not in html

    ko = client.get("/ko/world/floods/").content.decode()
    assert 'aria-label="언어"' in ko
    assert '<a href="/world/floods/" hreflang="en" lang="en" dir="auto">English</a>' in ko


def test_the_korean_article_page_makes_a_fixed_number_of_queries(
    editions, client, django_assert_max_num_queries
):
    client.get("/ko/world/floods/")
    client.get("/world/floods/")
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as english:
        client.get("/world/floods/")
    with CaptureQueriesContext(connection) as korean:
        client.get("/ko/world/floods/")
    # The same fast route and cached rails: the Korean page costs what the English one does.
    assert len(korean) == len(english)


def test_each_edition_has_its_own_feeds(editions, client):
    korean = client.get("/ko/feeds/rss.xml").content.decode()
    assert "북부 홍수" in korean and "Only in English" not in korean
    assert "http://localhost/ko/world/floods/" in korean
    english = client.get("/feeds/rss.xml").content.decode()
    assert "Only in English" in english and "북부 홍수" not in english
    section = client.get("/ko/feeds/sections/world/atom.xml").content.decode()
    assert "북부 홍수" in section and "Floods in the north" not in section
    html = client.get("/ko/world/").content.decode()
    assert 'href="/ko/feeds/rss.xml"' in html


def test_the_sitemap_names_both_editions_with_their_alternates(editions, client):
    from gazette.distribution.sitemaps import bucket_of

    story, ko_story = editions["story"], editions["ko_story"]
    assert bucket_of(story.pk) == bucket_of(ko_story.pk)
    xml = client.get(f"/sitemaps/articles-{bucket_of(story.pk)}.xml").content.decode()
    assert 'xmlns:xhtml="http://www.w3.org/1999/xhtml"' in xml
    assert "<loc>http://localhost/ko/world/floods/</loc>" in xml
    assert "<loc>http://localhost/world/english-only/</loc>" in xml
    alternates = (
        '<xhtml:link rel="alternate" hreflang="en" href="http://localhost/world/floods/"/>'
        '<xhtml:link rel="alternate" hreflang="ko" href="http://localhost/ko/world/floods/"/>'
    )
    assert xml.count(alternates) == 2  # on the English entry and on the Korean one
    pages = client.get("/sitemaps/pages.xml").content.decode()
    assert "<loc>http://localhost/ko/world/</loc>" in pages


@pytest.mark.parametrize(
    "path",
    [
        "/ko/" + "가" * 3000 + "/",  # overlong
        "/ko/world/" + "x" * 5000 + "/",
        "/ko/%ff%fe/",  # not UTF-8
        "/ko/%c0%af/",
        "/ko/world/%00/",
        "/ko/%E2%80%AE%E2%80%8B/",
        "/ko/ko/",
        "/ko/ko/world/floods/",
        "/ko/en/world/floods/",
        "/xx/",  # a language the site has no edition in
        "/xx/world/floods/",
        "/zh-hans/world/",
        "/ar/",  # a language the site knows, without an edition
        "/ko/world/english-only/",  # an English-only story has no Korean address
        "/ko/search/%ff/",
        "/ko/authors/nobody/",
        "/ko/topics/%ff%fe/",
        "/ko/feeds/sections/%ff/rss.xml",
    ],
)
def test_hostile_edition_paths_are_not_found_never_an_error(editions, client, path):
    response = client.get(path)
    assert response.status_code in (301, 404), (path, response.status_code)


def test_a_korean_search_with_garbage_is_answered(editions, client):
    for query in ("%ff", "\x00", "가" * 5000, "<script>", "' OR 1=1 --"):
        response = client.get("/ko/search/", {"q": query, "section": "%ff", "page": "-1"})
        assert response.status_code == 200


def test_a_headline_or_name_of_the_other_direction_is_isolated(editions, client):
    """An English headline in the Arabic edition's lists and an Arabic name on an English
    page sit in dir="auto": their punctuation and numbers keep their own order."""
    from wagtail.models import Locale

    from gazette.news.models import ArticleAuthor
    from tests.conftest import translate
    from tests.factories import AuthorFactory

    arabic = Locale.objects.create(language_code="ar")
    translate(editions["home"], arabic)
    ar_world = translate(editions["world"], arabic, title="العالم")
    english_headline = "G7 leaders meet (day 2)"
    translate(editions["english_only"], arabic, title=english_headline)
    ArticleFactory(parent=ar_world, title="فيضانات في الشمال", slug="ar-floods")

    arabic_page = client.get("/ar/").content.decode()
    assert '<html lang="ar" dir="rtl">' in arabic_page
    assert f'dir="auto"><a href="/ar/world/english-only/">{english_headline}</a>' in arabic_page, (
        "the English headline is isolated in the Arabic list"
    )

    sara = AuthorFactory(name="سارة الخطيب", slug="sara")
    story = editions["english_only"].get_latest_revision_as_object()
    story.article_authors = [ArticleAuthor(author=sara)]
    story.save_revision().publish()
    english_page = client.get("/world/english-only/").content.decode()
    assert '<html lang="en' in english_page and 'dir="ltr"' in english_page
    assert 'rel="author" dir="auto">سارة الخطيب</a>' in english_page
    assert '<p class="author-box__name" dir="auto">' in english_page
    author_page = client.get("/authors/sara/").content.decode()
    assert '<h1 dir="auto">سارة الخطيب</h1>' in author_page
