"""Site search's own table on PostgreSQL (gazette/search/entries.py): an article has an entry
while it is live and public, and the entry follows its edits, its section and its dates."""

import pytest
from django.core.management import call_command
from django.db import connection
from wagtail.models import PageViewRestriction

from gazette.search.models import ArticleSearchEntry
from gazette.search.queries import SearchFilters, search_articles
from gazette.search.terms import parse_terms
from tests.factories import ArticleFactory, SectionFactory

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="the table is PostgreSQL's only: SQLite searches Wagtail's FTS5 index",
    ),
]


def _entry(article):
    return ArticleSearchEntry.objects.filter(article_id=article.pk).first()


def _found(words: str, **filters) -> list[int]:
    results = search_articles(terms=parse_terms(words), filters=SearchFilters(**filters))
    return [article.pk for article in results[0:50]]


@pytest.fixture
def sections(home):
    return {
        "world": SectionFactory(parent=home, title="World", slug="world"),
        "sport": SectionFactory(parent=home, title="Sport", slug="sport"),
    }


def test_publishing_adds_an_entry_and_an_edit_rewrites_it(sections):
    draft = ArticleFactory(parent=sections["world"], title="Harbour strike", live=False)
    assert _entry(draft) is None
    assert _found("harbour") == []

    draft.save_revision().publish()
    entry = _entry(draft)
    assert (entry.section_id, entry.first_published_at) == (
        sections["world"].pk,
        draft.first_published_at,
    )
    assert _found("harbour") == [draft.pk]

    draft.title = "Lighthouse strike"
    draft.save_revision().publish()
    assert _found("harbour") == []
    assert _found("lighthouse") == [draft.pk]


def test_unpublishing_and_deleting_remove_the_entry(sections):
    gone, withdrawn = (
        ArticleFactory(parent=sections["world"], title=f"Harbour story {n}") for n in range(2)
    )
    assert _entry(gone) and _entry(withdrawn)
    withdrawn.unpublish()
    assert _entry(withdrawn) is None
    gone.delete()
    assert not ArticleSearchEntry.objects.exists()
    assert _found("harbour") == []


def test_moving_follows_the_section_and_a_restriction_removes_then_restores(sections):
    article = ArticleFactory(parent=sections["world"], title="Harbour story")
    article.move(sections["sport"], pos="last-child")
    assert _entry(article).section_id == sections["sport"].pk
    assert _found("harbour", section=sections["sport"]) == [article.pk]
    assert _found("harbour", section=sections["world"]) == []

    restriction = PageViewRestriction.objects.create(
        page=sections["sport"], restriction_type="login"
    )
    assert _entry(article) is None
    restriction.delete()
    assert _entry(article) is not None

    private = SectionFactory(parent=sections["world"].get_parent(), slug="private")
    PageViewRestriction.objects.create(page=private, restriction_type="login")
    article.refresh_from_db()
    article.move(private, pos="last-child")
    assert _entry(article) is None


def test_the_weights_rank_the_headline_first(sections):
    in_body = ArticleFactory(
        parent=sections["world"],
        title="Quay report",
        body=[("paragraph", "<p>The harbour, the harbour, the harbour.</p>")],
    )
    in_standfirst = ArticleFactory(
        parent=sections["world"], title="Dock report", standfirst="From the harbour."
    )
    in_headline = ArticleFactory(parent=sections["world"], title="Harbour report")
    assert _found("harbour") == [in_headline.pk, in_standfirst.pk, in_body.pk]


def test_rebuild_writes_the_missing_entries_and_removes_strays(sections, capsys):
    kept = ArticleFactory(parent=sections["world"], title="Harbour story")
    stray = ArticleFactory(parent=sections["world"], title="Harbour stray")
    ArticleSearchEntry.objects.all().delete()
    # An unpublish that skipped the signals leaves a stray entry; the rebuild removes it.
    call_command("rebuild_search_entries", no_progress=True)
    type(stray).objects.filter(pk=stray.pk).update(live=False)
    call_command("rebuild_search_entries", no_progress=True)
    assert list(ArticleSearchEntry.objects.values_list("article_id", flat=True)) == [kept.pk]
    assert "Wrote 1 search entries, removed 1" in capsys.readouterr().out


def test_the_first_migrate_to_the_table_fills_it(sections):
    from gazette.search.signals import fill_after_first_migrate

    article = ArticleFactory(parent=sections["world"], title="Harbour story")
    ArticleSearchEntry.objects.all().delete()
    fill_after_first_migrate(sender=None, using="default")
    assert _found("harbour") == [article.pk]
