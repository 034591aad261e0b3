"""`make run`: the development server and, beside it, every worker production runs, as one
command that Ctrl-C stops whole.

    python scripts/run_site.py --host 127.0.0.1 --port 8000

Children: ``runserver`` (the site), ``schedule_worker`` (go-live and expiry times) and
``db_worker`` (queued tasks: the children run with TASKS_BACKEND=database, as production
does, unless the environment names another backend). Each child runs in a process group of
its own, so the terminal's Ctrl-C reaches only this supervisor, which stops the children in
order (SIGTERM, then SIGKILL after a grace period) and exits once none is left. A child that
dies is started again; one that dies too often in a short time stops everything, with a
message. Should the supervisor itself be killed, the kernel sends each child SIGTERM
(PR_SET_PDEATHSIG), so no process is left behind.
"""

from __future__ import annotations

import argparse
import contextlib
import ctypes
import os
import signal
import subprocess
import sys
import time
from collections import deque
from dataclasses import dataclass, field
from pathlib import Path

REPOSITORY = Path(__file__).resolve().parent.parent
PR_SET_PDEATHSIG = 1


def _die_with_parent() -> None:  # pragma: no cover - runs in the child, before exec
    """In the child: a process group of its own (Ctrl-C is the supervisor's to handle) and
    SIGTERM when the supervisor dies, however it dies (Linux)."""
    os.setsid()
    # Not on Linux: no prctl, and the supervisor's own stop is all there is.
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


@dataclass
class Child:
    name: str
    argv: list[str]
    process: subprocess.Popen | None = None
    deaths: deque = field(default_factory=lambda: deque(maxlen=16))

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None


class Supervisor:
    def __init__(
        self,
        children: list[Child],
        *,
        env: dict[str, str] | None = None,
        stop_grace: float = 10.0,
        max_deaths: int = 3,
        death_window: float = 60.0,
        poll_interval: float = 0.2,
        out=None,
    ):
        self.children = children
        self.env = env
        self.stop_grace = stop_grace
        self.max_deaths = max_deaths
        self.death_window = death_window
        self.poll_interval = poll_interval
        self.out = out or sys.stdout
        self.stop_signal: int | None = None

    def say(self, message: str) -> None:
        print(f"[run] {message}", file=self.out, flush=True)

    def start(self, child: Child) -> None:
        child.process = subprocess.Popen(  # noqa: S603 - our own commands
            child.argv, env=self.env, preexec_fn=_die_with_parent
        )
        self.say(f"started {child.name} (pid {child.process.pid})")

    def _on_signal(self, signum: int, _frame) -> None:
        self.stop_signal = signum

    def run(self) -> int:
        """Start the children and watch them until a signal or a child that keeps dying.
        Returns the exit status: 0 when stopped by a signal, 1 when a child gave up."""
        previous = {
            signum: signal.signal(signum, self._on_signal)
            for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)
        }
        status = 0
        try:
            for child in self.children:
                self.start(child)
            while self.stop_signal is None:
                failing = self._restart_the_dead()
                if failing is not None:
                    self.say(
                        f"{failing.name} died {self.max_deaths} times within "
                        f"{self.death_window:g} s (last exit status "
                        f"{failing.process.returncode}); stopping everything."
                    )
                    status = 1
                    break
                time.sleep(self.poll_interval)
            else:
                self.say(f"{signal.Signals(self.stop_signal).name}: stopping.")
        finally:
            self.stop_all()
            for signum, handler in previous.items():
                signal.signal(signum, handler)
        return status

    def _restart_the_dead(self) -> Child | None:
        """Start again each child that has died; the one that died too often, if any."""
        now = time.monotonic()
        for child in self.children:
            if child.running or child.process is None:
                continue
            child.deaths.append(now)
            recent = [moment for moment in child.deaths if now - moment <= self.death_window]
            if len(recent) >= self.max_deaths:
                return child
            self.say(f"{child.name} exited with status {child.process.returncode}; restarting.")
            self.start(child)
        return None

    def stop_all(self) -> None:
        """SIGTERM to each child's process group, in reverse order of starting; SIGKILL to
        what is left after the grace period. Returns once every child has been reaped."""
        for child in reversed(self.children):
            if child.running:
                _signal_group(child.process, signal.SIGTERM)
        deadline = time.monotonic() + self.stop_grace
        for child in self.children:
            if child.process is None:
                continue
            try:
                child.process.wait(timeout=max(0.0, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                self.say(f"{child.name} did not stop in {self.stop_grace:g} s: killing it.")
                _signal_group(child.process, signal.SIGKILL)
                child.process.wait()
        self.say("all stopped.")


def _signal_group(process: subprocess.Popen, signum: int) -> None:
    # The child leads its group: its own children get the signal too.
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signum)


def site_children(*, host: str, port: int, schedule_interval: float) -> list[Child]:
    manage = [sys.executable, str(REPOSITORY / "manage.py")]
    return [
        Child("web server", [*manage, "runserver", "--noreload", f"{host}:{port}"]),
        Child("scheduler", [*manage, "schedule_worker", "--interval", f"{schedule_interval:g}"]),
        Child("task worker", [*manage, "db_worker", "--interval", "1", "--no-startup-delay"]),
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument(
        "--schedule-interval",
        type=float,
        # A test (or a demo) may make the rounds short through the environment as well.
        default=float(os.environ.get("GAZETTE_SCHEDULE_INTERVAL", "60")),
        help="Seconds between the scheduler's rounds (production: 60; "
        "GAZETTE_SCHEDULE_INTERVAL in the environment).",
    )
    args = parser.parse_args(argv)
    env = dict(os.environ)
    # Queued tasks go to the task worker, as in production (the settings' default runs them
    # in the request).
    env.setdefault("TASKS_BACKEND", "database")
    env.setdefault("PYTHONUNBUFFERED", "1")
    children = site_children(
        host=args.host, port=args.port, schedule_interval=args.schedule_interval
    )
    return Supervisor(children, env=env).run()


if __name__ == "__main__":
    sys.exit(main())
