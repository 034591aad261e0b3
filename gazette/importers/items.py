"""What every source parser hands the importer: one `ImportItem` per article found.

A parser (WXR, a feed, a web page, a text dump) knows its format; the upsert service knows
Gazette's models. This module is the contract between them, and imports nothing of either:
parsers stay pure (bytes in, items out) and testable without a database.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import Enum


class Status(Enum):
    """What the source says of the item's publication."""

    LIVE = "live"
    DRAFT = "draft"
    SCHEDULED = "scheduled"  # goes live at `published`
    PRIVATE = "private"  # imported, not shown to readers


@dataclass(frozen=True)
class ImportedImage:
    """An image the item shows: where its file is, and what must travel with it."""

    source_url: str  # as the source names it; also the image's own source key
    alt: str = ""
    caption: str = ""
    credit: str = ""
    local_path: str = ""  # a file found on disk (WXR --media-dir), else fetched or a placeholder


@dataclass(frozen=True)
class ImportedComment:
    author_name: str
    posted: datetime  # aware
    text: str  # plain text; the e-mail never travels


@dataclass(frozen=True)
class ImportItem:
    """One article as a source gives it, in Gazette's terms but not yet Gazette's models.

    ``source_key`` is stable across runs (a WXR guid, a feed entry's id or link, a page's
    canonical URL): the importer finds the article it made last time by it, so a second run
    changes nothing. ``position`` names the item in its source for a report ("item 7").
    """

    source_key: str
    position: str
    headline: str
    status: Status = Status.LIVE
    published: datetime | None = None  # aware; the first-published time
    updated: datetime | None = None  # aware
    section: str = ""  # a section's name; the importer's --section wins
    authors: tuple[tuple[str, str], ...] = ()  # (display name, e-mail or "")
    tags: tuple[str, ...] = ()
    standfirst: str = ""
    body_html: str = ""  # sanitised HTML of the body's blocks; "" for a headline-only article
    lead_image: ImportedImage | None = None
    images: tuple[ImportedImage, ...] = ()  # images the body refers to, by source_url
    comments: tuple[ImportedComment, ...] = ()
    old_urls: tuple[str, ...] = ()  # addresses that answer 301 to the article's new URL
    notes: tuple[str, ...] = ()  # what the parser dropped or guessed, for the report
    headline_only: bool = False  # the source gave only a summary: say so on the page
    link: str = ""  # the item's own address in its source (a feed entry's link), if any
    slug: str = ""  # the source's own slug (percent-encoding allowed); else from the headline


@dataclass(frozen=True)
class SkippedItem:
    """An entry the source holds that is not an article (a page, a menu item, spam)."""

    position: str
    source_key: str
    reason: str


@dataclass(frozen=True)
class FailedItem:
    """An entry that could not be read; the rest of the source goes on."""

    position: str
    source_key: str
    reason: str  # one line


# A parser is a generator of these, in the source's order: a 100 MB export streams through
# the importer one item at a time, its memory flat.
ParsedEntry = ImportItem | SkippedItem | FailedItem
