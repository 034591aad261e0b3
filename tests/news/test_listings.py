"""Section, home and author pages: newest first, paginated, in a fixed number of queries."""

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from gazette.news.renditions import generate_renditions
from tests.factories import ArticleFactory, AuthorFactory, ImageFactory, SectionFactory

pytestmark = pytest.mark.django_db


def _count(client, url) -> tuple[str, int]:
    client.get(url)  # warm per-process caches (site root paths, content types)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode(), len(queries)


def _stories(section, count, **kwargs):
    now = timezone.now()
    stories = []
    for n in range(count):
        story = ArticleFactory(
            parent=section,
            title=f"{section.title} story {n}",
            lead_image=ImageFactory(small=True),
            first_published_at=now - timedelta(minutes=n),
            **kwargs,
        )
        generate_renditions(story)
        stories.append(story)
    return stories


@pytest.fixture
def page_size(monkeypatch) -> int:
    """Pages of four stories: pagination is tested on six stories rather than on twenty-odd."""
    monkeypatch.setattr("gazette.news.models.SECTION_PAGE_SIZE", 4)
    monkeypatch.setattr("gazette.news.authors.ARTICLES_PER_PAGE", 4)
    return 4


def _headlines(html) -> list[str]:
    return re.findall(r'class="story-card__headline" dir="auto"><a href="[^"]+">([^<]+)</a>', html)


def test_section_page_lists_newest_first_with_a_fixed_query_count(home, client):
    small = SectionFactory(parent=home, title="Small", slug="small")
    large = SectionFactory(parent=home, title="Large", slug="large")
    _stories(small, 2)
    _stories(large, 12)
    ArticleFactory(parent=large, title="Unpublished draft", live=False)

    _small_html, small_queries = _count(client, small.url)
    large_html, large_queries = _count(client, large.url)
    assert small_queries == large_queries
    assert _headlines(large_html) == [f"Large story {n}" for n in range(12)]
    assert "Unpublished draft" not in large_html


def test_section_page_paginates(home, client, page_size):
    section = SectionFactory(parent=home, title="World", slug="world")
    _stories(section, page_size + 3)
    first = client.get(section.url).content.decode()
    second = client.get(section.url + "?page=2").content.decode()
    assert len(_headlines(first)) == page_size
    assert _headlines(second) == [f"World story {n}" for n in range(page_size, page_size + 3)]
    assert 'rel="next"' in first and 'rel="prev"' in second
    # A page number past the end or not a number shows the nearest page, never an error.
    assert client.get(section.url + "?page=99").status_code == 200
    assert client.get(section.url + "?page=abc").status_code == 200


def test_home_page_has_lead_story_and_newest_per_section_in_fixed_queries(home, client):
    world = SectionFactory(parent=home, title="World", slug="world")
    _stories(world, 2)
    _, few = _count(client, home.url)

    for name in ("Lifestyle", "Business", "Sport"):
        _stories(SectionFactory(parent=home, title=name, slug=name.lower()), 6)
    html, many = _count(client, home.url)
    assert few == many
    assert 'aria-label="Lead story"' in html
    for name in ("World", "Lifestyle", "Business", "Sport"):
        assert f">{name}</a></h2>" in html
    # The newest story leads; every section then shows at most four others.
    headlines = _headlines(html)
    assert headlines[0] == "Sport story 0"
    assert headlines.count("Sport story 0") == 1
    assert len(headlines) == 1 + 2 + 4 * 3


def test_author_page_lists_the_authors_articles_newest_first(home, client, page_size):
    author = AuthorFactory(name="Daniel Kim", slug="daniel-kim", bio="Covers Korea.")
    other = AuthorFactory(name="Someone Else", slug="someone-else")
    section = SectionFactory(parent=home, title="World", slug="world")
    _stories(section, 3, authors=[author])
    ArticleFactory(parent=section, title="Not his", authors=[other])

    html, few = _count(client, author.get_absolute_url())
    assert _headlines(html) == ["World story 0", "World story 1", "World story 2"]
    assert "Covers Korea." in html and "Not his" not in html

    _stories(SectionFactory(parent=home, title="Asia", slug="asia"), 6, authors=[author])
    html, many = _count(client, author.get_absolute_url())
    assert few == many
    assert len(_headlines(html)) == page_size and 'rel="next"' in html


def test_unknown_author_is_a_404(db, client):
    assert client.get("/authors/nobody/").status_code == 404


def test_a_section_page_of_stories_is_kept_until_the_content_changes(home, client, page_size):
    section = SectionFactory(parent=home, title="World", slug="world")
    _stories(section, page_size + 2)
    client.get(section.url + "?page=2")
    with CaptureQueriesContext(connection) as queries:
        second = client.get(section.url + "?page=2").content.decode()
    # Kept as HTML (gazette.news.section_stories): neither the count nor the stories are read.
    assert not any('FROM "news_articlepage"' in q["sql"] for q in queries)
    assert _headlines(second) == ["World story 4", "World story 5"]

    ArticleFactory(parent=section, title="Just in", first_published_at=timezone.now())
    assert _headlines(client.get(section.url).content.decode())[0] == "Just in"
    assert _headlines(client.get(section.url + "?page=2").content.decode()) == [
        "World story 3",
        "World story 4",
        "World story 5",
    ]


def test_a_page_number_that_is_not_plain_is_answered_without_being_kept(home, client):
    section = SectionFactory(parent=home, title="World", slug="world")
    _stories(section, 3)
    first = _headlines(client.get(section.url).content.decode())
    for odd in ("abc", "01", "99999", "-1"):
        client.get(f"{section.url}?page={odd}")
        with CaptureQueriesContext(connection) as queries:
            response = client.get(f"{section.url}?page={odd}")
        assert response.status_code == 200
        assert _headlines(response.content.decode()) == first
        assert any('FROM "news_articlepage"' in q["sql"] for q in queries), odd


def test_the_front_page_is_kept_until_the_content_changes(home, client):
    world = SectionFactory(parent=home, title="World", slug="world")
    _stories(world, 3)
    client.get(home.url)
    with CaptureQueriesContext(connection) as queries:
        html = client.get(home.url).content.decode()
    # Kept as HTML (gazette.home.front): no story is read.
    assert not any('FROM "news_articlepage"' in q["sql"] for q in queries)
    assert _headlines(html)[0] == "World story 0"

    ArticleFactory(parent=world, title="Just in", first_published_at=timezone.now())
    assert _headlines(client.get(home.url).content.decode())[0] == "Just in"
