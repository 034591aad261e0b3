"""What features offer to machines through distribution (feeds, sitemaps, the API, structured
data), without distribution and the features knowing each other: news is the one both know.
A feature registers in its ``AppConfig.ready()``; distribution reads.

- Feed subjects: a kind of page whose stories have feeds, e.g. topics::

      register_feed_subjects(FeedSubjects(kind="topics", find=...))

  distribution then serves ``/feeds/topics/<slug>/rss.xml`` and ``atom.xml``
  (:func:`feed_paths`) like its own section feeds, and offers them on the feature's page (a
  ``feed_subject`` :class:`FeedLink` in the page's context). The feature purges them with
  its pages (``gazette.news.purge.urls_showing_article``): it knows which subjects an
  article is in.
- Sitemap sections: ``register_sitemap_section(SitemapSection("topics", locations))`` adds
  ``/sitemaps/topics.xml`` (:func:`sitemap_path`) to the sitemap index; distribution purges
  it with every article.
- Notes on articles (corrections, updates): receivers of ``article_notes`` return the public
  notes of the articles they are sent (``{article_id: [PublicNote, ...]}``) for the API and
  the JSON-LD; ``notes_of(articles)`` asks them all.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from django.dispatch import Signal

if TYPE_CHECKING:
    from wagtail.models import Site

    from .models import ArticlePage
    from .queries import ArticlePageQuerySet


# -- feed subjects -------------------------------------------------------------------------------


@dataclass(frozen=True)
class FeedSubject:
    """One subject's feed: what it is called and which stories it lists."""

    title: str
    description: str
    page_path: str  # the site-relative path of the page the feed follows
    articles: ArticlePageQuerySet


@dataclass(frozen=True)
class MovedSubject:
    """The subject has another slug now (renamed, merged): its feeds answer 301 there."""

    slug: str


@dataclass(frozen=True)
class FeedSubjects:
    kind: str  # the URL segment: /feeds/<kind>/<slug>/rss.xml
    # The subject of a slug: found, moved, or None (404).
    find: Callable[[str], FeedSubject | MovedSubject | None]


FEED_FORMATS = ("rss", "atom")


def feed_paths(kind: str, slug: str) -> list[str]:
    """The site-relative paths of a subject's feeds, RSS then Atom (distribution's URLs)."""
    return [f"/feeds/{kind}/{slug}/{feed_format}.xml" for feed_format in FEED_FORMATS]


@dataclass(frozen=True)
class FeedLink:
    """Put in a page's context as ``feed_subject``: the page offers this subject's feeds."""

    kind: str
    slug: str
    title: str


_feed_subjects: dict[str, FeedSubjects] = {}


def register_feed_subjects(subjects: FeedSubjects) -> None:
    _feed_subjects[subjects.kind] = subjects


def feed_subjects(kind: str) -> FeedSubjects | None:
    return _feed_subjects.get(kind)


def all_feed_subjects() -> list[FeedSubjects]:
    return list(_feed_subjects.values())


# -- sitemap sections ----------------------------------------------------------------------------


@dataclass(frozen=True)
class SitemapLocation:
    path: str  # site-relative
    lastmod: datetime | None = None
    # (language, site-relative path) of each edition's page for the same thing, this one
    # included, when there are several: the sitemap's hreflang alternates.
    alternates: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class SitemapSection:
    name: str  # /sitemaps/<name>.xml
    # The pages of the section, for the Wagtail Site (or None) the sitemap is read from.
    locations: Callable[[Site | None], Iterable[SitemapLocation]]


_sitemap_sections: dict[str, SitemapSection] = {}


def sitemap_path(name: str) -> str:
    """The site-relative path of a sitemap section (distribution's URL)."""
    return f"/sitemaps/{name}.xml"


def register_sitemap_section(section: SitemapSection) -> None:
    _sitemap_sections[section.name] = section


def sitemap_section(name: str) -> SitemapSection | None:
    return _sitemap_sections.get(name)


def all_sitemap_sections() -> list[SitemapSection]:
    return list(_sitemap_sections.values())


# -- notes on articles ---------------------------------------------------------------------------


@dataclass(frozen=True)
class PublicNote:
    """A note readers see on an article: a correction, a clarification, an update..."""

    kind: str  # a machine name: "correction", "clarification", "update", "editors-note"
    label: str  # as readers see it: "Correction"
    text: str
    published_at: datetime
    is_correction: bool  # schema.org's CorrectionComment: it corrects the article


# Sent with ``articles`` (a sequence of ArticlePage); each receiver answers
# {article_id: [PublicNote, ...]} in a fixed number of queries, none for articles the article
# page loaded (``queries.load_with_article_page``).
article_notes = Signal()


def notes_of(articles: Sequence[ArticlePage]) -> dict[int, list[PublicNote]]:
    """The public notes of each article (by id), oldest first, from every feature that has
    some."""
    from .models import ArticlePage

    notes: dict[int, list[PublicNote]] = {article.pk: [] for article in articles}
    if not articles:
        return notes
    for _, answer in article_notes.send(sender=ArticlePage, articles=list(articles)):
        for article_id, found in (answer or {}).items():
            notes.setdefault(article_id, []).extend(found)
    for found in notes.values():
        found.sort(key=lambda note: note.published_at)
    return notes
