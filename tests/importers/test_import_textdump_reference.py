"""The reference page imported once for the module (importing it is dearer than the tests
that read it): each test's changes roll back to it."""

import dataclasses

import pytest
from django.utils.html import escape
from wagtail.models import Page, Revision

from gazette.images.models import CustomImage
from gazette.importers.services import import_textdump_file
from gazette.news.models import ArticlePage, CuratedListItem, SectionPage, must_reads
from gazette.people.models import Author
from tests.conftest import ARTICLE_HEADLINE, SEED_FILE

from .test_import_textdump import LATEST_WORLD, MUST_READS, POPULAR_NOW


@pytest.fixture
def seeded(seeded_once, db):
    """The import's result with its article read afresh (an instance kept from an earlier
    test would remember what that test changed)."""
    return dataclasses.replace(
        seeded_once, article=ArticlePage.objects.get(pk=seeded_once.article.pk)
    )


def _article() -> ArticlePage:
    return ArticlePage.objects.get(title=ARTICLE_HEADLINE)


def test_import_yields_every_fact_of_the_reference_page(seeded):
    article = _article()
    assert article.live and not article.is_headline_only
    assert article.section.title == "World"
    assert [(a.name, a.email) for a in article.authors] == [
        ("Daniel Kim", "content@viewusglobal.com")
    ]
    assert article.lead_image.credit == "Korean Central News Agency"
    assert article.lead_image.is_placeholder

    blocks = list(article.body)
    kinds = [block.block_type for block in blocks]
    assert kinds == ["paragraph"] * 5 + ["image"] + ["paragraph"]
    paragraphs = [block.value.source for block in blocks if block.block_type == "paragraph"]
    assert paragraphs[0].startswith("<p>Russia, currently engaged")
    assert paragraphs[-1].startswith("<p>Russian President Vladimir Putin visited")
    assert "Russia’s Bryansk region" in paragraphs[1]
    assert blocks[5].value["image"].credit == "GettyimagesKorea"


def test_import_builds_the_lists_around_the_article(seeded):
    article = _article()
    assert [a.title for a in article.latest_in_section()] == LATEST_WORLD
    assert [a.title for a in must_reads()] == MUST_READS
    lifestyle = SectionPage.objects.get(title="Lifestyle")
    for headline in MUST_READS + POPULAR_NOW:
        teaser = ArticlePage.objects.get(title=headline)
        assert teaser.section == lifestyle
        assert teaser.is_headline_only and teaser.live
    for headline in LATEST_WORLD:
        assert ArticlePage.objects.get(title=headline).is_headline_only
    assert len(seeded.headline_only) == 6 + 5 + 5


def test_import_invents_no_view_count(seeded, client):
    html = client.get(_article().url).content.decode()
    assert "Views" not in html


def _snapshot():
    return {
        "pages": Page.objects.count(),
        "revisions": Revision.objects.count(),
        "images": CustomImage.objects.count(),
        "authors": Author.objects.count(),
        "curated": list(CuratedListItem.objects.values_list("article_id", "sort_order")),
        "latest": {p.pk: p.latest_revision_id for p in ArticlePage.objects.all()},
    }


def test_importing_twice_changes_nothing(seeded):
    before = _snapshot()
    again = import_textdump_file(path=SEED_FILE)
    assert not again.created and not again.changed
    assert again.article.pk == seeded.article.pk
    assert _snapshot() == before


def test_import_brings_the_pages_comments_as_published_once(seeded, client):
    from gazette.comments.models import Comment

    texts = [
        "i guess thats one way to escape the regime, poor people..",
        "North Korea is the world's largest cult.",
    ]
    comments = Comment.objects.filter(article=seeded.article).order_by("created_at", "pk")
    assert [c.text for c in comments] == texts
    assert {c.status for c in comments} == {Comment.Status.PUBLISHED}
    import_textdump_file(path=SEED_FILE)
    assert Comment.objects.count() == 2
    html = client.get(seeded.article.url).content.decode()
    assert "data-comment-count>2<" in html and "the world&#x27;s largest cult." in html


def test_reimport_updates_an_edited_article(seeded, tmp_path):
    edited = tmp_path / "edited.txt"
    edited.write_text(
        SEED_FILE.read_text().replace("Moscow.", "Moscow, officials said."), encoding="utf-8"
    )
    result = import_textdump_file(path=edited)
    assert result.changed and not result.created
    assert "Moscow, officials said." in str(_article().body)


def test_the_pages_you_may_also_like_become_the_articles_editors_picks(seeded, client):
    """The reference lists five headlines under You May Also Like, all headline-only: they
    are the article's editors' picks, in the page's order, and readers see all five."""
    from gazette.importers.sources.textdump import decode_textdump, parse_textdump
    from gazette.related.queries import you_may_also_like

    listed = [
        t.headline
        for t in parse_textdump(decode_textdump(SEED_FILE.read_bytes())).you_may_also_like
    ]
    assert len(listed) == 5
    article = _article()
    picks = [pick.pick for pick in article.editors_picks.order_by("sort_order")]
    assert [pick.title for pick in picks] == listed
    assert all(pick.is_headline_only for pick in picks)
    assert [a.title for a in you_may_also_like(article)] == listed
    html = client.get(article.url).content.decode()
    rail = html.split('id="you-may-also-like-heading"', 1)[1]
    positions = [rail.find(escape(headline)) for headline in listed]
    assert all(p >= 0 for p in positions) and positions == sorted(positions)
    # The picks are in the article's latest revision: an editor sees them in the edit form.
    latest = article.get_latest_revision_as_object()
    assert [pick.pick_id for pick in latest.editors_picks.all()] == [p.pk for p in picks]
