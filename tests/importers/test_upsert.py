"""The shared upsert: an ImportItem in, an article out, the same article on every rerun."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone
from wagtail.contrib.redirects.models import Redirect
from wagtail.models import PageViewRestriction, Revision

from gazette.comments.models import Comment
from gazette.images.models import CustomImage
from gazette.importers.body import body_blocks
from gazette.importers.items import ImportedComment, ImportedImage, ImportItem, Status
from gazette.importers.upsert import ImportOptions, make_slug, upsert_item
from gazette.news.models import ArticlePage, SectionPage
from gazette.people.models import Author

from .pictures import png_bytes

WHEN = datetime(2024, 3, 5, 14, 30, 15, 123456, tzinfo=UTC)

BODY = """
<p>First <strong>paragraph</strong> with
<a href="https://example.org/x" onclick="evil()">a link</a>.</p>
<script>alert("no")</script>
<h2>A heading</h2>
<ul><li>one</li><li>two</li></ul>
<blockquote><p>Words said.</p><cite>A Speaker</cite></blockquote>
<figure><img src="https://old.example/wp-content/uploads/2024/03/pic.png" alt="A pic">
<figcaption>The caption <small>Photo: Jane Lens</small></figcaption></figure>
<p>https://www.youtube.com/watch?v=dQw4w9WgXcQ</p>
<iframe src="https://player.vimeo.com/video/123456"></iframe>
"""


def _item(**changes) -> ImportItem:
    values = {
        "source_key": "test:1",
        "position": "item 1",
        "headline": "Council approves the new bridge",
        "published": WHEN,
        "section": "Local News",
        "authors": (("Ana Writer", "ana@example.org"), ("Bo Second", "")),
        "tags": ("bridges", "council"),
        "standfirst": "The vote was close.",
        "body_html": BODY,
        "comments": (ImportedComment("Reader One", WHEN + timedelta(hours=1), "Great news"),),
        "old_urls": ("https://old.example/2024/03/05/bridge/", "https://old.example/?p=42"),
    }
    values.update(changes)
    return ImportItem(**values)


@pytest.fixture
def media(tmp_path):
    folder = tmp_path / "uploads" / "2024" / "03"
    folder.mkdir(parents=True)
    (folder / "pic.png").write_bytes(png_bytes(color=(10, 120, 200)))
    return tmp_path / "uploads"


def test_an_item_becomes_a_live_article_with_every_part(home, media):
    outcome = upsert_item(_item(), options=ImportOptions(media_dir=media))
    assert outcome.status == "created"
    article = ArticlePage.objects.get(source_key="test:1")
    assert article.live and article.title == "Council approves the new bridge"
    assert article.get_parent().specific.title == "Local News"
    assert article.first_published_at == WHEN.replace(microsecond=0)  # kept to the second
    assert article.standfirst == "The vote was close."
    assert [(a.name, a.archive_email) for a in article.authors] == [
        ("Ana Writer", "ana@example.org"),
        ("Bo Second", ""),
    ]
    assert sorted(article.tags.names()) == ["bridges", "council"]
    kinds = [block.block_type for block in article.body]
    assert kinds == ["paragraph", "paragraph", "paragraph", "quote", "image", "embed", "embed"]
    first = article.body[0].value.source
    assert (
        "<b>paragraph</b>" in first
        and "onclick" not in first
        and "script" not in str(article.body.get_prep_value())
    )
    image_block = article.body[4].value
    assert image_block["caption"] == "The caption"
    assert image_block["image"].credit == "Photo: Jane Lens"
    assert image_block["image"].description == "A pic"
    assert not image_block["image"].is_placeholder
    assert article.body[5].value.url == "https://www.youtube.com/watch?v=dQw4w9WgXcQ"
    assert article.body[6].value.url == "https://vimeo.com/123456"
    comment = Comment.objects.get(article=article)
    assert (comment.author_name, comment.text, comment.status) == (
        "Reader One",
        "Great news",
        Comment.Status.PUBLISHED,
    )
    assert comment.created_at == (WHEN + timedelta(hours=1)).replace(microsecond=0)
    assert not comment.email
    paths = set(Redirect.objects.values_list("old_path", flat=True))
    assert paths == {"/2024/03/05/bridge", "/?p=42"}
    assert all(r.is_permanent for r in Redirect.objects.all())


def test_a_rerun_changes_nothing(home, media):
    upsert_item(_item(), options=ImportOptions(media_dir=media))
    counts = (Revision.objects.count(), CustomImage.objects.count(), Comment.objects.count())
    again = upsert_item(_item(), options=ImportOptions(media_dir=media))
    assert again.status == "unchanged"
    assert (Revision.objects.count(), CustomImage.objects.count(), Comment.objects.count()) == (
        counts
    )
    assert Author.objects.count() == 2 and Redirect.objects.count() == 2


def test_a_changed_item_updates_its_article(home, media):
    upsert_item(_item(), options=ImportOptions(media_dir=media))
    changed = _item(headline="Council approves the bridge, at last")
    outcome = upsert_item(changed, options=ImportOptions(media_dir=media))
    assert outcome.status == "updated"
    assert ArticlePage.objects.get(source_key="test:1").title.endswith("at last")
    assert ArticlePage.objects.count() == 1


def test_a_missing_picture_is_a_placeholder_that_says_so(home):
    outcome = upsert_item(_item(), options=ImportOptions())
    image = outcome.article.body[4].value["image"]
    assert image.is_placeholder and image.credit == "Photo: Jane Lens"
    assert "not available" in image.description
    assert any("placeholder" in note for note in outcome.notes)
    assert upsert_item(_item(), options=ImportOptions()).status == "unchanged"


def test_statuses(home):
    draft = upsert_item(_item(source_key="d", status=Status.DRAFT), options=ImportOptions()).article
    assert not draft.live and draft.first_published_at is None

    later = timezone.now().replace(microsecond=0) + timedelta(days=3)
    scheduled = upsert_item(
        _item(source_key="s", status=Status.SCHEDULED, published=later, old_urls=()),
        options=ImportOptions(),
    ).article
    assert not scheduled.live and scheduled.go_live_at == later
    assert scheduled.get_latest_revision().approved_go_live_at == later

    private = upsert_item(
        _item(source_key="p", status=Status.PRIVATE, old_urls=()), options=ImportOptions()
    ).article
    assert private.live
    assert PageViewRestriction.objects.filter(page=private).exists()
    assert not ArticlePage.objects.public().filter(pk=private.pk).exists()
    assert (
        upsert_item(
            _item(source_key="p", status=Status.PRIVATE, old_urls=()), options=ImportOptions()
        ).status
        == "unchanged"
    )


def test_section_override_and_default_author(home):
    outcome = upsert_item(
        _item(authors=(), section="Ignored"),
        options=ImportOptions(section_slug="archive", default_author="The Desk"),
    )
    assert outcome.article.get_parent().slug == "archive"
    assert [a.name for a in outcome.article.authors] == ["The Desk"]
    assert not SectionPage.objects.filter(title="Ignored").exists()


def test_duplicate_slugs_in_a_section_are_made_unique(home):
    first = upsert_item(_item(source_key="a", slug="same", old_urls=()), options=ImportOptions())
    second = upsert_item(_item(source_key="b", slug="same", old_urls=()), options=ImportOptions())
    assert first.article.slug == "same" and second.article.slug == "same-2"


def test_percent_encoded_slugs_are_decoded():
    assert make_slug("%ed%95%9c%ea%b5%ad%ec%96%b4-news") == "한국어-news"


def test_dry_run_writes_nothing(home, media):
    before = (ArticlePage.objects.count(), CustomImage.objects.count(), Redirect.objects.count())
    outcome = upsert_item(_item(), options=ImportOptions(media_dir=media, dry_run=True))
    assert outcome.status == "created"
    after = (ArticlePage.objects.count(), CustomImage.objects.count(), Redirect.objects.count())
    assert after == before


def test_body_mapping_drops_what_it_cannot_hold():
    notes: list[str] = []
    blocks = body_blocks(
        '<p>Text<img src="https://e.org/a.jpg"></p><iframe src="https://ads.example/x"></iframe>',
        image_block=lambda picture: {"image": 7, "caption": picture.caption},
        notes=notes,
    )
    assert blocks == [
        {"type": "paragraph", "value": "<p>Text</p>"},
        {"type": "image", "value": {"image": 7, "caption": ""}},
    ]
    assert notes == ["an embedded frame was dropped (https://ads.example/x)"]


def test_lead_image_from_the_item(home, media):
    lead = ImportedImage(
        source_url="https://old.example/wp-content/uploads/2024/03/pic.png",
        alt="Lead alt",
        credit="Agency",
    )
    article = upsert_item(_item(lead_image=lead), options=ImportOptions(media_dir=media)).article
    assert article.lead_image is not None and article.lead_image.credit
