"""What every view counter offers and the types they share (see the package docstring)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Protocol

# (article id, start of the hour as a Unix timestamp) -> views
Batch = Mapping[tuple[int, int], int]
# Writes a batch to the database in one transaction; batch_id makes a retry a no-op.
ApplyBatch = Callable[[Batch, str | None], object]
# Whether a live article has this id, as of a live-articles version (None: ask the database).
IsLive = Callable[[int, str | None], bool]


@dataclass
class Tally:
    """What one beacon did and what the article's count now is."""

    counted: bool  # the reader's first sighting in the window: one more view
    pending: int  # views counted and not yet written to the database
    stored: int | None  # the stored total, None when not mirrored yet (read the database)
    generation: object = None  # give it back to ``remember_stored`` with the stored total


def hour_of(moment: datetime) -> int:
    """The start of the UTC hour holding ``moment``, as a Unix timestamp."""
    return int(moment.timestamp()) // 3600 * 3600


def hour_start(timestamp: int) -> datetime:
    return datetime.fromtimestamp(timestamp, tz=timezone.utc)


class ViewCounter(Protocol):
    """What the rest of the app calls; each backend's own helpers stay off it."""

    def pending(self, article_ids: Iterable[int]) -> dict[int, int]: ...

    def flush(self, apply: ApplyBatch) -> int: ...

    def reset(self) -> None: ...

    def tally(
        self, *, article_id: int, hour: int, seen_key: str | None, seconds: int, is_live: IsLive
    ) -> Tally | None: ...

    def remember_stored(self, article_id: int, views: int, generation: object) -> None: ...

    def bump_live_version(self) -> None: ...
