"""A task for tests/stack/test_faults.py only, run by the stack's real task worker (which
imports it by its dotted path from the repository).

It applies a batch of views with the batch id as its key: ``write_batch`` applies a batch
id once, so a second run after a crash adds nothing. The test kills the worker after the
effect and before the task is recorded as done, the hardest moment for "exactly once".
"""

from __future__ import annotations

import os
import time
from pathlib import Path

from django_tasks import task

from gazette.analytics.counters import hour_of
from gazette.analytics.services import write_batch

WAIT_FOR_GO = 120  # seconds: the test says go (a file) long before this


@task()
def apply_views_once(article_id: int, views: int, batch_id: str, signals: str) -> int:
    """Notes each run in ``signals``/runs, applies ``views`` views keyed by ``batch_id``, then
    waits for ``signals``/go. Returns the views this run wrote (0 when already applied)."""
    from django.utils import timezone

    directory = Path(signals)
    with open(directory / "runs", "a") as runs:
        runs.write(f"{os.getpid()}\n")
    written = write_batch({(article_id, hour_of(timezone.now())): views}, batch_id)
    (directory / f"applied-{os.getpid()}").write_text(str(written))
    deadline = time.monotonic() + WAIT_FOR_GO
    while not (directory / "go").exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    return written
