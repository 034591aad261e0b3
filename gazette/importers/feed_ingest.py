"""Turn a feed's ImportItems into articles, through the shared upsert (``upsert.py``).

Each entry is one ``upsert_item`` call (idempotent by source key, one transaction each, an
unchanged entry writes nothing). What is the feed's own is kept here:

- ``publish``: a new article is published at once, and an update of a live article too;
  otherwise the change waits as a draft (``ImportOptions.publish``);
- an article an editor took down stays down: its updates wait as drafts
  (``ImportOptions.keep_down``);
- every entry goes to the source's section, its default author for entries naming none;
- nothing is fetched from the feed's site while polling: pictures are placeholders that
  name the picture's address and credit;
- the summary counts what each entry came to, a failing entry in one line.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

from gazette.news.models import SectionPage
from gazette.people.models import Author

from .items import FailedItem, ParsedEntry, SkippedItem
from .upsert import ImportOptions, upsert_item

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
    options = ImportOptions(
        section=section, default_author=author or "", publish=publish, keep_down=True
    )
    summary = IngestSummary()
    for entry in entries:
        if isinstance(entry, SkippedItem | FailedItem):
            status = "skipped" if isinstance(entry, SkippedItem) else "failed"
            summary.results.append(
                EntryResult(entry.position, entry.source_key, status, entry.reason)
            )
            continue
        try:
            outcome = upsert_item(entry, options=options)
        except Exception as exc:
            # One entry's trouble (a database constraint, a tree error) must not cost the
            # others their import; the log keeps the traceback, the summary one line.
            logger.exception("feed entry %s (%s) failed", entry.position, entry.source_key)
            reason = " ".join(f"{type(exc).__name__}: {exc}".split())[:300]
            summary.results.append(EntryResult(entry.position, entry.source_key, "failed", reason))
            continue
        summary.results.append(
            EntryResult(
                entry.position, entry.source_key, outcome.status, article_id=outcome.article.pk
            )
        )
    return summary
