import pytest
from django.core.management import call_command
from wagtail.models import Page, ReferenceIndex

from gazette.importers.services import ImportError_, import_textdump_file
from gazette.news.models import ArticlePage, CuratedList
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
    # Must-Reads' usage names its stories (Wagtail's reference index), as after an editor's save.
    must_reads = CuratedList.objects.get(slug="must-reads")
    used = ReferenceIndex.get_references_for_object(must_reads)
    assert sorted(used.values_list("to_object_id", flat=True)) == sorted(
        str(pk)
        for pk in ArticlePage.objects.filter(title__in=MUST_READS).values_list("pk", flat=True)
    )


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
