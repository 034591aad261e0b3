"""Site search: live articles only, highlighted snippets, filters, ordering, pagination, a
clear message for no results, and no error on any query string."""

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from gazette.search.views import RESULTS_PER_PAGE
from tests.factories import ArticleFactory, SectionFactory

pytestmark = pytest.mark.django_db

HOSTILE_QUERIES = [
    "",
    " ",
    "x" * 10_000,
    " ".join(["word"] * 500),
    '"',
    '"unbalanced',
    "'",
    "''; DROP TABLE wagtailcore_page; --",
    "1 OR 1=1",
    "AND OR NOT",
    "soldiers AND",
    "NOT",
    "*",
    "sold*",
    "NEAR(",
    "NEAR(soldiers border, 3)",
    "title:soldiers",
    "{body}: x",
    "^soldiers",
    "soldiers -border",
    "a & b | !c <-> d",
    "\\",
    "%",
    "_",
    "\x00",
    "sol\x00diers",
    "😀🔥",
    "soldiers 😀",
    "北한 군인",
    "<script>alert(1)</script>",
    "&amp;",
    "\u202e\u200b",
]


@pytest.fixture
def stories(home):
    world = SectionFactory(parent=home, title="World", slug="world")
    life = SectionFactory(parent=home, title="Lifestyle", slug="lifestyle")
    now = timezone.now()
    made = {
        "flee": ArticleFactory(
            parent=world,
            title="Soldiers flee across the border",
            standfirst="Eighteen soldiers crossed at night.",
            body=[("paragraph", "<p>The <b>soldiers</b> &amp; their families fled.</p>")],
            first_published_at=now - timedelta(days=3),
        ),
        "drift": ArticleFactory(
            parent=life,
            title="Porsche drift record on ice",
            standfirst="A car slid for miles.",
            body=[("paragraph", "<p>No soldiers were involved, said the driver.</p>")],
            first_published_at=now - timedelta(days=1),
        ),
        "markup": ArticleFactory(
            parent=world,
            title="Border <script>alert(1)</script> talks",
            standfirst="",
            body=[("paragraph", "<p>Talks on the border &lt;b&gt;resumed&lt;/b&gt;.</p>")],
            first_published_at=now - timedelta(days=2),
        ),
    }
    ArticleFactory(parent=world, title="Soldiers draft unpublished", live=False)
    made["stub"] = ArticleFactory(
        parent=world,
        title="Soldiers stub headline",
        body=[],
        is_headline_only=True,
        first_published_at=now - timedelta(days=5),
    )
    return made


def _search(client, **params):
    response = client.get("/search/", params)
    assert response.status_code == 200
    return response.content.decode()


def _headlines(html) -> list[str]:
    found = re.findall(
        r'class="search-result__headline" dir="auto"><a href="[^"]+">(.*?)</a>', html
    )
    return [re.sub(r"</?mark>", "", headline) for headline in found]


def test_finds_live_articles_with_marked_snippets(stories, client):
    html = _search(client, q="soldiers")
    headlines = _headlines(html)
    assert set(headlines) == {
        "Soldiers flee across the border",
        "Porsche drift record on ice",
        "Soldiers stub headline",
    }
    assert "Soldiers draft unpublished" not in html
    assert "<mark>Soldiers</mark> flee across the border" in html
    assert (
        "Eighteen <mark>soldiers</mark> crossed at night. The <mark>soldiers</mark> &amp;" in html
    )
    assert "Only the headline of this story has reached us so far." in html
    assert "3 stories match" in html


def test_markup_in_titles_and_bodies_stays_text(stories, client):
    html = _search(client, q="border talks")
    assert "<mark>Border</mark> &lt;script&gt;alert(1)&lt;/script&gt; <mark>talks</mark>" in html
    assert "<script>alert(1)" not in html
    assert "&lt;b&gt;resumed&lt;/b&gt;" in html  # the body's escaped text, shown as text


def test_filters_by_section_and_date(stories, client):
    assert _headlines(_search(client, q="soldiers", section="lifestyle")) == [
        "Porsche drift record on ice"
    ]
    today = timezone.localdate()
    recent = _search(client, q="soldiers", published_from=str(today - timedelta(days=2)))
    assert _headlines(recent) == ["Porsche drift record on ice"]
    older = _search(client, q="soldiers", published_to=str(today - timedelta(days=2)))
    assert set(_headlines(older)) == {"Soldiers flee across the border", "Soldiers stub headline"}


def test_newest_first_ordering(stories, client):
    assert _headlines(_search(client, q="soldiers", order="newest")) == [
        "Porsche drift record on ice",
        "Soldiers flee across the border",
        "Soldiers stub headline",
    ]


def test_relevance_puts_title_matches_first(stories, client):
    headlines = _headlines(_search(client, q="soldiers"))
    assert headlines[-1] == "Porsche drift record on ice"  # only its body mentions soldiers


def test_no_results_says_so_and_offers_a_way_out(stories, client):
    html = _search(client, q="zeppelin", section="world")
    assert "No stories match <q>zeppelin</q>" in html
    assert "Search all sections and dates" in html
    assert 'class="search-result"' not in html


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"q": "soldiers", "section": "nowhere"}, "Choose a section from the list."),
        ({"q": "soldiers", "published_from": "yesterday"}, "Enter the start date as YYYY-MM-DD."),
        ({"q": "soldiers", "published_from": "0001-01-01"}, "Enter a date between 1900 and 2999."),
        ({"q": "soldiers", "published_to": "9999-12-31"}, "Enter a date between 1900 and 2999."),
        (
            {"q": "x", "published_from": "2025-02-01", "published_to": "2025-01-01"},
            "The end date comes before the start date.",
        ),
        ({"q": "soldiers", "order": "random"}, "Order results by best match or newest first."),
    ],
)
def test_bad_filters_get_a_clear_message(stories, client, params, message):
    html = _search(client, **params)
    assert message in html
    assert 'role="alert"' in html


def test_no_query_string_breaks_search(stories, client):
    for query in HOSTILE_QUERIES:
        for order in ("relevance", "newest"):
            response = client.get("/search/", {"q": query, "order": order, "page": "x"})
            assert response.status_code == 200, repr(query)
            assert b"<script>alert(1)" not in response.content
    # Raw bytes that are not UTF-8 and repeated parameters are no error either.
    assert client.get("/search/?q=%FF%FE&q=two&section=%00&page=-1").status_code == 200


def test_long_query_says_it_was_shortened(stories, client):
    html = _search(client, q=" ".join(f"soldiers{n}" for n in range(30)))
    assert "Only the first 12 words of your search were used." in html


def test_paginates_with_the_query_kept(home, client):
    section = SectionFactory(parent=home, title="World", slug="world")
    now = timezone.now()
    for n in range(RESULTS_PER_PAGE + 2):
        ArticleFactory(
            parent=section, title=f"Harbour report {n}", first_published_at=now - timedelta(hours=n)
        )
    first = _search(client, q="harbour", order="newest")
    assert len(_headlines(first)) == RESULTS_PER_PAGE
    assert 'rel="next" href="?q=harbour&amp;order=newest&amp;page=2"' in first
    second = _search(client, q="harbour", order="newest", page="2")
    assert _headlines(second) == ["Harbour report 10", "Harbour report 11"]
    # Only what the page reads, in the cache key's order: no tracking parameter carried on.
    tracked = _search(client, utm_source="mail", order="newest", q="harbour", x="1")
    assert 'rel="next" href="?q=harbour&amp;order=newest&amp;page=2"' in tracked
    assert '<ol class="search-results__list" start="11">' in second


def _queries(client, params) -> int:
    client.get("/search/", params)
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/search/", params).status_code == 200
    return len(queries)


def test_results_take_a_fixed_number_of_queries(stories, client, home):
    params = {"q": "soldiers", "order": "newest"}
    few = _queries(client, params)
    section = SectionFactory(parent=home, title="Asia", slug="asia")
    for n in range(6):
        ArticleFactory(parent=section, title=f"Soldiers story {n}")
    many = _queries(client, params)
    assert few == many
    # site, settings, sections (navigation, filter check and list), restrictions, count,
    # results, renditions
    assert many <= 10, many


def test_stories_in_a_restricted_section_are_not_found(stories, client, home):
    from wagtail.models import PageViewRestriction

    private = SectionFactory(parent=home, title="Members", slug="members")
    ArticleFactory(parent=private, title="Soldiers members briefing")
    PageViewRestriction.objects.create(page=private, restriction_type="password", password="x")
    html = _search(client, q="soldiers")
    assert "briefing" not in html
    assert "3 stories match" in html
    assert 'value="members"' not in html  # nor offered as a filter
