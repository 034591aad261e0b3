"""Turn a feed's ImportItems into articles: idempotent by source key, one transaction each.

A small stand-in for the shared upsert service (the ``import`` branch's): it reuses what
``services`` offers (authors, slugs, placeholder pictures) and adds what feeds need, drafts
and updates. Point ``import_entries`` at the shared service when it lands.

- The article the source key names is found again on every poll: an unchanged entry changes
  nothing, a changed one is saved as a new revision.
- Compared with the article's latest revision (what an editor sees), not the live page.
- ``publish``: a new article is published at once, and an update of a live article too;
  otherwise (or when an editor has unpublished it) the change waits as a draft.
- Pictures are placeholders that name the picture's address and credit (as the text-dump
  import's are): nothing is fetched from the feed's site while polling.
"""

from __future__ import annotations

import html
import json
import logging
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from django.db import transaction
from django.utils import timezone
from lxml import html as lxml_html

from gazette.images.models import CustomImage
from gazette.images.placeholders import placeholder_image
from gazette.news.blocks import ArticleBodyBlock
from gazette.news.models import ArticleAuthor, ArticlePage, SectionPage
from gazette.people.models import Author

from .items import FailedItem, ImportedImage, ImportItem, ParsedEntry, SkippedItem
from .services import unique_child_slug, upsert_author

logger = logging.getLogger(__name__)

STATUSES = ("created", "updated", "unchanged", "skipped", "failed")


@dataclass(frozen=True)
class EntryResult:
    position: str
    source_key: str
    status: str  # one of STATUSES
    reason: str = ""
    article_id: int | None = None


@dataclass
class IngestSummary:
    results: list[EntryResult] = field(default_factory=list)

    @property
    def counts(self) -> Counter:
        return Counter(result.status for result in self.results)

    def line(self) -> str:
        """``2 created, 1 updated, 5 unchanged, 0 skipped, 1 failed``"""
        counts = self.counts
        return ", ".join(f"{counts[status]} {status}" for status in STATUSES)

    @property
    def failures(self) -> list[EntryResult]:
        return [result for result in self.results if result.status == "failed"]


def import_entries(
    entries: Iterable[ParsedEntry],
    *,
    section: SectionPage,
    author: Author | None,
    publish: bool,
) -> IngestSummary:
    """Import each item in its own transaction; a failing one is reported, the rest go on."""
    summary = IngestSummary()
    for entry in entries:
        if isinstance(entry, SkippedItem):
            summary.results.append(
                EntryResult(entry.position, entry.source_key, "skipped", entry.reason)
            )
            continue
        if isinstance(entry, FailedItem):
            summary.results.append(
                EntryResult(entry.position, entry.source_key, "failed", entry.reason)
            )
            continue
        try:
            with transaction.atomic():
                article, status = _upsert(
                    entry, section=section, default_author=author, publish=publish
                )
        except Exception as exc:
            # One entry's trouble (a database constraint, a tree error) must not cost the
            # others their import; the log keeps the traceback, the summary one line.
            logger.exception("feed entry %s (%s) failed", entry.position, entry.source_key)
            reason = " ".join(f"{type(exc).__name__}: {exc}".split())[:300]
            summary.results.append(EntryResult(entry.position, entry.source_key, "failed", reason))
            continue
        summary.results.append(
            EntryResult(entry.position, entry.source_key, status, article_id=article.pk)
        )
    return summary


# --- one item ----------------------------------------------------------------------------


def _picture(image: ImportedImage) -> CustomImage:
    """The placeholder for a picture, one per address however often it is imported."""
    credit = image.credit or urlsplit(image.source_url).hostname or "the source"
    return placeholder_image(title=f"Placeholder: {image.source_url}"[:255], credit=credit)


def _authors(item: ImportItem, default_author: Author | None) -> list[Author]:
    authors = [upsert_author(name=name, email=email) for name, email in item.authors]
    if not authors and default_author is not None:
        authors = [default_author]
    return list(dict.fromkeys(authors))


def _signature(article: ArticlePage) -> str:
    """What an import sets, comparable across runs (not the random ids of StreamField blocks)."""
    return json.dumps(
        {
            "title": article.title,
            "standfirst": article.standfirst,
            "headline_only": article.is_headline_only,
            "lead_image": article.lead_image_id,
            "body": [(block["type"], block["value"]) for block in article.body.get_prep_value()],
            "authors": [link.author_id for link in article.article_authors.all()],
            "tags": sorted(tag.name for tag in article.tags.all()),
        },
        sort_keys=True,
    )


def _upsert(
    item: ImportItem, *, section: SectionPage, default_author: Author | None, publish: bool
) -> tuple[ArticlePage, str]:
    existing = ArticlePage.objects.filter(source_key=item.source_key).first()
    if existing is None:
        article = ArticlePage(
            title=item.headline,
            slug=unique_child_slug(section, item.headline),
            source_key=item.source_key,
            first_published_at=item.published or timezone.now(),
            live=False,
        )
        section.add_child(instance=article)
        before = None
    else:
        article = existing.get_latest_revision_as_object()
        before = _signature(article)

    article.title = item.headline
    article.standfirst = item.standfirst
    article.is_headline_only = item.headline_only
    article.lead_image = _picture(item.lead_image) if item.lead_image else None
    article.body = ArticleBodyBlock().to_python(body_blocks(item.body_html))
    article.article_authors = [
        ArticleAuthor(author=author, sort_order=index)
        for index, author in enumerate(_authors(item, default_author))
    ]
    article.tags.set(list(item.tags))

    if before is not None and _signature(article) == before:
        return existing, "unchanged"
    revision = article.save_revision()
    # An article an editor took down stays down: the update waits for them as a draft.
    if publish and (existing is None or existing.live):
        revision.publish()
    return article, "created" if existing is None else "updated"


# --- the body ----------------------------------------------------------------------------


def body_blocks(body_html: str) -> list[dict]:
    """Raw StreamField data from a parser's body HTML (already sanitised by the parser).

    ``p``, ``h2``, ``h3``, ``ul``, ``ol`` -> paragraph (rich text), ``pre`` -> a paragraph
    with its lines, ``blockquote`` -> quote, ``figure`` -> image with its caption.
    """
    if not body_html.strip():
        return []
    root = lxml_html.fragment_fromstring(body_html, create_parent="div")
    blocks: list[dict] = []
    for node in root:
        if not isinstance(node.tag, str):
            continue
        if node.tag in ("p", "h2", "h3", "ul", "ol"):
            blocks.append({"type": "paragraph", "value": _markup(node)})
        elif node.tag == "pre":
            lines = [html.escape(line) for line in node.text_content().splitlines()]
            blocks.append({"type": "paragraph", "value": f"<p>{'<br/>'.join(lines)}</p>"})
        elif node.tag == "blockquote":
            blocks.append({"type": "quote", "value": _quote(node)})
        elif node.tag == "figure" and (block := _figure(node)):
            blocks.append(block)
    return blocks


def _markup(node) -> str:
    return lxml_html.tostring(node, encoding="unicode", with_tail=False)


def _quote(node) -> dict:
    paragraphs = [" ".join(p.text_content().split()) for p in node.findall("p")]
    # A trailing line that is not a paragraph of its own (a <cite>) names who said it.
    loose = [" ".join(child.text_content().split()) for child in node if child.tag != "p"]
    if not paragraphs:
        return {"text": " ".join(node.text_content().split()), "attribution": ""}
    return {"text": "\n\n".join(paragraphs), "attribution": " ".join(loose)[:200]}


def _figure(node) -> dict | None:
    img = node.find(".//img")
    if img is None or not img.get("src"):
        return None
    caption_node = node.find(".//figcaption")
    caption, credit = "", ""
    if caption_node is not None:
        small = caption_node.find(".//small")
        if small is not None:
            credit = " ".join(small.text_content().split())
            small.drop_tree()
        caption = " ".join(caption_node.text_content().split())
    image = _picture(
        ImportedImage(source_url=img.get("src"), alt=img.get("alt") or "", credit=credit)
    )
    return {"type": "image", "value": {"image": image.pk, "caption": caption[:500]}}
