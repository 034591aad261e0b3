"""Jobs the schedule worker runs every round, registered by the apps that own them.

Core imports no app above it, so the worker cannot name their jobs: an app registers one
from its ``AppConfig.ready()``, and ``manage.py schedule_worker`` calls each in turn after
publishing scheduled pages::

    from gazette.core import periodic

    periodic.register("feeds", enqueue_due_feed_polls)

A job must be quick (the round runs every minute, and scheduled pages wait for it): anything
slow belongs in a task the job enqueues. A job that raises is reported and the others run.
"""

from __future__ import annotations

from collections.abc import Callable

_jobs: dict[str, Callable[[], object]] = {}


def register(name: str, job: Callable[[], object]) -> None:
    """Run ``job()`` every round; registering a name again replaces its job."""
    _jobs[name] = job


def unregister(name: str) -> None:
    _jobs.pop(name, None)


def jobs() -> list[tuple[str, Callable[[], object]]]:
    """The registered jobs, in the order they were first registered."""
    return list(_jobs.items())
