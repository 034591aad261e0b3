"""The article page: its view count in the byline, Popular Now in the rail, and what they cost."""

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from gazette.analytics.counters import hour_of
from gazette.analytics.models import TotalViews
from gazette.analytics.services import flush_views, record_beacon, write_batch
from tests.factories import ArticleFactory, SectionFactory, make_curated_list

from .common import reader

pytestmark = pytest.mark.django_db


@pytest.fixture
def articles(home):
    section = SectionFactory(parent=home, title="World", slug="world")
    now = timezone.now()
    return [
        ArticleFactory(
            parent=section, title=f"Story {n}", first_published_at=now - timedelta(hours=n)
        )
        for n in range(8)
    ]


def _get(client, article) -> tuple[str, list[str]]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(article.url)
    assert response.status_code == 200
    return response.content.decode(), [query["sql"] for query in queries]


def _byline(html: str) -> str:
    return re.search(r'<p class="byline">(.*?)</p>', html, re.S).group(1)


def test_an_article_never_counted_shows_no_number(client, articles):
    html, _ = _get(client, articles[0])
    byline = _byline(html)
    counter = re.search(r"<span class=\"byline__views\"[^>]*>(.*?)</span>", byline).group(0)
    assert f'data-views-endpoint="/analytics/views/{articles[0].pk}/"' in counter
    assert (
        " hidden>" in counter and "<data" not in counter and "view" not in counter.split(">", 1)[1]
    )
    assert (
        f'<noscript><img class="visually-hidden" src="/analytics/views/{articles[0].pk}/pixel.gif"'
        in byline
    )
    assert '<script src="/static/js/views.js" defer></script>' in html


@pytest.mark.parametrize(
    ("stored", "shown"),
    [
        (1, "1</data> view<"),
        (987, "987</data> views"),
        (1_204, "1,204</data> views"),
        (12_345, "12.3K</data> views"),
        (1_234_567, "1.2M</data> views"),
    ],
)
def test_the_count_is_shown_for_humans(client, articles, stored, shown):
    write_batch({(articles[0].pk, hour_of(timezone.now())): stored})
    byline = _byline(_get(client, articles[0])[0])
    assert f'<data value="{stored}">' in byline and shown in byline
    assert " hidden" not in byline


def test_a_view_shows_before_it_is_flushed(client, articles):
    write_batch({(articles[0].pk, hour_of(timezone.now())): 1_203})
    record_beacon(article_id=articles[0].pk, meta=reader(1))  # not flushed yet
    assert '<data value="1204">1,204</data> views' in _byline(_get(client, articles[0])[0])


def test_previews_carry_no_beacon(client, articles, admin_client):
    article = articles[0]
    response = admin_client.get(f"/admin/pages/{article.pk}/view_draft/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Story 0" in html
    assert "/analytics/views/" not in html and "views.js" not in html


def test_popular_now_sits_in_the_rail_between_the_related_lists_and_must_reads(client, articles):
    now = timezone.now()
    write_batch({(articles[5].pk, hour_of(now)): 50, (articles[2].pk, hour_of(now)): 40})
    make_curated_list("must-reads", articles[6:])
    html, _ = _get(client, articles[0])
    rail = html[html.index('<aside class="rail"') :]
    headings = re.findall(r'<h2 id="([\w-]+)-heading"', rail)
    assert headings.index("popular-now") > headings.index("latest-stories")
    assert headings.index("popular-now") < headings.index("must-reads")
    if "you-may-also-like" in headings:
        assert headings.index("you-may-also-like") < headings.index("popular-now")

    popular = rail[rail.index('aria-labelledby="popular-now-heading"') :]
    popular = popular[: popular.index("</section>")]
    titles = re.findall(r'class="teaser__headline" href="[^"]+" dir="auto">([^<]+)</a>', popular)
    # The two most read, then the newest; never the article being read.
    assert titles == ["Story 5", "Story 2", "Story 1", "Story 3", "Story 4"]
    assert re.findall(r'ranked-list__rank" aria-hidden="true">(\d)', popular) == list("12345")
    assert popular.count('class="section-label">World</p>') == 5


def test_view_count_and_popular_now_cost_a_fixed_few_queries_and_write_nothing(client, articles):
    now = timezone.now()
    _get(client, articles[0])  # warms per-process caches and Popular Now
    _, few_views = _get(client, articles[1])
    write_batch({(article.pk, hour_of(now)): 1000 + n for n, article in enumerate(articles)})
    for number in range(20):
        record_beacon(article_id=articles[2].pk, meta=reader(number))
    _, many_views = _get(client, articles[2])

    assert len(many_views) == len(few_views)
    for queries in (few_views, many_views):
        analytics = [sql for sql in queries if "analytics_" in sql]
        # The byline's count, the article's first render since the last flush: one query.
        # Popular Now on a warm cache: none.
        assert len(analytics) == 1 and "analytics_totalviews" in analytics[0]
        writes = [sql for sql in queries if re.match(r"\s*(INSERT|UPDATE|DELETE)", sql, re.I)]
        assert writes == []


def _shown(client, article) -> str:
    return re.search(r"<data value=\"(\d+)\">", _byline(_get(client, article)[0])).group(1)


def test_the_stored_total_is_kept_until_the_next_flush_that_writes(client, articles):
    article, other = articles[0], articles[1]
    hour = hour_of(timezone.now())
    write_batch({(article.pk, hour): 10, (other.pk, hour): 3})
    assert _shown(client, article) == "10"
    _, queries = _get(client, article)
    assert not [sql for sql in queries if "analytics_" in sql]  # kept: no query

    # A view not flushed yet shows at once, on top of the kept total.
    record_beacon(article_id=article.pk, meta=reader(1))
    assert _shown(client, article) == "11"
    # The flush writes it (through the counter, as the worker or the flusher thread does):
    # the kept totals go, so it is neither lost nor counted twice.
    assert flush_views() == 1
    assert _shown(client, article) == "11"
    _, queries = _get(client, article)
    assert not [sql for sql in queries if "analytics_" in sql]
    # Any flush that wrote forgets every article's kept total; one that wrote nothing keeps them.
    write_batch({(other.pk, hour): 5})
    assert _shown(client, article) == "11"
    assert _shown(client, other) == "8"
    assert flush_views() == 0
    _, queries = _get(client, other)
    assert not [sql for sql in queries if "analytics_" in sql]


def test_a_flush_the_cache_cannot_hear_is_still_a_flush(client, articles, monkeypatch):
    from gazette.analytics.services import STORED_VIEWS

    def unreachable():
        raise ConnectionError("the cache is down")

    monkeypatch.setattr(STORED_VIEWS, "retire_now", unreachable)
    hour = hour_of(timezone.now())
    assert write_batch({(articles[0].pk, hour): 4}) == 4  # written, and said so
    assert TotalViews.objects.get(article=articles[0]).views == 4


def test_popular_now_on_a_cold_cache_costs_a_few_queries_whatever_the_views(client, articles):
    from gazette.analytics.queries import POPULAR_NOW, popular_now_names

    def popular_now_cost() -> int:
        _get(client, articles[1])
        _, warm = _get(client, articles[1])
        POPULAR_NOW.forget(popular_now_names())  # the list and its HTML
        _, cold = _get(client, articles[1])
        return len(cold) - len(warm)

    hour = hour_of(timezone.now())
    write_batch({(article.pk, hour): 10 for article in articles[:2]})
    filled_up = popular_now_cost()  # two viewed, four from the newest
    write_batch({(article.pk, hour): 10 for article in articles})
    ranked = popular_now_cost()
    write_batch({(article.pk, hour): 100_000 for article in articles})
    assert popular_now_cost() == ranked
    assert 0 < ranked <= filled_up <= 6
