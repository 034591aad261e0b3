"""import_articles end to end: a WordPress export of the Harbour Herald (fixtures/wxr), every
WXR rule, reruns, reports, dry runs, hostile files and the old links that must keep working."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from wagtail.contrib.redirects.models import Redirect
from wagtail.models import PageViewRestriction, Revision

from gazette.comments.models import Comment
from gazette.images.models import CustomImage
from gazette.news.models import ArticlePage, SectionPage
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


@pytest.fixture
def media(tmp_path):
    """The uploads tree of the export, without market.png (a picture the newsroom lost)."""
    folder = tmp_path / "uploads" / "2024" / "03"
    folder.mkdir(parents=True)
    (folder / "pier.png").write_bytes(png_bytes(color=(30, 90, 160)))
    (folder / "ferry.png").write_bytes(png_bytes(color=(200, 200, 40)))
    return tmp_path / "uploads"


@pytest.fixture
def imported(home, media, tmp_path):
    report = tmp_path / "report.json"
    code, out, err = run(WXR, "--media-dir", media, "--report", report)
    return code, out, err, json.loads(report.read_text())


def article(post_id: int) -> ArticlePage:
    return ArticlePage.objects.get(source_key=f"https://herald.example.com/?p={post_id}")


def test_the_run_reports_each_article_and_a_summary(imported):
    code, out, err, report = imported
    assert code == 0, err
    assert err == ""
    assert out.splitlines()[-1] == "12 created, 0 updated, 0 unchanged, 4 skipped, 0 failed"
    assert "/harbour-life/council-votes-to-rebuild-the-old-pier/ (created: Council votes" in out
    statuses = {entry["position"]: entry["status"] for entry in report}
    assert statuses["item 1 (post 101)"] == "created"
    assert statuses["item 13 (post 113)"] == "skipped"
    first = report[0]
    assert first["source_key"] == "https://herald.example.com/?p=101"
    assert first["article_id"] == article(101).pk
    assert first["url"] == "/harbour-life/council-votes-to-rebuild-the-old-pier/"
    skipped = {entry["reason"] for entry in report if entry["status"] == "skipped"}
    assert skipped == {
        "in the trash",
        "a page, not a post",
        "a menu item",
        "a product (not a post)",
    }


def test_a_gutenberg_post_becomes_an_article_with_every_part(imported):
    pier = article(101)
    assert pier.live and pier.title == "Council votes to rebuild the old pier"
    # The primary category (Yoast), not the first one.
    assert pier.get_parent().title == "Harbour & Life"
    assert pier.first_published_at == datetime(2024, 3, 4, 9, 15, 30, tzinfo=UTC)
    # Imported is not updated: the page shows no "Updated" line stamped with the import's time.
    assert pier.last_published_at == pier.first_published_at and pier.updated_at is None
    assert pier.standfirst == "Seven councillors to two: the pier comes back."
    assert [(a.name, a.archive_email, a.email) for a in pier.authors] == [
        ("Jane Doe", "jane.doe@herald.example.com", "")
    ]
    assert sorted(pier.tags.names()) == ["council", "pier"]
    kinds = [block.block_type for block in pier.body]
    assert kinds == ["paragraph", "paragraph", "paragraph", "quote", "image", "embed", "paragraph"]
    assert pier.body[1].value.source == "<h2>What happens next</h2>"
    assert pier.body[2].value.source == "<ul><li>Surveys in April</li><li>Work from June</li></ul>"
    assert pier.body[3].value["attribution"] == "Mayor Ruth Owusu"
    assert pier.body[5].value.url == "https://www.youtube.com/watch?v=pier2024ab"
    stored = json.dumps(pier.body.get_prep_value())
    assert "script" not in stored and "onclick" not in stored and "wp:" not in stored
    assert "Fenced off until spring." in stored
    # The body's picture is the attachment's full-size file, the same image as the lead.
    picture = pier.body[4].value
    assert picture["caption"] == "The pier at low tide"
    assert picture["image"].pk == pier.lead_image_id
    lead = pier.lead_image
    assert not lead.is_placeholder
    assert lead.credit == "Anna Berg/Herald"
    assert lead.description == "The wooden pier, its far end collapsed"


def test_a_classic_post_with_shortcodes_and_bare_links(imported):
    _, _, _, report = imported
    ferry = article(102)
    kinds = [block.block_type for block in ferry.body]
    assert kinds == [
        "paragraph", "image", "embed", "paragraph", "embed", "paragraph", "embed", "paragraph",
        "paragraph",
    ]  # fmt: skip
    assert ferry.body[0].value.source == (
        "<p>The summer timetable starts on 1 June.<br>\nBoats leave every forty minutes.</p>"
    )
    image = ferry.body[1].value
    assert image["caption"] == "The 7:40 leaves the quay"
    assert image["image"].credit == "Tom Reyes/Herald"
    assert image["image"].description == "The morning ferry"
    assert [ferry.body[i].value.url for i in (2, 4, 6)] == [
        "https://www.youtube.com/watch?v=ferryclip1",
        "https://x.com/heraldferries/status/1765000000000000000",
        "https://vimeo.com/76979871",
    ]
    assert "[sic]" in ferry.body[5].value.source
    assert "[gallery" not in json.dumps(ferry.body.get_prep_value())
    notes = next(entry["notes"] for entry in report if entry["source_key"].endswith("p=102"))
    assert "shortcode [gallery] dropped" in notes and "shortcode [contact-form-7] dropped" in notes


def test_statuses_become_live_draft_scheduled_and_private(imported):
    assert not article(103).live and not article(104).live
    assert article(103).first_published_at is None
    regatta = article(105)
    assert not regatta.live
    assert regatta.go_live_at == datetime(2031, 7, 12, 17, 0, tzinfo=UTC)
    private = article(106)
    assert private.live
    restriction = PageViewRestriction.objects.get(page=private)
    assert restriction.restriction_type == PageViewRestriction.GROUPS
    assert not ArticlePage.objects.public().filter(pk=private.pk).exists()


def test_messy_text_slugs_and_coauthors(imported):
    cafe = article(107)
    assert cafe.title == "Tom & Jerry’s café – “best chips” in town"
    assert cafe.slug == "한국어-카페"
    assert cafe.standfirst == "A review & a recipe."
    assert "🍟" in cafe.body[0].value.source and "감자튀김" in cafe.body[0].value.source
    assert [(a.name, a.archive_email) for a in cafe.authors] == [
        ("María García", "maria@herald.example.com"),
        ("Li Chen", ""),
    ]
    untitled = article(108)
    assert untitled.title == "High tide tonight at 21:14, the highest of…"
    first, second = article(109), article(110)
    assert (first.slug, second.slug) == ("match-report", "match-report-2")
    assert first.get_parent().pk == second.get_parent().pk
    # No GMT time: the post's local time, in the newsroom's zone (UTC in the tests).
    assert article(111).first_published_at == datetime(1987, 10, 16, 3, 30, tzinfo=UTC)
    assert article(111).get_parent().title == "News"  # no category
    assert Author.objects.filter(name="someone-gone").exists()


def test_comments_approved_only_without_emails(imported):
    comments = Comment.objects.filter(article=article(101)).order_by("created_at")
    assert [(c.author_name, c.text) for c in comments] == [
        ("Old Sailor", "About time. My grandfather fished from that pier."),
        ("Zoë", "Who pays for it? 🤔"),
    ]
    assert comments[0].created_at == datetime(2024, 3, 4, 11, 0, 5, tzinfo=UTC)
    assert all(c.status == Comment.Status.PUBLISHED and not c.email for c in comments)


def test_attachments_found_on_disk_else_a_placeholder(imported):
    market = article(115)
    image = market.body[2].value["image"]
    assert image.is_placeholder and image.credit == "Sam Ortiz"
    assert market.body[2].value["caption"] == "Crates on the quay"
    assert market.body[1].block_type == "paragraph"  # an Instagram post: a link, noted
    assert market.lead_image is None  # its _thumbnail_id names no attachment of the export
    assert CustomImage.objects.filter(is_placeholder=False).count() == 2


def test_old_links_answer_301_to_the_new_article(imported, client):
    pier = article(101)
    response = client.get("/2024/03/04/council-votes-to-rebuild-the-old-pier/", follow=True)
    assert response.redirect_chain == [(pier.url, 301)]
    assert response.status_code == 200
    assert b"Council votes to rebuild the old pier" in response.content

    short = client.get("/?p=101")
    assert (short.status_code, short["Location"]) == (301, pier.url)
    cafe = client.get("/2024/03/08/%ed%95%9c%ea%b5%ad%ec%96%b4-%ec%b9%b4%ed%8e%98/")
    assert (cafe.status_code, cafe["Location"]) == (301, article(107).url)
    assert client.get("/?p=999999").status_code == 200  # no such post: the home page
    assert all(redirect.is_permanent for redirect in Redirect.objects.all())


def test_a_rerun_changes_nothing(imported, media):
    counts = (
        Revision.objects.count(), ArticlePage.objects.count(), CustomImage.objects.count(),
        Comment.objects.count(), Redirect.objects.count(), SectionPage.objects.count(),
    )  # fmt: skip
    code, out, err = run(WXR, "--media-dir", media)
    assert code == 0, err
    assert out.splitlines() == ["0 created, 0 updated, 12 unchanged, 4 skipped, 0 failed"]
    assert counts == (
        Revision.objects.count(), ArticlePage.objects.count(), CustomImage.objects.count(),
        Comment.objects.count(), Redirect.objects.count(), SectionPage.objects.count(),
    )  # fmt: skip


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


def test_an_exports_author_addresses_stay_private(imported, client):
    """WordPress exports carry the staff's account e-mails: kept to recognise the author on
    the next import, never shown on the article or the author's page."""
    pier = article(101)
    (jane,) = pier.authors
    assert jane.archive_email == "jane.doe@herald.example.com" and jane.email == ""
    for page in (pier.url, f"/authors/{jane.slug}/"):
        response = client.get(page)
        assert response.status_code == 200
        assert b"jane.doe@herald.example.com" not in response.content
