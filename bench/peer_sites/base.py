"""What every platform of the peers bench shares: the interface bench/peers.py drives, its
processes (started on loopback, their CPU summed over the whole process tree), nginx in front
from a template of bench/peers/nginx/, and installing Debian packages when missing."""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import time
import urllib.request
from pathlib import Path

from deploy import stack

REPOSITORY = Path(__file__).resolve().parents[2]
CONFIGS = REPOSITORY / "bench" / "peers"
TICK = os.sysconf("SC_CLK_TCK")
# Any Authorization header: no nginx page cache serves or stores the request (the same rule
# as deploy/nginx.conf's); no platform's reader pages read it.
BYPASS = {"Authorization": "Bench uncached"}


class Unavailable(RuntimeError):
    """A platform that could not be installed, started or loaded: the message says why."""


def log(message: str) -> None:
    import sys

    print(f"peers [{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


# --- processes ----------------------------------------------------------------------------------


def children(pid: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        with contextlib.suppress(OSError):
            found += [int(c) for c in (task / "children").read_text().split()]
    return found


def process_tree(roots: list[int]) -> list[int]:
    seen: list[int] = []
    pending = [pid for pid in roots if pid]
    while pending:
        pid = pending.pop()
        if pid in seen or not Path(f"/proc/{pid}").exists():
            continue
        seen.append(pid)
        pending += children(pid)
    return seen


def cpu_seconds(pid: int) -> float:
    """utime + stime of one process (its threads included), in seconds."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / TICK


def cpu_snapshot(roots: list[int]) -> dict[int, float]:
    return {pid: cpu_seconds(pid) for pid in process_tree(roots)}


def cpu_spent(before: dict[int, float], after: dict[int, float]) -> float:
    """CPU seconds between two snapshots; a process new since counts whole (php-fpm's and
    gunicorn's workers may be started during a load)."""
    return sum(max(0.0, cpu - before.get(pid, 0.0)) for pid, cpu in after.items())


def spawn(
    command: list[str],
    *,
    log_path: Path,
    env: dict[str, str] | None = None,
    cwd: Path | None = None,
) -> subprocess.Popen:
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with log_path.open("ab") as out:
        return subprocess.Popen(  # noqa: S603 - our servers, our arguments
            command,
            stdout=out,
            stderr=subprocess.STDOUT,
            env=env,
            cwd=cwd,
            start_new_session=True,
        )


def stop_process(pid: int | None, sig: int = signal.SIGTERM, wait: float = 15) -> None:
    if not pid:
        return
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, sig)
    deadline = time.monotonic() + wait
    while time.monotonic() < deadline:
        try:
            done, _ = os.waitpid(pid, os.WNOHANG)
        except ChildProcessError:  # not our child: poll /proc
            if not Path(f"/proc/{pid}").exists():
                return
            done = 0
        if done:
            return
        time.sleep(0.1)
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGKILL)


def wait_http(
    url: str,
    *,
    seconds: float,
    process: subprocess.Popen | None = None,
    log_path: Path | None = None,
    ok=(200, 301, 302, 404),
) -> None:
    deadline = time.monotonic() + seconds
    last = ""
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            tail = log_path.read_text(errors="replace")[-3000:] if log_path else ""
            raise Unavailable(f"{process.args[0]} exited ({process.returncode}):\n{tail}")
        try:
            with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310 - loopback
                if response.status in ok:
                    return
        except urllib.error.HTTPError as exc:
            if exc.code in ok:
                return
            last = f"HTTP {exc.code}"
        except OSError as exc:
            last = str(exc)
        time.sleep(0.3)
    raise Unavailable(f"{url} did not answer in {seconds:g} s ({last})")


# --- nginx ------------------------------------------------------------------------------------


class Nginx:
    """One nginx (one worker, as the stack's) from bench/peers/nginx/<template>, its markers
    @@NAME@@ filled from ``values`` (DIR and PORT always)."""

    def __init__(self, template: str, root: Path, port: int, **values: str) -> None:
        self.template = CONFIGS / "nginx" / template
        self.root = root
        self.port = port
        self.values = {"DIR": str(root), "PORT": str(port), **values}
        self.pid = 0

    def start(self) -> None:
        for sub in ("tmp/body", "tmp/proxy", "tmp/fastcgi", "tmp/uwsgi", "tmp/scgi", "cache"):
            (self.root / sub).mkdir(parents=True, exist_ok=True)
        text = self.template.read_text()
        values = {"USER": "user root;" if os.geteuid() == 0 else "", **self.values}
        for name, value in values.items():
            text = text.replace(f"@@{name}@@", value)
        if "@@" in text:
            raise Unavailable(f"{self.template.name} has a marker left unfilled")
        conf = self.root / "nginx.conf"
        conf.write_text(text)
        base = [stack.nginx_binary(), "-c", str(conf), "-p", str(self.root)]
        for args in (["-t", "-q"], []):
            done = subprocess.run(  # noqa: S603 - nginx with our config
                [*base, *args],
                capture_output=True,
                text=True,
                check=False,
                start_new_session=True,
            )
            if done.returncode != 0:
                raise Unavailable(f"nginx {' '.join(args) or 'start'} failed: {done.stderr}")
        pid_file = self.root / "nginx.pid"
        deadline = time.monotonic() + 10
        while not pid_file.exists() and time.monotonic() < deadline:
            time.sleep(0.05)
        self.pid = int(pid_file.read_text().strip())

    def stop(self) -> None:
        if self.pid:
            stop_process(self.pid, signal.SIGQUIT)
            self.pid = 0


# --- packages ----------------------------------------------------------------------------------


def missing_packages(names: list[str]) -> list[str]:
    missing = []
    for name in names:
        done = subprocess.run(  # noqa: S603
            ["dpkg-query", "-W", "-f=${Status}", name],  # noqa: S607
            capture_output=True,
            text=True,
            check=False,
        )
        if "install ok installed" not in done.stdout:
            missing.append(name)
    return missing


def ensure_packages(names: list[str]) -> None:
    """Debian packages, installed when missing and we are root; Unavailable otherwise."""
    missing = missing_packages(names)
    if not missing:
        return
    if os.geteuid() != 0:
        raise Unavailable(f"missing Debian packages {' '.join(missing)} (run as root)")
    log(f"apt-get install {' '.join(missing)}")
    env = os.environ | {"DEBIAN_FRONTEND": "noninteractive"}
    done = subprocess.run(  # noqa: S603
        ["apt-get", "install", "-y", "-qq", "--no-install-recommends", *missing],  # noqa: S607
        capture_output=True,
        text=True,
        check=False,
        env=env,
    )
    if done.returncode != 0:
        raise Unavailable(f"apt-get install {' '.join(missing)} failed: {done.stderr[-800:]}")


def package_version(name: str) -> str:
    done = subprocess.run(  # noqa: S603
        ["dpkg-query", "-W", "-f=${Version}", name],  # noqa: S607
        capture_output=True,
        text=True,
        check=False,
    )
    return done.stdout.strip() or "?"


def which(name: str) -> str:
    found = shutil.which(name) or (
        f"/usr/sbin/{name}" if Path(f"/usr/sbin/{name}").exists() else None
    )
    if not found:
        raise Unavailable(f"{name} not found")
    return found


# --- the interface -------------------------------------------------------------------------------


class Platform:
    """One platform under test. bench/peers.py calls, in order: install(), start(),
    load(...) once per size (growing), the measurements, stop()."""

    name = ""
    label = ""
    has_cache = False  # a page cache in its usual production setup
    comments = False  # readers can post comments to the article page

    def __init__(self, root: Path) -> None:
        self.root = root
        self.article_url = ""
        self.setup: dict[str, str] = {}  # what was run: versions, configuration

    def install(self) -> None:
        raise NotImplementedError

    def start(self) -> None:
        raise NotImplementedError

    def load(self, posts_file: Path, count: int, reference) -> None:
        """Add ``count`` posts (JSON lines in ``posts_file``); the first time also the
        reference article (content.Reference) with its pictures and comments."""
        raise NotImplementedError

    def pids(self) -> list[int]:
        """The roots of every process serving it (nginx included)."""
        raise NotImplementedError

    def comment_load(self) -> tuple[str, list[str]] | None:
        """The wrk Lua script (bench/lua/) posting comments and its arguments."""
        return None

    def comments_stored(self) -> int:
        """Comments the load posted that were stored (any status)."""
        return 0

    def stop(self) -> None:
        raise NotImplementedError
