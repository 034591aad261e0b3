"""Readers' comments on generated articles, as posting and moderation would have left them.

Comments go to articles in proportion to their popularity (a few articles get hundreds, most a
handful or none), arrive mostly in the hours after publication and stop when comments close.
Most are published at once; some were held by a rule and then approved, rejected or are still
waiting for a moderator; some were caught as spam. Nothing is sent: the moderators' e-mail is
for comments posted by readers, not for a generated backlog.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from random import Random

import numpy as np

from gazette.comments import rules
from gazette.comments.models import TEXT_LIMIT, Comment

from .audience import Articles
from .bulk import db_datetime, insert_rows
from .text import HELD_LINKS, SECTIONS, SPAM_TEXTS, comment_text, reader_name

Status = Comment.Status
HOUR = 3600
COMMENT_DELAY_HOURS = 8.0  # mean wait between publication and a comment
MODERATION_DELAY_HOURS = 6.0  # mean wait before a moderator decides on a held comment
SPAM_SHARE = 0.03
HELD_SHARE = 0.08  # held by a rule: a link, or a form sent without a valid stamp
APPROVED_SHARE_OF_HELD = 0.55  # the rest is rejected
FORGOTTEN_SHARE_OF_HELD = 0.05  # still pending, however old: the queue's stragglers
REPLY_SHARE = 0.15
COMMENTS_PER_READER = 8  # on average; a few readers write most of them
COMMENTS_PER_CHUNK = 20_000
COLUMNS = (
    "article_id",
    "author_name",
    "email",
    "text",
    "status",
    "received_as",
    "held_for",
    "created_at",
    "published_at",
    "client_hash",
    "fingerprint",
    "source_key",
)


@dataclass
class CommentStats:
    written: int = 0
    by_status: dict[str, int] = field(default_factory=dict)


def comments_per_article(
    articles: Articles, count: int, *, now: float, close_after_days: int, rng: np.random.Generator
) -> np.ndarray:
    """How many of ``count`` comments each article gets: in proportion to its popularity and to
    the share of its commenting life that has passed (a new article is still gathering)."""
    open_hours = _open_hours(articles.published, now, close_after_days)
    weights = articles.peak_views * -np.expm1(-open_hours / COMMENT_DELAY_HOURS)
    if count <= 0 or weights.sum() <= 0:
        return np.zeros(len(articles), dtype=np.int64)
    return rng.multinomial(count, weights / weights.sum())


def generate_comments(
    *,
    articles: Articles,
    count: int,
    now: datetime,
    close_after_days: int,
    rng: Random,
    np_rng: np.random.Generator,
    report: Callable[[int], None],
) -> CommentStats:
    """Write ``count`` comments on ``articles``; returns how many of each status."""
    stats = CommentStats(by_status={status.value: 0 for status in Status})
    now_ts = now.timestamp()
    counts = comments_per_article(
        articles, count, now=now_ts, close_after_days=close_after_days, rng=np_rng
    )
    open_hours = _open_hours(articles.published, now_ts, close_after_days)
    readers = _readers(max(1, count // COMMENTS_PER_READER), rng)
    chunk: list[tuple] = []
    for index in np.nonzero(counts)[0].tolist():
        chunk += _article_comments(
            article_id=int(articles.ids[index]),
            published=float(articles.published[index]),
            open_hours=float(open_hours[index]),
            topic=SECTIONS[int(articles.sections[index])][1],
            count=int(counts[index]),
            now=now_ts,
            readers=readers,
            rng=rng,
        )
        if len(chunk) >= COMMENTS_PER_CHUNK:
            _write(chunk, stats, report)
            chunk = []
    if chunk:
        _write(chunk, stats, report)
    return stats


def _open_hours(published: np.ndarray, now: float, close_after_days: int) -> np.ndarray:
    """Hours each article has taken comments so far."""
    age = np.maximum(now - published, 0.0) / HOUR
    return np.minimum(age, close_after_days * 24) if close_after_days else age


@dataclass(frozen=True)
class _Reader:
    name: str
    email: str
    client_hash: str


def _readers(count: int, rng: Random) -> list[_Reader]:
    readers = []
    for number in range(count):
        name = reader_name(rng)
        email = f"reader{number}@example.net" if rng.random() < 0.3 else ""
        readers.append(_Reader(name, email, f"{rng.getrandbits(256):064x}"))
    return readers


def _pick_reader(readers: list[_Reader], rng: Random) -> _Reader:
    # Skewed towards the first readers: the regulars who write most of the comments.
    return readers[int(len(readers) * rng.random() ** 3)]


def _article_comments(
    *,
    article_id: int,
    published: float,
    open_hours: float,
    topic: list[str],
    count: int,
    now: float,
    readers: list[_Reader],
    rng: Random,
) -> list[tuple]:
    """The article's comments, oldest first, as rows in COLUMNS order."""
    # Delays from an exponential law cut at the hours comments have been open (inverse CDF).
    reach = -math.expm1(-open_hours / COMMENT_DELAY_HOURS)
    delays = sorted(
        -COMMENT_DELAY_HOURS * HOUR * math.log1p(-rng.random() * reach) for _ in range(count)
    )
    rows, names = [], []
    for delay in delays:
        created = min(published + delay, now)
        reader = _pick_reader(readers, rng)
        reply_to = rng.choice(names) if names and rng.random() < REPLY_SHARE else None
        text = comment_text(rng, topic, TEXT_LIMIT, reply_to)
        status, held_for, published_at = Status.PUBLISHED, "", created
        received_as = Status.PUBLISHED
        draw = rng.random()
        if draw < SPAM_SHARE:
            text = rng.choice(SPAM_TEXTS)
            status, published_at = Status.SPAM, None
            received_as = Status.SPAM
            held_for = rng.choice(["filled the hidden field", "sent 1 s after the form was served"])
        elif draw < SPAM_SHARE + HELD_SHARE:
            held_for, text = _held(text, rng)
            status, published_at = _moderated(created, now, rng)
            received_as = Status.PENDING
        names.append(reader.name)
        rows.append(
            (
                article_id,
                reader.name,
                reader.email,
                text,
                status.value,
                received_as.value,
                held_for,
                db_datetime(_utc(created)),
                db_datetime(_utc(published_at) if published_at is not None else None),
                reader.client_hash,
                rules.fingerprint(text),
                None,
            )
        )
    return rows


def _held(text: str, rng: Random) -> tuple[str, str]:
    """Why a rule held the comment, with the link in the text when that is the reason."""
    link = rng.choice(HELD_LINKS)
    if rng.random() < 0.5 and len(text) + 1 + len(link) <= TEXT_LIMIT:
        return "link", f"{text} {link}"
    return "form stamp missing or invalid", text


def _moderated(created: float, now: float, rng: Random) -> tuple[Status, float | None]:
    """What a moderator has made of a held comment by ``now``: (status, published at)."""
    decided = created + rng.expovariate(1 / (MODERATION_DELAY_HOURS * HOUR))
    if decided > now or rng.random() < FORGOTTEN_SHARE_OF_HELD:
        return Status.PENDING, None
    if rng.random() < APPROVED_SHARE_OF_HELD:
        return Status.PUBLISHED, decided
    return Status.REJECTED, None


def _utc(timestamp: float) -> datetime:
    return datetime.fromtimestamp(timestamp, tz=timezone.utc)


def _write(rows: list[tuple], stats: CommentStats, report: Callable[[int], None]) -> None:
    stats.written += insert_rows(Comment, COLUMNS, rows)
    status_column = COLUMNS.index("status")
    for row in rows:
        stats.by_status[row[status_column]] += 1
    report(len(rows))
