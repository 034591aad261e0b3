"""Where counted views wait until a flush writes them to the database in one batch.

One backend per module, chosen by the environment (configured.py):

- ``ResilientViewCounter`` (resilient.py; production, ``REDIS_URL`` set): ``RedisViewCounter``
  (redis.py, its Lua scripts in lua/), shared by every app server, with this process's memory
  behind it while Redis cannot be reached.
- ``LocalViewCounter`` (local.py; embedded default, SQLite and no Redis): this process's
  memory, flushed by a background thread and at exit.

All keep a per-article count of what is not yet in the database, so the page can show
"database total + pending" and a view appears at once rather than after the next flush. All
remember which readers they saw in the last 30 minutes: an atomic ``SET NX EX`` shared by
every process in Redis (in the beacon's script), a dictionary of expiry times in memory
(``LocalViewCounter.first_sighting``).

The beacon (``tally``) does its whole counting in one step: check the live-articles version
(live_articles.py), take the reader's first sighting, count, and read back the pending count and
the article's *stored total*. The stored totals are mirrored where the views wait (a Redis hash,
a dictionary in memory) for the articles beacons asked about: the flush adds its batch to the
mirror in the same atomic step that releases the batch, so "stored + pending" never counts a
view twice nor misses one. A total not yet mirrored is read from the database once and
remembered, unless a flush ran meanwhile (``generation``). Where the database changes behind the
mirror's back (the memory buffer of a Redis outage flushed on its own, another embedded
process's flush), the mirror is dropped or expires.

The rest of Gazette imports from here, not from the modules.
"""

from .base import ApplyBatch, Batch, IsLive, Tally, ViewCounter, hour_of, hour_start
from .configured import counter
from .local import LocalViewCounter, stop_gracefully_on_sigterm
from .redis import RedisViewCounter
from .resilient import ResilientViewCounter

__all__ = [
    "ApplyBatch",
    "Batch",
    "IsLive",
    "LocalViewCounter",
    "RedisViewCounter",
    "ResilientViewCounter",
    "Tally",
    "ViewCounter",
    "counter",
    "hour_of",
    "hour_start",
    "stop_gracefully_on_sigterm",
]
