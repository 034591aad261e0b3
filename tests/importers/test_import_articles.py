"""import_articles end to end: a WordPress export of the Harbour Herald (fixtures/wxr), every
WXR rule, reruns, reports, dry runs, hostile files and the old links that must keep working.
The tests that read the export once imported are in test_import_articles_herald.py (one
import for them all)."""

from __future__ import annotations

import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from wagtail.contrib.redirects.models import Redirect

from gazette.comments.models import Comment
from gazette.images.models import CustomImage
from gazette.news.models import ArticlePage
from gazette.people.models import Author

from .pictures import png_bytes

FIXTURES = Path(__file__).parent / "fixtures"
WXR = FIXTURES / "wxr" / "newsroom.xml"
HOSTILE = FIXTURES / "hostile"


def run(*args) -> tuple[int, str, str]:
    out, err = StringIO(), StringIO()
    try:
        call_command("import_articles", *map(str, args), "--no-progress", stdout=out, stderr=err)
        code = 0
    except SystemExit as exc:
        code = exc.code
    return code, out.getvalue(), err.getvalue()


def uploads(directory: Path) -> Path:
    """The uploads tree of the export, without market.png (a picture the newsroom lost)."""
    folder = directory / "uploads" / "2024" / "03"
    folder.mkdir(parents=True)
    (folder / "pier.png").write_bytes(png_bytes(color=(30, 90, 160)))
    (folder / "ferry.png").write_bytes(png_bytes(color=(200, 200, 40)))
    return directory / "uploads"


@pytest.fixture
def media(tmp_path):
    return uploads(tmp_path)


def article(post_id: int) -> ArticlePage:
    return ArticlePage.objects.get(source_key=f"https://herald.example.com/?p={post_id}")


def test_dry_run_writes_nothing_and_says_what_would_happen(home, media, tmp_path):
    report = tmp_path / "dry.json"
    code, out, err = run(WXR, "--media-dir", media, "--dry-run", "--report", report)
    assert code == 0, err
    assert out.splitlines()[-1] == (
        "Dry run, nothing written: 12 created, 0 updated, 0 unchanged, 4 skipped, 0 failed"
    )
    assert "(would be created: Council votes to rebuild the old pier)" in out
    assert ArticlePage.objects.count() == 0
    assert CustomImage.objects.count() == 0 and Redirect.objects.count() == 0
    assert Author.objects.count() == 0 and Comment.objects.count() == 0
    assert len(json.loads(report.read_text())) == 16


def test_section_and_author_options(home, media):
    code, _, err = run(WXR, "--media-dir", media, "--section", "archive", "--author", "Desk")
    assert code == 0, err
    assert {a.get_parent().slug for a in ArticlePage.objects.all()} == {"archive"}
    assert [a.name for a in article(101).authors] == ["Jane Doe"]  # the export names her


BAD_ITEM = """
	<item>
		<title><![CDATA[A post with a broken date]]></title>
		<link>https://herald.example.com/broken/</link>
		<guid isPermaLink="false">https://herald.example.com/?p=150</guid>
		<content:encoded><![CDATA[<p>Text.</p>]]></content:encoded>
		<wp:post_id>150</wp:post_id>
		<wp:post_date_gmt><![CDATA[2024-13-45 99:00:00]]></wp:post_date_gmt>
		<wp:status><![CDATA[publish]]></wp:status>
		<wp:post_type><![CDATA[post]]></wp:post_type>
	</item>
"""


def test_one_bad_item_among_good_ones(home, media, tmp_path):
    text = WXR.read_text()
    export = tmp_path / "with-a-bad-item.xml"
    at = text.index("\t<item>", text.index("?p=102"))  # after the second post
    export.write_text(text[:at] + BAD_ITEM + text[at:])
    report = tmp_path / "report.json"
    code, out, err = run(export, "--media-dir", media, "--report", report)
    assert code == 1
    assert err.strip() == (
        f"{export}: item 3 (post 150): failed: the date '2024-13-45 99:00:00' is not a time"
    )
    assert out.splitlines()[-1] == "12 created, 0 updated, 0 unchanged, 4 skipped, 1 failed"
    failed = [entry for entry in json.loads(report.read_text()) if entry["status"] == "failed"]
    assert [(f["source_key"], f["position"]) for f in failed] == [
        ("https://herald.example.com/?p=150", "item 3 (post 150)")
    ]


def test_an_item_that_fails_while_saving_is_rolled_back_alone(home, media, monkeypatch):
    from gazette.importers import upsert

    real = upsert._comments

    def failing(article, item):
        real(article, item)
        if item.source_key.endswith("?p=101"):
            raise RuntimeError("the database went away")

    monkeypatch.setattr(upsert, "_comments", failing)
    code, _out, err = run(WXR, "--media-dir", media)
    assert code == 1
    assert "item 1 (post 101): failed: RuntimeError: the database went away" in err
    assert not ArticlePage.objects.filter(source_key__endswith="?p=101").exists()
    assert not Comment.objects.exists()  # written before the failure, rolled back with it
    assert ArticlePage.objects.count() == 11


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("entity-bomb.xml", "refused: the file declares a DTD or entities"),
        ("external-entity.xml", "refused: the file declares a DTD or entities"),
        ("truncated.xml", "the export ends early"),
        ("malformed.xml", "malformed XML at line"),
        ("binary.bin", "binary data"),
        ("empty.xml", "the file is empty"),
        ("not-an-export.xml", "XML, but neither a WordPress export nor an RSS or Atom feed"),
    ],
)
def test_hostile_files_get_one_line(home, name, reason):
    code, _out, err = run(HOSTILE / name)
    assert code == 1
    lines = err.strip().splitlines()
    assert len(lines) == 1 and reason in lines[0], err
    assert "Traceback" not in err


def test_a_truncated_export_keeps_the_posts_before_the_break(home):
    code, _out, _err = run(HOSTILE / "truncated.xml")
    assert code == 1
    assert ArticlePage.objects.filter(title="The first post, whole").exists()


def test_a_lying_encoding_is_read_as_windows_1252(home):
    code, _out, err = run(HOSTILE / "lying-encoding.xml", "--format", "wxr")
    assert code == 0, err
    story = ArticlePage.objects.get()
    assert story.title == "Café owners say “no” to the rent rise"
    assert "naïve" in story.body[0].value.source


def test_missing_sources_and_unknown_feed_support(home, tmp_path):
    code, _, err = run(tmp_path / "nope.xml")
    assert code == 1 and err.strip().endswith("source: failed: no such file")
    code, _, err = run("ftp://example.com/export.xml")
    assert code == 1 and "only http(s) addresses can be fetched" in err


def test_import_textdump_through_import_articles(home):
    from tests.conftest import SEED_FILE

    code, out, err = run(SEED_FILE)
    assert code == 0, err
    assert out.splitlines()[-1] == "1 created, 0 updated, 0 unchanged, 0 skipped, 0 failed"
    code, out, _ = run(SEED_FILE, "--format", "textdump")
    assert out.splitlines()[-1] == "0 created, 0 updated, 1 unchanged, 0 skipped, 0 failed"
