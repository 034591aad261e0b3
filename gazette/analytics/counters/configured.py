"""The process's view counter, picked by the settings at first use."""

from __future__ import annotations

from django.conf import settings
from django.utils.functional import SimpleLazyObject

from .base import ViewCounter
from .local import LocalViewCounter
from .redis import RedisViewCounter
from .resilient import ResilientViewCounter


def _make_counter() -> ViewCounter:
    url = getattr(settings, "GAZETTE_VIEWS_REDIS_URL", "")
    interval = getattr(settings, "GAZETTE_VIEWS_FLUSH_INTERVAL", 2.0)
    if url:
        return ResilientViewCounter(
            RedisViewCounter(
                url,
                timeout=getattr(settings, "REDIS_TIMEOUT", 0.5),
                stored_seconds=getattr(settings, "GAZETTE_VIEWS_STORED_SECONDS", 600),
            ),
            LocalViewCounter(flush_in_background=True, interval=interval),
        )
    return LocalViewCounter(
        flush_in_background=getattr(settings, "GAZETTE_VIEWS_FLUSH_IN_PROCESS", True),
        interval=interval,
    )


counter: ViewCounter = SimpleLazyObject(_make_counter)  # type: ignore[assignment]
