"""A search looks at CANDIDATE_LIMIT matches at most (the most recently indexed that pass
the filters on SQLite, the most recently published on PostgreSQL), lets a reader page
through the best RANKED_LIMIT, and estimates the count past the candidates; below that the
count is exact. Both limits are lowered to a few stories."""

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from gazette.search import queries, views
from gazette.search.queries import NEWEST, RELEVANCE, SearchFilters, search_articles
from gazette.search.terms import parse_terms
from tests.factories import ArticleFactory, SectionFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def low_limits(monkeypatch):
    monkeypatch.setattr(queries, "CANDIDATE_LIMIT", 5)
    monkeypatch.setattr(queries, "RANKED_LIMIT", 3)
    monkeypatch.setattr(views, "RANKED_LIMIT", 3)
    monkeypatch.setattr(views, "RESULTS_PER_PAGE", 2)


@pytest.fixture
def harbours(home):
    """Six stories that mention the harbour, an hour apart (story 0 the newest and the last
    indexed), alternately in World and Sport; stories 0 and 1 say it in the headline."""
    world = SectionFactory(parent=home, title="World", slug="world")
    sport = SectionFactory(parent=home, title="Sport", slug="sport")
    now = timezone.now()
    for n in reversed(range(6)):
        ArticleFactory(
            parent=world if n % 2 == 0 else sport,
            title=f"Harbour story {n}" if n < 2 else f"Quay story {n}",
            standfirst="A report from the harbour.",
            first_published_at=now - timedelta(hours=n),
        )
    return {"world": world, "sport": sport}


def _summary(html: str) -> str:
    found = re.search(r'class="search-results__summary">(.*?)</h2>', html, re.S)
    return re.sub(r"<[^>]+>", "", found.group(1))


def _headlines(html: str) -> list[str]:
    found = re.findall(
        r'class="search-result__headline" dir="auto"><a href="[^"]+">(.*?)</a>', html
    )
    return [re.sub(r"</?mark>", "", headline) for headline in found]


def _page(client, **params) -> str:
    response = client.get("/search/", params)
    assert response.status_code == 200
    return response.content.decode()


def test_past_the_limits_only_the_best_are_paged_and_the_count_is_estimated(
    low_limits, harbours, client
):
    html = _page(client, q="harbour")
    # Five candidates looked at, all five passed: 6 index matches x 5/5.
    assert _summary(html) == "About 6 stories match harbour"
    assert "Showing the best 3. Add words, a section or dates to narrow the search." in html
    # The best matches come first: the headline matches.
    assert set(_headlines(html)) == {"Harbour story 0", "Harbour story 1"}
    assert "Page 1 of 2" in html
    last = _page(client, q="harbour", page="2")
    assert len(_headlines(last)) == 1  # the third and last ranked story
    assert 'rel="next"' not in last
    # A page past the ranked ones shows the last of them.
    assert _headlines(_page(client, q="harbour", page="9")) == _headlines(last)

    newest = _page(client, q="harbour", order="newest")
    assert _summary(newest) == "About 6 stories match harbour"
    assert "Showing the newest 3." in newest
    assert _headlines(newest) == ["Harbour story 0", "Harbour story 1"]
    assert _headlines(_page(client, q="harbour", order="newest", page="2")) == ["Quay story 2"]


def test_the_estimate_follows_the_filters_and_small_counts_are_exact(
    low_limits, harbours, client, monkeypatch
):
    for order in (RELEVANCE, NEWEST):
        sport = SearchFilters(section=harbours["sport"], order=order)
        results = search_articles(terms=parse_terms("harbour"), filters=sport)
        assert (results.count(), results.total, results.total_is_estimate) == (3, 3, False)
        assert not results.capped  # all three can be paged through
    html = _page(client, q="harbour", section="sport")
    assert _summary(html) == "3 stories match harbour"
    assert "Showing the" not in html

    monkeypatch.setattr(queries, "CANDIDATE_LIMIT", 2)
    for order in (RELEVANCE, NEWEST):
        world = SearchFilters(section=harbours["world"], order=order)
        results = search_articles(terms=parse_terms("harbour"), filters=world)
        # Stories 0 and 2 passed of the three newest entries (0, 1, 2) looked at: 6 x 2/3.
        assert (results.count(), results.total, results.total_is_estimate) == (2, 4, True)


@pytest.mark.parametrize(("number", "shown"), [(7, 7), (99, 99), (8312, 8300), (12_345, 12_000)])
def test_estimates_keep_two_figures(number, shown):
    assert queries._two_figures(number) == shown


def test_an_estimated_count_takes_a_fixed_number_of_queries(
    low_limits, harbours, client, monkeypatch
):
    monkeypatch.setattr(queries, "CANDIDATE_LIMIT", 2)
    counted = {}
    for order in (RELEVANCE, NEWEST):
        params = {"q": "harbour", "order": order, "section": "world"}
        _page(client, **params)
        with CaptureQueriesContext(connection) as made:
            assert "About 4 stories match" in _page(client, **params)
        counted[order] = len(made)
    for n in range(2):
        # The newest both by indexing (SQLite's candidate order) and by publication (that of
        # PostgreSQL's own table).
        ArticleFactory(
            parent=harbours["world"], title=f"Harbour extra {n}", first_published_at=timezone.now()
        )
    for order in (RELEVANCE, NEWEST):
        params = {"q": "harbour", "order": order, "section": "world"}
        _page(client, **params)  # the new articles retired the cached site menu: read it again
        with CaptureQueriesContext(connection) as made:
            # The two newest entries both passed: 8 matches x 2/2.
            assert "About 8 stories match" in _page(client, **params)
        assert len(made) == counted[order], order
