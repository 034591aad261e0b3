"""Keeping the stored lists: the task on publishing, changing and unpublishing, the command."""

from datetime import UTC, datetime, timedelta
from io import StringIO

import pytest
import time_machine
from django.core.management import call_command

from gazette.related import services
from gazette.related.models import EditorsExclusion, SimilarArticle
from gazette.related.queries import you_may_also_like
from gazette.related.services import rebuild_related, refresh_related
from tests.factories import ArticleFactory, SectionFactory

pytestmark = pytest.mark.django_db

FIRES = [
    ("Wildfire forces evacuations", "Crews fought the wildfire as flames and smoke spread."),
    ("Bushfire season starts early", "Dry bush and heat raise the wildfire risk; crews ready."),
    ("Smoke from wildfires drifts east", "Smoke from the wildfire flames closed schools."),
]
RATES = [
    ("Central bank raises rates", "Interest rates rose as inflation stayed high."),
    ("Inflation cools, rates on hold", "The central bank kept interest rates unchanged."),
    ("Mortgage rates climb", "Borrowers pay more as interest rates and inflation rise."),
]
T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def _article(section, title, text, **kwargs):
    return ArticleFactory(
        parent=section, title=title, standfirst="", body=[("paragraph", f"<p>{text}</p>")], **kwargs
    )


def _stored(article):
    return list(
        SimilarArticle.objects.filter(article=article)
        .order_by("rank")
        .values_list("similar__title", flat=True)
    )


def _lists():
    return {
        (row.article_id, row.similar_id): (row.rank, row.score, row.reason)
        for row in SimilarArticle.objects.all()
    }


@pytest.fixture
def section(home):
    return SectionFactory(parent=home, title="News", slug="news")


def test_publishing_computes_the_lists_in_a_task_after_commit(
    section, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        first = _article(section, *FIRES[0])
    assert callbacks, "publishing queues the task once the transaction commits"
    with django_capture_on_commit_callbacks(execute=True):
        rates = _article(section, *RATES[0])
        second = _article(section, *FIRES[1])

    assert _stored(second) == [first.title]
    assert _stored(first) == [second.title]  # the new article entered the older one's list
    assert _stored(rates) == []
    row = SimilarArticle.objects.get(article=first)
    assert row.score > 0 and "wildfire" in row.reason.lower()


def test_an_article_enters_the_full_lists_it_now_beats_and_no_other(section, monkeypatch):
    monkeypatch.setattr(services, "STORED_COUNT", 2)
    fires = [_article(section, *story) for story in FIRES]
    rates = [_article(section, *story) for story in RATES]
    with time_machine.travel(T0, tick=False):
        rebuild_related()

    with time_machine.travel(T0 + timedelta(hours=1), tick=False):
        newcomer = _article(section, "Wildfire smoke and flames", "Wildfire crews fought flames.")
        result = refresh_related(article_id=newcomer.pk)

    fire_ids = {article.pk for article in fires}
    assert fire_ids <= result.rewritten
    assert not {article.pk for article in rates} & result.rewritten
    for article in fires:
        assert newcomer.title in _stored(article)
    recomputed = SimilarArticle.objects.filter(computed_at=T0 + timedelta(hours=1))
    assert set(recomputed.values_list("article_id", flat=True)) == fire_ids | {newcomer.pk}
    assert SimilarArticle.objects.filter(article__in=rates, computed_at=T0).count() == 6


def test_a_changed_article_leaves_the_lists_it_no_longer_fits(
    section, django_capture_on_commit_callbacks
):
    fires = [_article(section, *story) for story in FIRES]
    rates = [_article(section, *story) for story in RATES[:2]]
    rebuild_related()
    moving = fires[2]
    assert moving.title in _stored(fires[0])

    with django_capture_on_commit_callbacks(execute=True):
        moving.title, body = RATES[2]
        moving.body = [("paragraph", f"<p>{body}</p>")]
        moving.save_revision().publish()

    assert moving.title not in _stored(fires[0])
    assert moving.title in _stored(rates[0])
    assert set(_stored(moving)) == {rates[0].title, rates[1].title}


def test_an_unpublished_article_leaves_every_list(section, django_capture_on_commit_callbacks):
    fires = [_article(section, *story) for story in FIRES]
    rebuild_related()
    assert SimilarArticle.objects.filter(similar=fires[0]).exists()

    with django_capture_on_commit_callbacks(execute=True):
        fires[0].unpublish()

    assert not SimilarArticle.objects.filter(similar=fires[0]).exists()
    assert not SimilarArticle.objects.filter(article=fires[0]).exists()
    assert _stored(fires[1]) == [fires[2].title]


def test_running_the_task_again_stores_the_same_lists(section):
    articles = [_article(section, *story) for story in FIRES + RATES]
    refresh_related(article_id=articles[0].pk)
    once = _lists()
    refresh_related(article_id=articles[0].pk)
    assert _lists() == once and once


def test_rebuild_command_draws_progress_and_drops_lists_of_unreadable_articles(section):
    articles = [_article(section, *story) for story in FIRES + RATES]
    rebuild_related()
    stub = articles[0]
    stub.is_headline_only = True
    stub.save_revision().publish()  # no task runs here: its stored list is now stale
    assert SimilarArticle.objects.filter(article=stub).exists()

    out, err = StringIO(), StringIO()
    call_command("rebuild_related", stdout=out, stderr=err)
    assert "Related articles" in err.getvalue() and "5/5" in err.getvalue()
    assert "for 5 articles" in out.getvalue()
    assert not SimilarArticle.objects.filter(article=stub).exists()
    assert not SimilarArticle.objects.filter(similar=stub).exists()
    before = _lists()
    call_command("rebuild_related", "--no-progress", stdout=out, stderr=(quiet := StringIO()))
    assert _lists() == before and quiet.getvalue() == ""


def test_an_exclusion_survives_every_recomputation(section):
    fires = [_article(section, title, text) for title, text in FIRES]
    for title, text in RATES:
        _article(section, title, text)
    rebuild_related()
    article, unwanted = fires[0], fires[1]
    assert unwanted.title in _stored(article)
    EditorsExclusion.objects.create(article=article, excluded=unwanted)

    for recompute in (
        lambda: refresh_related(article_id=article.pk),
        lambda: refresh_related(article_id=unwanted.pk),
        lambda: article.save_revision().publish(),  # the task, as an editor's publish runs it
        rebuild_related,
    ):
        recompute()
        shown = [a.title for a in you_may_also_like(article)]
        assert unwanted.title not in shown and fires[2].title in shown
        assert EditorsExclusion.objects.filter(article=article, excluded=unwanted).exists()
