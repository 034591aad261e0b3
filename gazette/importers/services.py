"""Turn parsed sources into Gazette content: idempotent upserts keyed on a stable source key.

Every import of one source runs in one transaction: a source either lands whole or not at all.
Running an import again with the same input changes nothing.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

from django.db import transaction
from django.utils import timezone
from django.utils.html import escape
from django.utils.text import slugify

from gazette.comments.services import import_comments
from gazette.home.models import HomePage
from gazette.home.services import ensure_home_page
from gazette.images.models import CustomImage
from gazette.images.placeholders import placeholder_image
from gazette.news.blocks import ArticleBodyBlock
from gazette.news.models import (
    MUST_READS_SLUG,
    ArticleAuthor,
    ArticlePage,
    CuratedList,
    CuratedListItem,
    SectionPage,
)
from gazette.news.renditions import generate_renditions
from gazette.people.models import Author
from gazette.related.models import EditorsPick

from .sources.textdump import ParsedArticle, Teaser, decode_textdump, headline_key, parse_textdump
from .upsert import unique_child_slug

SLUG_MAX_LENGTH = 80


class ImportError_(Exception):
    """An import that cannot proceed; the message names the problem in one line."""


@dataclass
class ImportResult:
    article: ArticlePage
    created: bool
    changed: bool
    headline_only: list[ArticlePage] = field(default_factory=list)


def import_textdump_file(*, path: Path, home: HomePage | None = None) -> ImportResult:
    """Read, parse and import one text dump. Raises ImportError_ with a one-line reason."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise ImportError_("no such file") from None
    except IsADirectoryError:
        raise ImportError_("is a directory, not a file") from None
    except OSError as exc:
        raise ImportError_(f"cannot be read ({exc.strerror})") from None
    try:
        parsed = parse_textdump(decode_textdump(data))
    except ValueError as exc:  # TextdumpError
        raise ImportError_(str(exc)) from None
    return import_parsed_article(parsed=parsed, home=home)


@transaction.atomic
def import_parsed_article(*, parsed: ParsedArticle, home: HomePage | None = None) -> ImportResult:
    home = home or ensure_home_page()
    now = timezone.now()
    section = upsert_section(home=home, name=parsed.section)
    author = upsert_author(name=parsed.author_name, email=parsed.author_email)
    lead_image = (
        placeholder_image(
            title=f"Placeholder: lead picture of “{parsed.headline}”",
            credit=parsed.lead_image_credit,
        )
        if parsed.lead_image_credit
        else None
    )
    article, created, changed = upsert_article(
        section=section,
        source_key=parsed.source_key,
        headline=parsed.headline,
        body=body_from_parsed(parsed),
        lead_image=lead_image,
        authors=[author],
        headline_only=False,
        first_published_at=now,
    )
    # The readers' comments the page showed are published there: import them as published.
    import_comments(article=article, texts=parsed.comments)
    result = ImportResult(article=article, created=created, changed=changed)

    # The page's lists name other stories: import them as headline-only articles, with
    # publication times that reproduce the order the source listed them in.
    for offset, teaser in enumerate(parsed.latest_stories, start=1):
        result.headline_only.append(
            upsert_headline_only(
                home=home, teaser=teaser, published=now - timedelta(minutes=offset)
            )
        )
    others = (*parsed.must_reads, *parsed.you_may_also_like, *parsed.popular_now)
    seen = {headline_key(t.headline) for t in parsed.latest_stories}
    offset = len(parsed.latest_stories)
    must_read_pages = []
    pick_pages = []
    for teaser in others:
        key = headline_key(teaser.headline)
        offset += 1
        page = upsert_headline_only(
            home=home, teaser=teaser, published=now - timedelta(minutes=offset)
        )
        if key not in seen:
            seen.add(key)
            result.headline_only.append(page)
        if teaser in parsed.must_reads and page not in must_read_pages:
            must_read_pages.append(page)
        if teaser in parsed.you_may_also_like and page not in pick_pages and page != article:
            pick_pages.append(page)
    if must_read_pages:
        set_curated_list(slug=MUST_READS_SLUG, name="Must-Reads", articles=must_read_pages)
    set_editors_picks(article=article, picks=pick_pages)
    return result


def set_editors_picks(*, article: ArticlePage, picks: list[ArticlePage]) -> bool:
    """The page's You May Also Like list, as its editors' picks, in its order.

    The picks belong to the article's revisions (they are part of its edit form): a new
    revision is published only when they differ. Returns whether they changed."""
    current = article.get_latest_revision_as_object()
    if [pick.pick_id for pick in current.editors_picks.all()] == [page.pk for page in picks]:
        return False
    article.editors_picks = [
        EditorsPick(pick=page, sort_order=index) for index, page in enumerate(picks)
    ]
    article.save_revision().publish()
    return True


def body_from_parsed(parsed: ParsedArticle) -> list[dict]:
    """Paragraphs as rich text, each credited inline image after the paragraph it followed.

    Returned as raw StreamField data (what the database stores), ready to compare and save.
    """
    images_after: dict[int, list[str]] = {}
    for inline in parsed.inline_images:
        images_after.setdefault(inline.after_paragraph, []).append(inline.credit)
    body: list[dict] = []
    for number, paragraph in enumerate(parsed.paragraphs, start=1):
        body.append({"type": "paragraph", "value": f"<p>{escape(paragraph)}</p>"})
        for index, credit in enumerate(images_after.get(number, []), start=1):
            image = placeholder_image(
                title=f"Placeholder: picture {number}.{index} of “{parsed.headline}”", credit=credit
            )
            body.append({"type": "image", "value": {"image": image.pk, "caption": ""}})
    return body


def upsert_section(*, home: HomePage, name: str) -> SectionPage:
    slug = slugify(name)[:SLUG_MAX_LENGTH] or "section"
    section = SectionPage.objects.child_of(home).filter(slug=slug).first()
    if section is None:
        section = home.add_child(instance=SectionPage(title=name, slug=slug, show_in_menus=True))
        section.save_revision().publish()
    return section


def upsert_author(*, name: str, email: str | None) -> Author:
    slug = slugify(name)[:200] or "author"
    author, created = Author.objects.get_or_create(
        slug=slug, defaults={"name": name, "email": email or ""}
    )
    if not created and email and author.email != email:
        author.email = email
        author.save(update_fields=["email"])
    return author


def upsert_headline_only(*, home: HomePage, teaser: Teaser, published: datetime) -> ArticlePage:
    """A story known only by its headline. An existing article with a body is left alone."""
    section = upsert_section(home=home, name=teaser.section)
    existing = ArticlePage.objects.filter(source_key=headline_key(teaser.headline)).first()
    if existing is not None:
        return existing
    article, _, _ = upsert_article(
        section=section,
        source_key=headline_key(teaser.headline),
        headline=teaser.headline,
        body=[],
        lead_image=None,
        authors=[],
        headline_only=True,
        first_published_at=published,
    )
    return article


def _body_signature(raw_blocks: list[dict]) -> str:
    """Compare bodies by content, not by the random block ids a StreamField assigns."""
    return json.dumps([(block["type"], block["value"]) for block in raw_blocks], sort_keys=True)


def upsert_article(
    *,
    section: SectionPage,
    source_key: str,
    headline: str,
    body: list[dict],
    lead_image: CustomImage | None,
    authors: list[Author],
    headline_only: bool,
    first_published_at: datetime,
) -> tuple[ArticlePage, bool, bool]:
    """Create or update the article with this source key; publish only when something changed.

    Returns (article, created, changed).
    """
    article = ArticlePage.objects.filter(source_key=source_key).first()
    created = article is None
    if created:
        article = ArticlePage(
            title=headline,
            slug=unique_child_slug(section, headline),
            source_key=source_key,
            first_published_at=first_published_at,
            live=False,
        )
        section.add_child(instance=article)
    wanted = {
        "title": headline,
        "lead_image_id": lead_image.pk if lead_image else None,
        "is_headline_only": headline_only,
    }
    current_authors = [link.author_id for link in article.article_authors.all()]
    changed = (
        created
        or any(getattr(article, name) != value for name, value in wanted.items())
        or _body_signature(article.body.get_prep_value()) != _body_signature(body)
        or current_authors != [author.pk for author in authors]
        or not article.live
    )
    if changed:
        for name, value in wanted.items():
            setattr(article, name, value)
        article.body = ArticleBodyBlock().to_python(body)
        article.article_authors = [
            ArticleAuthor(author=author, sort_order=index) for index, author in enumerate(authors)
        ]
        article.save_revision().publish()
        article.refresh_from_db()
        generate_renditions(article)
    return article, created, changed


def set_curated_list(*, slug: str, name: str, articles: list[ArticlePage]) -> CuratedList:
    curated, _ = CuratedList.objects.get_or_create(slug=slug, defaults={"name": name})
    current = list(curated.items.order_by("sort_order").values_list("article_id", flat=True))
    if current != [article.pk for article in articles]:
        curated.items.all().delete()
        CuratedListItem.objects.bulk_create(
            CuratedListItem(curated_list=curated, article=article, sort_order=index)
            for index, article in enumerate(articles)
        )
        # Saved as the admin saves it: bulk_create sends no signal, so the list's usage
        # (Wagtail's reference index: "used in Must-Reads") would miss its new stories.
        curated.save()
    return curated
