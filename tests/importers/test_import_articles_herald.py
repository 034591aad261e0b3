"""The Harbour Herald's WordPress export (fixtures/wxr) imported by import_articles, then
read: the report, every WXR rule, the old links that must keep working, a rerun. Imported
once for the module (kept_for_the_module): each test reads the rows afresh and rolls back
what it changes. The other import_articles tests are in test_import_articles.py."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from wagtail.contrib.redirects.models import Redirect
from wagtail.models import PageViewRestriction, Revision

from gazette.comments.models import Comment
from gazette.home.services import ensure_home_page
from gazette.images.models import CustomImage
from gazette.news.models import ArticlePage, SectionPage
from gazette.people.models import Author
from tests.conftest import kept_for_the_module

from .test_import_articles import WXR, article, run, uploads


@pytest.fixture(scope="module")
def imported_once(django_db_setup, django_db_blocker, tmp_path_factory):
    directory = tmp_path_factory.mktemp("herald")
    report = directory / "report.json"
    with kept_for_the_module(django_db_blocker):
        ensure_home_page()
        code, out, err = run(WXR, "--media-dir", uploads(directory), "--report", report)
        yield code, out, err, json.loads(report.read_text())


@pytest.fixture
def imported(imported_once, db):
    """The import's exit code, output, errors and JSON report."""
    return imported_once


@pytest.fixture
def media(tmp_path):
    return uploads(tmp_path)


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
