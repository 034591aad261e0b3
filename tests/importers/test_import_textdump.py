import pytest
from django.core.management import call_command
from django.utils.html import escape
from wagtail.models import Page, Revision

from gazette.images.models import CustomImage
from gazette.importers.services import ImportError_, import_textdump_file
from gazette.news.models import ArticlePage, CuratedListItem, SectionPage, must_reads
from gazette.people.models import Author
from tests.conftest import ARTICLE_HEADLINE, SEED_FILE

LATEST_WORLD = [
    "Porsche Taycan GTS Breaks Guinness Record with 10.9-Mile Ice Drift",
    "Africa's MPOX Variant Clade 1b Reaches France: Health Officials Take Action",
    "LA Wildfires’ Economic Toll Hits $50 Billion, Doubling Early Estimates",
    "Real Reason Trump Wants Greenland and the Panama Canal: Geopolitical Dominance",
    "Biden Targets China, Russia with New Semiconductor Export Limits",
    "Wildfire Chaos in California: 150,000 Evacuated as Flames Spread",
]
MUST_READS = [
    "This Celebrity Lost 7kg—and Her Diet Includes ...",
    "Red vs. White Wine: Which Is Riskier for Cancer? New Study Has the Answer",
    "Breakfast vs. Dinner: Which Meal Should You Load Up On for Better Health?",
    "Eat More Greens—But Skip the Fake Stuff, Scientists Warn",
    "Veggies vs. IBD: New Research Says the Right Diet Might Be a Game-Changer",
]
POPULAR_NOW = [
    "Eli Lilly Moves First in India, Beats Novo in Obesity Drug Showdown",
    "Trump’s Soda Button and 12-Can Habit: A Recipe for Trouble?",
    "New FDA-Approved Pill Targets Constant Hunger in Children with PWS",
    "Too Much Exercise Might Not Help You Live Longer, Says New Study",
    "Novo Nordisk Just Bought the Next Big Thing in Weight Loss",
]


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


BAD_INPUTS = {
    "empty.txt": (b"", "the file is empty"),
    "binary.bin": (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "not a text file"),
    "no-headline.txt": (b"Comments2\n\n300\n", "no headline"),
    "truncated.txt": (None, "truncated"),
}


@pytest.mark.parametrize("name", sorted(BAD_INPUTS))
def test_bad_input_gets_one_line_error_and_writes_nothing(db, tmp_path, capsys, name):
    content, problem = BAD_INPUTS[name]
    if content is None:  # the reference text cut off in the middle of its body
        text = SEED_FILE.read_text(encoding="utf-8")
        content = text[: text.index("There are growing suspicions")].encode()
    path = tmp_path / name
    path.write_bytes(content)
    pages_before = Page.objects.count()

    with pytest.raises(SystemExit) as exit_info:
        call_command("import_textdump", str(path))

    assert exit_info.value.code == 1
    errors = capsys.readouterr().err.strip().splitlines()
    assert len(errors) == 1
    assert errors[0].startswith(f"{path}: ")
    assert problem in errors[0]
    assert Page.objects.count() == pages_before
    assert not ArticlePage.objects.exists()


def test_missing_file_is_named_in_the_error(db, tmp_path, capsys):
    missing = tmp_path / "nowhere.txt"
    with pytest.raises(SystemExit) as exit_info:
        call_command("import_textdump", str(missing))
    assert exit_info.value.code == 1
    assert capsys.readouterr().err.strip() == f"{missing}: no such file"


def test_command_prints_the_url_and_imports_good_files_beside_bad_ones(db, tmp_path, capsys):
    bad = tmp_path / "empty.txt"
    bad.write_bytes(b"")
    with pytest.raises(SystemExit):
        call_command("import_textdump", str(bad), str(SEED_FILE), base_url="http://example.test")
    out = capsys.readouterr().out
    assert (
        "http://example.test/world/18-north-korean-soldiers-flee-russian-forces-near-ukraine-"
        "border-reports-say/ (created" in out
    )
    assert _article().live


def test_service_raises_for_a_directory(db, tmp_path):
    with pytest.raises(ImportError_, match="directory"):
        import_textdump_file(path=tmp_path)


def test_a_failure_midway_rolls_back_the_whole_file(db, monkeypatch):
    """One transaction per file: nothing of a half-imported file stays."""
    from gazette.importers import services

    def explode(**kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(services, "set_curated_list", explode)
    with pytest.raises(RuntimeError):
        import_textdump_file(path=SEED_FILE)
    assert not ArticlePage.objects.exists()
    assert not Author.objects.exists()


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
