"""The home page and the sections are kept by their address (gazette.news.routing.serve_page),
as the article is: a warm render asks the database nothing, and every change that could
alter what is kept (a publish, an unpublish, a move, a rename, a new edition, a view
restriction) shows at the next render. Each of those retires the shared parts
(gazette.news.lifecycle, gazette.core.editions); the tests below fail without it."""

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from wagtail.models import Locale, Page, PageViewRestriction, Site

from gazette.core.shared_parts import SHARED_PARTS
from tests.conftest import translate
from tests.factories import ArticleFactory, SectionFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(home):
    section = SectionFactory(parent=home, title="World", slug="world")
    ArticleFactory(parent=section, title="Floods in the north", slug="floods")
    return section


def _queries_of(client, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    return response, [q["sql"] for q in queries]


def _kept(path: str) -> bool:
    return cache.get(SHARED_PARTS.key(f"page-at:testserver:80:{path}")) is not None


@pytest.mark.parametrize("url", ["/", "/world/", "/world/?page=2"])
def test_a_warm_home_or_section_page_asks_the_database_nothing(world, client, url):
    """Wagtail's site lookup, tree walk and view restrictions were 4 queries (home) and 6
    (section) on every uncached render: the page is now kept with the site and the listings."""
    response, queries = _queries_of(client, url)
    assert response.status_code == 200
    assert any('"wagtailcore_page"."url_path" =' in q for q in queries)
    response, queries = _queries_of(client, url)
    assert response.status_code == 200
    assert queries == []


def test_home_and_section_are_found_by_address_not_by_wagtails_walk(world, client):
    _, queries = _queries_of(client, "/world/")
    # The section by its address (and its specific row); Wagtail's walk reads the home page's
    # specific row and then the section's children by slug.
    assert not any('FROM "home_homepage"' in q for q in queries)
    assert _kept("world/") and not _kept("")
    client.get("/")
    assert _kept("")


def test_a_section_renamed_unpublished_or_republished_shows_at_once(world, client):
    assert "<h1>World</h1>" in client.get("/world/").content.decode()

    world.title = "The World"
    world.save_revision().publish()
    html = client.get("/world/").content.decode()
    assert "<h1>The World</h1>" in html and "<title>The World | " in html  # the kept head

    world.slug = "globe"
    world.save_revision().publish()
    assert client.get("/world/").status_code == 404
    assert client.get("/globe/").status_code == 200
    assert 'href="/globe/floods/"' in client.get("/globe/").content.decode()

    world.unpublish()
    assert client.get("/globe/").status_code == 404
    world.refresh_from_db()
    world.save_revision().publish()
    assert client.get("/globe/").status_code == 200


def test_a_section_moved_away_is_no_longer_at_its_address(world, home, client):
    other = SectionFactory(parent=home, title="Archive", slug="archive")
    assert client.get("/world/").status_code == 200
    Page.objects.get(pk=world.pk).move(other, pos="last-child")
    # Wagtail's redirect to where it went, not the kept page.
    response = client.get("/world/")
    assert response.status_code == 301 and response["Location"] == "/archive/world/"
    # At its new, deeper address, found by Wagtail's walk.
    assert client.get("/archive/world/").status_code == 200


def test_the_home_page_unpublished_or_retitled_shows_at_once(world, home, client):
    assert client.get("/").status_code == 200
    home.search_description = "The news of the day"
    home.save_revision().publish()
    assert 'content="The news of the day"' in client.get("/").content.decode()
    home.unpublish()
    assert client.get("/").status_code == 404


def test_a_story_published_shows_on_the_kept_home_and_section(world, client):
    client.get("/"), client.get("/world/")
    ArticleFactory(parent=world, title="Rain stops at last", slug="rain-stops")
    assert "Rain stops at last" in client.get("/").content.decode()
    assert "Rain stops at last" in client.get("/world/").content.decode()


@pytest.mark.parametrize("restricted", ["home", "world"])
def test_a_view_restriction_guards_a_kept_page_at_once_and_lifting_it_shows_it(
    world, home, client, restricted
):
    """Whether a restriction applies is kept with the page: one set on it or above it (the
    home page's covers its sections) guards it at the next render."""
    client.get("/"), client.get("/world/")
    _, queries = _queries_of(client, "/world/")
    assert not any("wagtailcore_pageviewrestriction" in q for q in queries)

    guarded = {"home": home, "world": world}[restricted]
    restriction = PageViewRestriction.objects.create(
        page=guarded, restriction_type="password", password="x"
    )
    urls = ["/", "/world/"] if restricted == "home" else ["/world/"]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200
        assert 'name="password"' in response.content.decode(), url
        assert "Floods in the north" not in response.content.decode(), url
    if restricted == "world":
        assert 'name="password"' not in client.get("/").content.decode()

    restriction.delete()
    for url in urls:
        assert "Floods in the north" in client.get(url).content.decode(), url


def test_a_page_read_from_a_replica_is_kept_without_its_restrictions(world, client):
    from gazette.news import routing

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(routing, "reads_from_a_replica", lambda: True)
        client.get("/world/")
    _, queries = _queries_of(client, "/world/")
    assert any("wagtailcore_pageviewrestriction" in q for q in queries)


def test_a_draft_section_is_not_shown_and_not_kept(home, client):
    SectionFactory(parent=home, title="Soon", slug="soon", live=False)
    assert client.get("/soon/").status_code == 404
    assert not _kept("soon/")
    assert client.get("/no-such-section/").status_code == 404
    assert not _kept("no-such-section/")


def test_a_page_of_another_kind_at_a_sections_address_takes_wagtails_way(home, client):
    """Only the home page and sections are kept (KeptByAddress): anything else one slug deep
    is served as Wagtail finds it, and nothing is kept for it."""
    home.add_child(instance=Page(title="About us", slug="about"))
    response = client.get("/about/")
    assert response.status_code == 200
    assert "About us" in response.content.decode()
    assert not _kept("about/")


def test_an_editions_home_and_section_are_kept_apart_from_the_sites(editions, client):
    for _ in range(2):  # cold, then warm
        home, ko_home = client.get("/").content.decode(), client.get("/ko/").content.decode()
        world, ko_world = client.get("/world/"), client.get("/ko/world/")
        assert '<html lang="ko"' in ko_home and "북부 홍수" in ko_home
        assert "Only in English" in home and "북부 홍수" not in home
        assert "<h1>세계</h1>" in ko_world.content.decode()
        assert "<h1>World</h1>" in world.content.decode()
        assert "Only in English" not in ko_world.content.decode()
    # Neither the site nor the page is looked up again (the editions' links are one query
    # of their own, as on every page of a site with editions).
    _, queries = _queries_of(client, "/ko/world/")
    assert not any('"url_path" =' in q or "wagtailcore_site" in q for q in queries)
    assert not any("wagtailcore_pageviewrestriction" in q for q in queries)


def test_a_new_edition_is_served_at_once(home, client):
    world = SectionFactory(parent=home, title="World", slug="world")
    assert client.get("/").status_code == 200 and client.get("/world/").status_code == 200
    assert client.get("/ko/").status_code == 404
    assert 'hreflang="ko"' not in client.get("/world/").content.decode()
    korean = Locale.objects.create(language_code="ko")
    ko_home = translate(home, korean)
    translate(world, korean, title="세계")
    # The kept head of the English section now links its Korean translation.
    assert '<link rel="alternate" hreflang="ko"' in client.get("/world/").content.decode()
    response = client.get("/ko/")
    assert response.status_code == 200 and '<html lang="ko"' in response.content.decode()
    assert "<h1>세계</h1>" in client.get("/ko/world/").content.decode()
    assert "<h1>World</h1>" in client.get("/world/").content.decode()

    ko_home.unpublish()
    assert client.get("/ko/").status_code == 404


def test_a_second_site_serves_its_own_home_page(home, client):
    from gazette.home.models import HomePage

    root = Page.get_first_root_node()
    other_home = root.add_child(instance=HomePage(title="Other", slug="other-home"))
    Site.objects.create(hostname="localhost", port=8080, root_page=other_home)
    SectionFactory(parent=home, title="World", slug="world")
    assert client.get("/world/").status_code == 200
    other = {"HTTP_HOST": "localhost:8080", "SERVER_PORT": "8080"}
    assert client.get("/world/", **other).status_code == 404, "the other site has no World"
    assert client.get("/", **other).status_code == 200
    assert client.get("/world/").status_code == 200


def test_the_site_name_saved_shows_at_once_in_the_kept_heads(world, client):
    from gazette.core.models import SiteIdentity

    assert "<title>World | " in client.get("/world/").content.decode()
    client.get("/")
    identity = SiteIdentity.for_site(Site.objects.get(is_default_site=True))
    identity.name = "The Morning Post"
    identity.save()
    assert "<title>World | The Morning Post</title>" in client.get("/world/").content.decode()
    assert "<title>The Morning Post: the news | " in client.get("/").content.decode()
