"""Poll the feed sources that are due: conditional GET, parse, import, record how it went.

``poll_due_sources()`` runs from the schedule worker's round (through the ``poll_feed_sources``
task, see ``apps.py``). For each due source:

- it is claimed first (its next poll time moved on in one conditional UPDATE), so two
  workers never poll one source at once and a worker that dies leaves it due again later;
- the request carries the validators the last answer gave (If-None-Match,
  If-Modified-Since): 304 means nothing changed and nothing is parsed;
- a fetch has a timeout and a size cap, and follows redirects only to http(s);
- the feed is parsed (``sources.feed``) and imported (``feed_ingest``), one transaction per
  entry; the validators are kept only once the import is done, so a crash mid-way refetches;
- an error backs off exponentially (interval x 2^failures, at most a day) and the source's
  status says why, in one line.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

import requests
from django.utils import timezone

from .feed_ingest import IngestSummary, import_entries
from .models import FeedSource
from .sources.feed import MAX_FEED_BYTES, FeedError, parse_feed

logger = logging.getLogger(__name__)

TIMEOUT = (5, 20)  # seconds: to connect, between bytes
MAX_BACKOFF = timedelta(hours=24)
# A poll that takes longer than this is taken to have died: the source is due again.
CLAIM_FOR = timedelta(minutes=15)
USER_AGENT = "Gazette feed reader (+https://github.com/gazette)"
MAX_REDIRECTS = 5


class FetchError(Exception):
    """One line that says why the feed could not be fetched."""


@dataclass(frozen=True)
class Fetched:
    status: int  # 200 or 304
    body: bytes = b""
    charset: str | None = None
    etag: str = ""
    last_modified: str = ""


@dataclass(frozen=True)
class PollResult:
    source_id: int
    status: str  # FeedSource.Status
    message: str
    summary: IngestSummary | None = None


def fetch_feed(url: str, *, etag: str = "", last_modified: str = "") -> Fetched:
    """GET the feed, conditionally. Raises FetchError with a one-line reason."""
    headers = {"User-Agent": USER_AGENT, "Accept": "application/rss+xml, application/atom+xml, "
               "application/rdf+xml, application/xml;q=0.9, text/xml;q=0.9, */*;q=0.1"}  # fmt: skip
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    session = requests.Session()
    session.max_redirects = MAX_REDIRECTS
    try:
        with session.get(url, headers=headers, timeout=TIMEOUT, stream=True) as response:
            # requests follows redirects only to schemes it has adapters for (http, https);
            # say so plainly anyway rather than trust that.
            if response.url.split(":", 1)[0].lower() not in ("http", "https"):
                raise FetchError("redirected off http(s)")
            if response.status_code == 304:
                return Fetched(status=304)
            if response.status_code != 200:
                raise FetchError(f"the server answered {response.status_code} {response.reason}")
            declared = response.headers.get("Content-Length", "")
            if declared.isdigit() and int(declared) > MAX_FEED_BYTES:
                raise FetchError(f"the feed is over {MAX_FEED_BYTES // 1024 // 1024} MB")
            body = bytearray()
            for chunk in response.iter_content(64 * 1024):
                body += chunk
                if len(body) > MAX_FEED_BYTES:
                    raise FetchError(f"the feed is over {MAX_FEED_BYTES // 1024 // 1024} MB")
            charset = None
            if "charset=" in response.headers.get("Content-Type", "").lower():
                charset = response.encoding
            return Fetched(
                status=200,
                body=bytes(body),
                charset=charset,
                etag=response.headers.get("ETag", ""),
                last_modified=response.headers.get("Last-Modified", ""),
            )
    except requests.Timeout:
        raise FetchError("timed out") from None
    except requests.TooManyRedirects:
        raise FetchError(f"more than {MAX_REDIRECTS} redirects") from None
    except requests.exceptions.InvalidSchema:
        raise FetchError("redirected off http(s)") from None
    except requests.ConnectionError as exc:
        raise FetchError(f"could not connect ({_root_cause(exc)})") from None
    except requests.RequestException as exc:
        raise FetchError(f"the request failed ({type(exc).__name__})") from None


def _root_cause(exc: BaseException) -> str:
    while exc.__cause__ is not None or exc.__context__ is not None:
        exc = exc.__cause__ or exc.__context__
    return " ".join(str(exc).split())[:120] or type(exc).__name__


def backoff(source: FeedSource, failures: int) -> timedelta:
    """The wait after the ``failures``-th error in a row: the interval doubled each time."""
    return min(source.interval * 2 ** min(failures, 16), MAX_BACKOFF)


def _claim(source: FeedSource, now: datetime) -> bool:
    """Take the source for this poll; False if another worker took it first."""
    previous = FeedSource.objects.filter(pk=source.pk, enabled=True)
    if source.next_poll_at is None:
        previous = previous.filter(next_poll_at__isnull=True)
    else:
        previous = previous.filter(next_poll_at=source.next_poll_at)
    return bool(previous.update(next_poll_at=now + CLAIM_FOR))


def poll_due_sources(*, now: datetime | None = None) -> list[PollResult]:
    """Poll every enabled source whose time has come, one after another."""
    now = now or timezone.now()
    results = []
    for source in FeedSource.objects.due(now).order_by("next_poll_at", "pk"):
        if _claim(source, now):
            results.append(poll_source(source))
    return results


def poll_source(source: FeedSource) -> PollResult:
    """Fetch, parse and import one source now, and record the outcome on it."""
    started = timezone.now()
    summary = None
    try:
        if source.section_id is None:
            raise FetchError("its section was deleted: choose another")
        fetched = fetch_feed(source.url, etag=source.etag, last_modified=source.last_modified)
        if fetched.status == 304:
            status, message = FeedSource.Status.NOT_MODIFIED, "the feed has not changed"
        else:
            entries = parse_feed(fetched.body, url=source.url, declared_charset=fetched.charset)
            summary = import_entries(
                entries,
                section=source.section,
                author=source.default_author,
                publish=source.publish,
            )
            status, message = _outcome(summary)
            if status == FeedSource.Status.OK:
                # Kept only when every entry is in: otherwise the next poll fetches it all
                # again (the imported entries come out unchanged) and retries the others.
                source.etag = fetched.etag[:500]
                source.last_modified = fetched.last_modified[:100]
    except (FetchError, FeedError) as exc:
        status, message = FeedSource.Status.ERROR, str(exc)
    except Exception as exc:  # a bug or a database outage: the source still says so
        logger.exception("polling feed source %s failed", source.pk)
        status = FeedSource.Status.ERROR
        message = " ".join(f"{type(exc).__name__}: {exc}".split())[:300]

    if status == FeedSource.Status.ERROR:
        source.consecutive_failures += 1
        wait = backoff(source, source.consecutive_failures)
        message = f"{message}; next try in {_human(wait)}"
    else:
        source.consecutive_failures = 0
        wait = source.interval
    source.last_status, source.last_message = status, message
    source.last_polled_at = started
    source.next_poll_at = timezone.now() + wait
    FeedSource.objects.filter(pk=source.pk).update(
        etag=source.etag,
        last_modified=source.last_modified,
        last_polled_at=source.last_polled_at,
        last_status=source.last_status,
        last_message=source.last_message,
        consecutive_failures=source.consecutive_failures,
        next_poll_at=source.next_poll_at,
    )
    return PollResult(source_id=source.pk, status=status, message=message, summary=summary)


def _outcome(summary: IngestSummary) -> tuple[str, str]:
    message = summary.line()
    failures = summary.failures
    if not failures:
        return FeedSource.Status.OK, message
    first = failures[0]
    more = f" (and {len(failures) - 1} more)" if len(failures) > 1 else ""
    return FeedSource.Status.PARTIAL, f"{message}; {first.position}: {first.reason}{more}"


def _human(wait: timedelta) -> str:
    minutes = int(wait.total_seconds() // 60)
    if minutes < 120:
        return f"{minutes} min"
    return f"{minutes // 60} h"
