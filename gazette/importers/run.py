"""An import run: sources read, their format found, each item upserted and reported.

The command (``import_articles``) and any other caller (an admin view, a task) share this:
they pass sources and options, and receive one ``ItemReport`` per item as it is done.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from contextlib import nullcontext
from dataclasses import asdict, dataclass, field
from typing import Any

from django.db import transaction

from gazette.core.newsroom_time import newsroom_zone_name, zone
from gazette.news import lifecycle
from gazette.news.models import ArticlePage

from .indexing import index_updates_deferred
from .items import FailedItem, ImportedImage, ImportItem, ParsedEntry, SkippedItem
from .reading import Source, SourceError, detect_format, fetch_bytes, open_source
from .upsert import ImportOptions, upsert_item

__all__ = ["ItemReport", "RunSummary", "import_sources"]

STATUSES = ("created", "updated", "unchanged", "skipped", "failed")


@dataclass
class ItemReport:
    source: str  # the file or URL as given
    position: str
    source_key: str
    status: str  # created, updated, unchanged, skipped, failed
    reason: str = ""
    article_id: int | None = None
    url: str = ""
    headline: str = ""
    notes: list[str] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class RunSummary:
    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(STATUSES, 0))

    def add(self, report: ItemReport) -> None:
        self.counts[report.status] += 1

    @property
    def failed(self) -> bool:
        return self.counts["failed"] > 0

    def line(self, *, dry_run: bool) -> str:
        counts = ", ".join(f"{self.counts[name]} {name}" for name in STATUSES)
        return f"{'Dry run, nothing written: ' if dry_run else ''}{counts}"


Progress = Callable[[int, int], None]


def import_sources(
    names: Iterable[str],
    *,
    format: str = "auto",
    options: ImportOptions,
    on_item: Callable[[ItemReport], None] | None = None,
    progress_for: Callable[[str, str], Any] | None = None,
    defer_follow_ups: bool = True,
    jobs: int = 1,
) -> RunSummary:
    """Import every source in turn. ``progress_for(name, unit)`` gives a context manager
    yielding an ``on_progress(done, total)`` callback (the command's progress bar).

    The lifecycle's follow-ups of each publication (related lists, renditions, purges) are
    done once for the run, when it ends (``lifecycle.publications_deferred``), unless
    ``defer_follow_ups`` is False: then each article's as it is published. So are the
    search and reference index updates of what the items saved (``indexing``).

    ``jobs`` > 1: a WordPress export's items are imported by that many worker processes
    (``parallel``; PostgreSQL only: see ``parallel.jobs_for``), each item still in its own
    transaction; a bulk run's (``defer_follow_ups``) outside any transaction, not a dry run."""
    summary = RunSummary()
    deferred = lifecycle.publications_deferred() if defer_follow_ups else nullcontext()
    indexing_deferred = index_updates_deferred() if defer_follow_ups else nullcontext()
    with deferred, indexing_deferred:
        for name in names:
            for report in _import_source(
                name, format=format, options=options, progress_for=progress_for, jobs=jobs
            ):
                summary.add(report)
                if on_item is not None:
                    on_item(report)
    return summary


def _import_source(name, *, format, options, progress_for, jobs=1) -> Iterator[ItemReport]:
    try:
        with open_source(name) as source:
            kind = detect_format(source.head()) if format == "auto" else format
            source_options = _options_for(source, options)
            if kind == "textdump":
                yield _textdump(source, options=source_options)
                return
            unit = "B" if kind == "wxr" else "article"
            parallel = (
                jobs > 1
                and kind == "wxr"
                and not options.dry_run
                and lifecycle.publications_are_deferred()
                # Workers see committed rows only: inside a caller's transaction, one process.
                and not transaction.get_connection().in_atomic_block
            )
            with _progress(progress_for, name, unit) as on_progress:
                entries = _entries(source, kind, on_progress=on_progress)
                if parallel:
                    from .parallel import import_in_parallel

                    yield from import_in_parallel(
                        entries, source=name, options=source_options, jobs=jobs, apply=_apply
                    )
                    return
                for entry in entries:
                    yield _apply(entry, source=name, options=source_options)
    except SourceError as exc:
        yield ItemReport(source=name, position="source", source_key="", status="failed",
                         reason=str(exc))  # fmt: skip
    except ValueError as exc:  # a parser's one-line refusal of the whole source
        yield ItemReport(source=name, position="source", source_key="", status="failed",
                         reason=" ".join(str(exc).split())[:300])  # fmt: skip


class _NoProgress:
    def __enter__(self):
        return None

    def __exit__(self, *exc):
        return False


def _progress(progress_for, name: str, unit: str):
    return progress_for(name, unit) if progress_for is not None else _NoProgress()


def _options_for(source: Source, options: ImportOptions) -> ImportOptions:
    """Pictures of a source on the web are fetched from the web, unless they are on disk."""
    if not source.url or options.fetch_image is not None:
        return options
    return ImportOptions(**{**vars(options), "fetch_image": fetch_bytes})


def _entries(source: Source, kind: str, *, on_progress: Progress | None) -> Iterator[ParsedEntry]:
    if kind == "wxr":
        from .sources.wxr import parse_wxr

        yield from parse_wxr(
            source.path, time_zone=zone(newsroom_zone_name()), on_progress=on_progress
        )
    elif kind == "feed":
        entries = list(_feed_entries(source))
        for done, entry in enumerate(entries, start=1):
            yield entry
            if on_progress is not None:
                on_progress(done, len(entries))
    elif kind == "html":
        yield _webpage_item(source)
        if on_progress is not None:
            on_progress(1, 1)
    else:
        raise SourceError(f"unknown format {kind!r}")


def _feed_entries(source: Source) -> Iterator[ParsedEntry]:
    from .sources.feed import parse_feed

    return parse_feed(source.path.read_bytes(), url=source.url or source.path.resolve().as_uri())


def _webpage_item(source: Source) -> ParsedEntry:
    from .sources.webpage import WebpageError, parse_webpage

    url = source.url or source.path.resolve().as_uri()
    try:
        page = parse_webpage(source.path.read_bytes(), url=url, declared_charset=source.charset)
    except WebpageError as exc:
        return FailedItem(position="page", source_key=url, reason=str(exc))
    lead = page.lead_image
    old_urls = (page.canonical_url,) if page.canonical_url.startswith("http") else ()
    return ImportItem(
        source_key=page.canonical_url,
        position="page",
        headline=page.headline,
        published=page.published,
        updated=page.modified,
        section=page.section,
        authors=tuple((name, "") for name in page.authors),
        tags=page.tags,
        standfirst=page.standfirst,
        body_html=page.body_html,
        lead_image=ImportedImage(lead.url, lead.alt, lead.caption, lead.credit) if lead else None,
        old_urls=old_urls,
        notes=page.notes,
    )


def _apply(entry: ParsedEntry, *, source: str, options: ImportOptions) -> ItemReport:
    if isinstance(entry, SkippedItem):
        return ItemReport(source, entry.position, entry.source_key, "skipped", entry.reason)
    if isinstance(entry, FailedItem):
        return ItemReport(source, entry.position, entry.source_key, "failed", entry.reason)
    try:
        outcome = upsert_item(entry, options=options)
    except Exception as exc:  # one bad item is reported, the rest go on
        reason = f"{type(exc).__name__}: {' '.join(str(exc).split())[:200]}"
        return ItemReport(source, entry.position, entry.source_key, "failed", reason,
                          headline=entry.headline)  # fmt: skip
    article = outcome.article
    return ItemReport(
        source=source,
        position=entry.position,
        source_key=entry.source_key,
        status=outcome.status,
        article_id=None if options.dry_run else article.pk,
        url="" if options.dry_run and outcome.status == "created" else _article_url(article),
        headline=article.title,
        notes=outcome.notes,
    )


def _article_url(article: ArticlePage) -> str:
    return article.get_url() or article.url_path


def _textdump(source: Source, *, options: ImportOptions) -> ItemReport:
    """The text-dump import as it always was (its own lists and stubs), reported as an item."""
    from .services import import_parsed_article
    from .sources.textdump import TextdumpError, decode_textdump, parse_textdump

    try:
        parsed = parse_textdump(decode_textdump(source.path.read_bytes()))
    except TextdumpError as exc:
        return ItemReport(source.name, "page", "", "failed", str(exc))
    existing = ArticlePage.objects.filter(source_key=parsed.source_key).first()
    if options.dry_run:
        status = "created" if existing is None else "updated or unchanged"
        return ItemReport(source.name, "page", parsed.source_key, status.split()[0],
                          "dry run: the text dump's lists are not compared",
                          article_id=existing.pk if existing else None,
                          url=_article_url(existing) if existing else "",
                          headline=parsed.headline)  # fmt: skip
    try:
        with transaction.atomic():
            result = import_parsed_article(parsed=parsed, home=options.home)
    except Exception as exc:  # reported as the item's failure, in one line
        reason = f"{type(exc).__name__}: {' '.join(str(exc).split())[:200]}"
        return ItemReport(source.name, "page", parsed.source_key, "failed", reason)
    status = "created" if result.created else ("updated" if result.changed else "unchanged")
    return ItemReport(source.name, "page", parsed.source_key, status,
                      article_id=result.article.pk, url=_article_url(result.article),
                      headline=result.article.title)  # fmt: skip
