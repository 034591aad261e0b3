"""An article's address is served in one query (gazette.news.routing), and everything
Wagtail does around serving a page still happens: view restrictions, drafts unseen, other
page types and deeper addresses found by Wagtail's own walk."""

import warnings

import pytest
from django.core.cache import cache
from django.core.cache.backends.base import CacheKeyWarning
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from wagtail.models import Page, PageViewRestriction, Site

from gazette.core.shared_parts import SHARED_PARTS
from gazette.news import routing
from tests.factories import ArticleFactory, AuthorFactory, SectionFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def section(home):
    return SectionFactory(parent=home, title="World", slug="world")


def _queries_of(client, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    return response, [q["sql"] for q in queries]


def _page_lookups(queries):
    return [q for q in queries if '"wagtailcore_page"."url_path" =' in q]


def test_an_article_is_found_by_its_address_in_one_query_then_kept(section, client):
    ArticleFactory(parent=section, title="Found at once", slug="found-at-once")
    response, queries = _queries_of(client, "/world/found-at-once/")
    assert response.status_code == 200
    assert len(_page_lookups(queries)) == 1
    # Wagtail's walk would read the section and its specific row before the article.
    assert not any('FROM "news_sectionpage"' in q and "url_path" not in q for q in queries)

    # The site and the article, with its section and authors, are then kept in the shared
    # parts: the next render reads neither.
    response, queries = _queries_of(client, "/world/found-at-once/")
    assert response.status_code == 200
    assert "Found at once" in response.content.decode()
    assert _page_lookups(queries) == []
    assert not any('FROM "wagtailcore_site"' in q for q in queries)
    assert not any('"news_articleauthor"' in q for q in queries)


def test_an_article_kept_with_its_address_shows_a_change_at_once(section, client):
    writer = AuthorFactory(name="Ada Writer")
    article = ArticleFactory(parent=section, slug="kept", title="Kept", authors=[writer])
    assert "Ada Writer" in client.get("/world/kept/").content.decode()

    writer.name = "Ada Renamed"
    writer.save()
    assert "Ada Renamed" in client.get("/world/kept/").content.decode()

    article.title = "Kept, retitled"
    article.save_revision().publish()
    assert "Kept, retitled" in client.get("/world/kept/").content.decode()

    article.unpublish()
    assert client.get("/world/kept/").status_code == 404


def test_a_tag_renamed_shows_on_the_article_kept_with_its_address(section, client):
    article = ArticleFactory(parent=section, slug="tagged", tags=["floods"])
    assert "floods" in client.get("/world/tagged/").content.decode()
    tag = article.tags.get()
    tag.name = "flooding"
    tag.save()
    assert "flooding" in client.get("/world/tagged/").content.decode()


def test_a_draft_at_an_articles_address_is_not_shown(section, client):
    ArticleFactory(parent=section, slug="not-yet", live=False)
    assert client.get("/world/not-yet/").status_code == 404


def test_a_view_restriction_still_guards_the_article(section, client):
    article = ArticleFactory(parent=section, slug="members-only")
    PageViewRestriction.objects.create(page=article, restriction_type="password", password="x")
    response = client.get("/world/members-only/")
    assert response.status_code == 200
    assert "password" in response.content.decode().lower()
    assert article.title not in response.content.decode()


def test_a_view_restriction_set_on_a_kept_article_or_its_section_guards_it_at_once(section, client):
    """Whether a restriction applies is kept with the article (no query per render): one set
    on it, or on its section, or lifted, shows at the next render."""
    article = ArticleFactory(parent=section, slug="kept-open", title="Kept open")
    assert article.title in client.get("/world/kept-open/").content.decode()
    response, queries = _queries_of(client, "/world/kept-open/")
    assert article.title in response.content.decode()
    assert not any("wagtailcore_pageviewrestriction" in q for q in queries)

    restriction = PageViewRestriction.objects.create(
        page=section, restriction_type="password", password="x"
    )
    response = client.get("/world/kept-open/")
    assert "password" in response.content.decode().lower()
    assert article.title not in response.content.decode()

    restriction.delete()
    assert article.title in client.get("/world/kept-open/").content.decode()
    PageViewRestriction.objects.create(page=article, restriction_type="login")
    response = client.get("/world/kept-open/")
    assert response.status_code == 302 and "login" in response["Location"]


def test_an_article_read_from_a_replica_is_kept_without_its_restrictions(section, client):
    """A replica may lag behind a restriction just set: what it says is not kept, the
    restrictions are read per render as Wagtail does."""
    from gazette.news import routing

    ArticleFactory(parent=section, slug="from-replica")
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(routing, "reads_from_a_replica", lambda: True)
        client.get("/world/from-replica/")
    _, queries = _queries_of(client, "/world/from-replica/")
    assert any("wagtailcore_pageviewrestriction" in q for q in queries)


def test_an_article_of_another_section_is_not_found_under_this_one(home, section, client):
    other = SectionFactory(parent=home, title="Sport", slug="sport")
    ArticleFactory(parent=other, slug="the-final")
    assert client.get("/world/the-final/").status_code == 404
    assert client.get("/sport/the-final/").status_code == 200


def test_pages_that_are_not_articles_take_wagtails_way(home, section, client):
    nested = SectionFactory(parent=section, title="Europe", slug="europe")
    deeper = ArticleFactory(parent=nested, slug="deep-story", title="A deeper story")
    assert client.get("/world/europe/").status_code == 200  # a section at two levels
    response = client.get("/world/europe/deep-story/")
    assert response.status_code == 200 and deeper.title in response.content.decode()


def test_a_second_site_serves_its_own_articles(home, client):
    root = Page.get_first_root_node()
    other_home = root.add_child(instance=Page(title="Other", slug="other-home"))
    Site.objects.create(hostname="localhost", port=8080, root_page=other_home)
    SectionFactory(parent=home, title="World", slug="world")
    ours = ArticleFactory(parent=home.get_children().get(slug="world"), slug="same-slug")
    assert client.get("/world/same-slug/").status_code == 200
    response = client.get("/world/same-slug/", HTTP_HOST="localhost:8080", SERVER_PORT="8080")
    assert response.status_code == 404, "the other site has no such article"
    assert ours.title in client.get("/world/same-slug/").content.decode()


def test_an_address_that_is_no_article_is_not_kept(section, client):
    assert client.get("/world/no-such-story/").status_code == 404
    name = "article-at:testserver:80:world/no-such-story/"
    assert cache.get(SHARED_PARTS.key(name)) is None
    ArticleFactory(parent=section, slug="found-later", title="Found later")
    assert client.get("/world/found-later/").status_code == 200
    assert cache.get(SHARED_PARTS.key("article-at:testserver:80:world/found-later/")) is not None


@pytest.mark.parametrize("kind", ["article", "section"])
def test_a_hostile_long_address_makes_no_overlong_cache_key(section, client, kind):
    """An address near 8 KB is named by its digest in the shared parts: its key stays within
    the 250 characters caches keep (Django warned, CacheKeyWarning) and it is still a 404."""
    hostile = "a" * 8000
    url = f"/world/{hostile}/" if kind == "article" else f"/{hostile}/"
    with warnings.catch_warnings():
        warnings.simplefilter("error", CacheKeyWarning)
        assert client.get(url).status_code == 404


def test_an_article_at_a_long_address_is_kept_under_its_digest(section, client):
    """A long (legal) slug is served and kept as a short one is, under a short key."""
    slug = "long-" + "x" * 200
    ArticleFactory(parent=section, slug=slug, title="A long address")
    with warnings.catch_warnings():
        warnings.simplefilter("error", CacheKeyWarning)
        response, _ = _queries_of(client, f"/world/{slug}/")
        assert response.status_code == 200
        response, queries = _queries_of(client, f"/world/{slug}/")
    assert response.status_code == 200
    assert "A long address" in response.content.decode()
    assert _page_lookups(queries) == [], "kept under its digest and read back"
    request = RequestFactory().get(f"/world/{slug}/")
    key = SHARED_PARTS.key(routing._article_part_name(request, f"world/{slug}/"))
    assert len(key) < 250
    assert cache.get(key) is not None
