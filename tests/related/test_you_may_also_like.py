""" "You May Also Like" as readers get it: the bar, the order, what never shows, the queries."""

import re
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from wagtail.models import PageViewRestriction

from gazette.news.models import ArticlePage
from gazette.news.renditions import generate_renditions
from gazette.related.models import EditorsExclusion, EditorsPick, SimilarArticle
from gazette.related.queries import forget_lists, you_may_also_like
from tests.factories import ArticleFactory, ImageFactory, SectionFactory, make_curated_list

from .corpus import build_corpus

pytestmark = pytest.mark.django_db


def _similar(article, *others, start=1):
    """Store a list as the recompute task would (it forgets the cached one too)."""
    forget_lists([article.pk])
    for rank, other in enumerate(others, start=start):
        SimilarArticle.objects.create(
            article=article,
            similar=other,
            rank=rank,
            score=1 / rank,
            reason="test",
            computed_at=timezone.now(),
        )


def _picks(article, *others):
    forget_lists([article.pk])
    for order, other in enumerate(others):
        EditorsPick.objects.create(article=article, pick=other, sort_order=order)


def _exclude(article, *others):
    forget_lists([article.pk])
    for order, other in enumerate(others):
        EditorsExclusion.objects.create(article=article, excluded=other, sort_order=order)


def _titles(article):
    return [a.title for a in you_may_also_like(article)]


def test_bar_four_of_five_picks_share_the_topic(home):
    topic_of = build_corpus(home)

    errors = StringIO()
    call_command("rebuild_related", stdout=StringIO(), stderr=errors)
    assert "30/30" in errors.getvalue()  # the progress bar reached the end

    for article in ArticlePage.objects.filter(pk__in=topic_of):
        shown = you_may_also_like(article)
        assert len(shown) == 5
        same = [a.title for a in shown if topic_of[a.pk] == topic_of[article.pk]]
        assert len(same) >= 4, (article.title, [a.title for a in shown])
    reasons = SimilarArticle.objects.values_list("reason", flat=True)
    assert all(reason for reason in reasons)


def test_editors_picks_come_first_then_similar_then_newest_of_section(home):
    world = SectionFactory(parent=home, title="World", slug="world")
    sport = SectionFactory(parent=home, title="Sport", slug="sport")
    now = timezone.now()
    article = ArticleFactory(parent=world, title="Article", first_published_at=now)
    newest = ArticleFactory(parent=world, title="Newest", first_published_at=now)
    similar = [ArticleFactory(parent=world, title=f"Similar {n}") for n in range(2)]
    pick_a = ArticleFactory(parent=sport, title="Pick A")
    pick_b = ArticleFactory(parent=sport, title="Pick B")
    _similar(article, similar[1], similar[0], pick_a)  # a pick is shown once, as a pick
    _picks(article, pick_b, pick_a)

    assert _titles(article) == ["Pick B", "Pick A", "Similar 1", "Similar 0", newest.title]


def test_excluded_kinds_never_appear(home):
    section = SectionFactory(parent=home)
    private = SectionFactory(parent=home, title="Members", slug="members")
    article = ArticleFactory(parent=section, title="Article")
    draft = ArticleFactory(parent=section, title="Draft", live=False)
    withdrawn = ArticleFactory(parent=section, title="Withdrawn")
    stub = ArticleFactory(parent=section, title="Stub", body=[], is_headline_only=True)
    members_only = ArticleFactory(parent=private, title="Members only")
    PageViewRestriction.objects.create(page=private, restriction_type="login")
    kept = ArticleFactory(parent=section, title="Kept")
    unwanted = [article, draft, withdrawn, stub, members_only]
    _similar(article, *unwanted, kept)
    _picks(article, *(page for page in unwanted if page is not stub))
    withdrawn.unpublish()

    assert _titles(article) == ["Kept"]


def test_an_editors_pick_shows_even_when_only_its_headline_is_known(home):
    section = SectionFactory(parent=home)
    article = ArticleFactory(parent=section, title="Article")
    stub = ArticleFactory(parent=section, title="Stub", body=[], is_headline_only=True)
    other_stub = ArticleFactory(parent=section, title="Other stub", body=[], is_headline_only=True)
    kept = ArticleFactory(parent=section, title="Kept")
    _similar(article, other_stub, kept)
    _picks(article, stub)

    # An editor chose it; the computed ones (and the newest of the section) still need a body.
    assert _titles(article) == ["Stub", "Kept"]


def test_falls_back_to_the_newest_of_the_section(home):
    world = SectionFactory(parent=home, title="World", slug="world")
    elsewhere = SectionFactory(parent=home, title="Sport", slug="sport")
    now = timezone.now()
    article = ArticleFactory(parent=world, title="Article", first_published_at=now)
    for hours in range(1, 8):
        ArticleFactory(
            parent=world, title=f"{hours} h old", first_published_at=now - timedelta(hours=hours)
        )
    ArticleFactory(parent=world, title="Stub", body=[], is_headline_only=True)
    ArticleFactory(parent=elsewhere, title="Other section", first_published_at=now)

    assert _titles(article) == [f"{hours} h old" for hours in range(1, 6)]
    _similar(article, ArticlePage.objects.get(title="5 h old"))
    assert _titles(article)[0] == "5 h old"


def test_an_excluded_article_leaves_the_list_and_the_next_one_fills_its_place(home):
    world = SectionFactory(parent=home, title="World", slug="world")
    now = timezone.now()
    article = ArticleFactory(parent=world, title="Article", first_published_at=now)
    similar = [
        ArticleFactory(
            parent=world, title=f"Similar {n}", first_published_at=now - timedelta(days=9)
        )
        for n in range(7)
    ]
    newest = [
        ArticleFactory(
            parent=world, title=f"{h} h old", first_published_at=now - timedelta(hours=h)
        )
        for h in range(1, 4)
    ]
    _similar(article, *similar)
    assert _titles(article) == [f"Similar {n}" for n in range(5)]

    _exclude(article, similar[1], similar[3])
    assert _titles(article) == ["Similar 0", "Similar 2", "Similar 4", "Similar 5", "Similar 6"]

    # Excluded from the newest of the section as well, which fill up a short list in order.
    _exclude(article, similar[5], similar[6], newest[0])
    assert _titles(article) == ["Similar 0", "Similar 2", "Similar 4", "2 h old", "3 h old"]


def test_an_editors_pick_shows_even_when_also_excluded(home):
    section = SectionFactory(parent=home)
    article = ArticleFactory(parent=section, title="Article")
    both = ArticleFactory(parent=section, title="Both")
    _similar(article, both)
    _picks(article, both)
    _exclude(article, both)
    assert _titles(article)[0] == "Both"


def test_reading_the_list_takes_two_queries_whatever_it_holds(home, django_assert_num_queries):
    section = SectionFactory(parent=home)
    few = ArticleFactory(parent=section)
    many = ArticleFactory(parent=section)
    others = [ArticleFactory(parent=section, lead_image=ImageFactory(small=True)) for _ in range(8)]
    for page in others:
        generate_renditions(page)
    _picks(few, others[0])
    _picks(many, *others[:3])
    _similar(many, *others[3:])
    _exclude(many, others[3])

    for article in (few, many):
        with django_assert_num_queries(2):  # the list, the renditions of its teasers
            shown = you_may_also_like(article)
            assert len(shown) == 5
            for teaser in shown:  # what the teaser template reads costs nothing more
                assert teaser.section.display_label
                assert teaser.lead_image.get_rendition("fill-480x270").url


def test_the_page_shows_the_numbered_list_before_must_reads(home, client):
    world = SectionFactory(parent=home, title="World", slug="world")
    lifestyle = SectionFactory(parent=home, title="Lifestyle", slug="lifestyle")
    article = ArticleFactory(parent=world, title="Article")
    picks = [ArticleFactory(parent=lifestyle, title=f"Pick {n}") for n in range(5)]
    _picks(article, *picks)
    make_curated_list("must-reads", picks[:1])
    small = ArticleFactory(parent=world, title="Few picks")
    _picks(small, picks[0])

    def render(page):
        client.get(page.url)  # per-process caches warm
        with CaptureQueriesContext(connection) as queries:
            html = client.get(page.url).content.decode()
        return html, len(queries)

    html, count = render(article)
    start = html.index('<section class="rail__block" aria-labelledby="you-may-also-like-heading">')
    block = html[start : html.index("</section>", start)]
    assert (
        '<h2 id="you-may-also-like-heading" class="rail__heading">You May Also Like</h2>' in block
    )
    assert re.findall(r'ranked-list__rank" aria-hidden="true">(\d)<', block) == list("12345")
    assert re.findall(r">(Pick \d)</a>", block) == [f"Pick {n}" for n in range(5)]
    assert block.count('<p class="section-label">Lifestyle</p>') == 5
    assert start < html.index('id="must-reads-heading"')
    assert html.index('id="latest-stories-heading"') < start
    assert render(small)[1] == count  # one pick or five: the same queries
