#!/usr/bin/env python3
"""Throwaway PostgreSQL and Redis servers on free loopback ports.

Used by the test suite (``make test`` runs it a second time against real servers) and by
the local production stack. Standard library only, so it runs before any virtualenv exists.

    python deploy/local_services.py run [--postgres] [--redis] [--fast | --for-tests] -- COMMAND...

starts the servers (both unless one is named), runs COMMAND with ``DATABASE_URL`` and
``REDIS_URL`` in its environment, always stops them again and exits with COMMAND's status.
``--for-tests`` (the suite's PostgreSQL+Redis pass) is ``--fast`` with the URLs on Unix
sockets and the cluster's ``TEST_SETTINGS``; ``--fast`` alone keeps TCP URLs and the server
defaults, as the benchmarks recorded in docs/benchmarks.md were measured.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import pwd
import shlex
import shutil
import signal
import socket
import stat
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from types import TracebackType
from urllib.parse import urlencode

TIMEOUT = 30  # seconds a server gets to become ready or to stop
PG_GLOB = "/usr/lib/postgresql/*/bin"
PG_TOOLS = ("initdb", "pg_ctl", "postgres", "createdb")

# The test pass's cluster (`run --for-tests`): its data is thrown away and nothing replicates
# from it, so it writes no more WAL than crash recovery needs (no full-page images, nothing
# for a standby) and never JIT-compiles (the suite's queries are small; JIT only costs).
TEST_SETTINGS = {
    "wal_level": "minimal",
    "max_wal_senders": "0",  # required by wal_level=minimal
    "full_page_writes": "off",
    "jit": "off",
    "max_wal_size": "4GB",  # checkpoints by time, not by the migrations' WAL volume
    "checkpoint_timeout": "1h",
}


class ServiceError(RuntimeError):
    """A server could not be found, started or stopped."""


def free_port() -> int:
    """Return a loopback port that was free a moment ago (another process may still take it)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def port_is_open(port: int) -> bool:
    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) == 0


def log_tail(path: Path, lines: int = 20) -> str:
    try:
        text = path.read_text(errors="replace")
    except OSError:
        return f"(no log at {path})"
    return "\n".join(text.splitlines()[-lines:])


class _Service:
    """Context-manager protocol shared by both servers."""

    @property
    def url(self) -> str:
        raise NotImplementedError

    def start(self) -> _Service:
        raise NotImplementedError

    def stop(self) -> None:
        raise NotImplementedError

    def __enter__(self) -> _Service:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()


def find_pg_bin() -> Path:
    """The newest /usr/lib/postgresql/N/bin that has the server tools, or $PG_BIN."""
    if override := os.environ.get("PG_BIN"):
        candidates = [Path(override)]
    else:

        def version(bin_dir: Path) -> tuple[int, ...]:
            return tuple(int(p) for p in bin_dir.parent.name.split(".") if p.isdigit())

        candidates = sorted(Path("/").glob(PG_GLOB.lstrip("/")), key=version, reverse=True)
    for bin_dir in candidates:
        if all((bin_dir / tool).is_file() for tool in PG_TOOLS):
            return bin_dir
    where = f"PG_BIN={override}" if override else PG_GLOB
    raise ServiceError(
        f"PostgreSQL 15 server binaries ({', '.join(PG_TOOLS)}) not found in {where}: "
        "apt-get install postgresql"
    )


def _postgres_can_enter(path: Path) -> bool:
    """Can the postgres user reach ``path`` (search permission on every parent)?"""
    user = pwd.getpwnam("postgres")
    for parent in path.parents:
        info = parent.stat()
        if info.st_uid == user.pw_uid:
            bit = stat.S_IXUSR
        elif info.st_gid == user.pw_gid:
            bit = stat.S_IXGRP
        else:
            bit = stat.S_IXOTH
        if not info.st_mode & bit:
            return False
    return True


def _reachable_for_postgres(data_dir: Path) -> Path:
    """``data_dir``, or, when the postgres user cannot reach it (a checkout under /root), a
    directory in /var/tmp it can, with a symlink at ``data_dir`` so that it is found again."""
    if data_dir.is_symlink() or _postgres_can_enter(data_dir):
        return data_dir.resolve()
    if data_dir.exists() and any(data_dir.iterdir()):
        return data_dir  # someone's files: leave them, PostgreSQL will say what it cannot do
    digest = hashlib.sha256(str(data_dir).encode()).hexdigest()[:16]
    home = Path("/var/tmp/gazette-postgres")  # noqa: S108 - kept between runs, unlike /tmp
    home.mkdir(mode=0o755, parents=True, exist_ok=True)
    home.chmod(0o755)
    real = home / f"{data_dir.name}-{digest}"
    real.mkdir(exist_ok=True)
    data_dir.parent.mkdir(parents=True, exist_ok=True)
    if data_dir.exists() and not any(data_dir.iterdir()):
        data_dir.rmdir()
    data_dir.symlink_to(real, target_is_directory=True)
    return real


class PostgresCluster(_Service):
    """A private PostgreSQL cluster with a ``gazette`` superuser and database.

    Without ``data_dir`` the cluster lives in a fresh temporary directory that ``stop()``
    deletes. A given ``data_dir`` is kept, and reused on the next start if it holds a cluster.
    ``fast=True`` turns off fsync and synchronous_commit: crash safety is worthless in tests.
    ``port`` asks for a port (default: any free one); ``settings`` adds server settings.
    """

    def __init__(
        self,
        data_dir: str | Path | None = None,
        *,
        fast: bool = False,
        port: int = 0,
        settings: dict[str, str] | None = None,
    ) -> None:
        self.bin_dir = find_pg_bin()
        self.fast = fast
        self.port = 0
        self._wanted_port = port
        self._extra_settings = dict(settings or {})
        self._given_dir = Path(data_dir).absolute() if data_dir else None
        self.data_dir: Path | None = None
        self._launched = False  # only stop a server this object started
        self._as_postgres = os.geteuid() == 0

    @property
    def url(self) -> str:
        return f"postgres://gazette@127.0.0.1:{self.port}/gazette"

    @property
    def socket_url(self) -> str:
        """The same database over the Unix socket in the data directory: a round trip costs
        less CPU than over TCP loopback (select 1: 42 against 56 us, docs/testing.md)."""
        assert self.data_dir is not None
        query = urlencode({"host": str(self.data_dir), "port": self.port})
        return f"postgres://gazette@/gazette?{query}"

    @property
    def log_file(self) -> Path:
        assert self.data_dir is not None
        return self.data_dir / "server.log"

    def start(self) -> PostgresCluster:
        try:
            self._start()
        except BaseException:
            self.stop()  # leave nothing behind, even on Ctrl-C mid-start
            raise
        return self

    def _start(self) -> None:
        if self._given_dir is not None:
            if self._as_postgres:
                self._given_dir = _reachable_for_postgres(self._given_dir)
            self._given_dir = self._given_dir.resolve()
        self.data_dir = self._given_dir or Path(tempfile.mkdtemp(prefix="gazette-pg-"))
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self.data_dir.chmod(0o700)
        if self._as_postgres:
            # PostgreSQL refuses to run as root; it runs as the postgres user, who must own
            # the data directory. mkdtemp's parent (/tmp) is traversable by everyone.
            try:
                user = pwd.getpwnam("postgres")
            except KeyError:
                raise ServiceError("running as root needs the 'postgres' system user") from None
            os.chown(self.data_dir, user.pw_uid, user.pw_gid)

        fresh = not (self.data_dir / "PG_VERSION").exists()
        if fresh:
            self._run(
                "initdb",
                *("-D", str(self.data_dir), "-U", "gazette", "--auth=trust"),
                *("-E", "UTF8", "--locale=C.UTF-8"),
                *(["--no-sync"] if self.fast else []),
            )

        # Settings go on the command line rather than into postgresql.conf so that a kept
        # data_dir picks up a new port each run. pg_ctl hands -o to /bin/sh, hence quoting.
        self.port = self._wanted_port or free_port()
        settings = {
            "listen_addresses": "127.0.0.1",
            "port": str(self.port),
            "unix_socket_directories": str(self.data_dir),  # /var/run/postgresql is not ours
        }
        if self.fast:
            settings |= {"fsync": "off", "synchronous_commit": "off"}
        settings |= self._extra_settings
        options = " ".join(f"-c {shlex.quote(f'{k}={v}')}" for k, v in settings.items())
        self._launched = True
        self._run(
            "pg_ctl",
            *("start", "-D", str(self.data_dir), "-l", str(self.log_file)),
            *("-w", "-t", str(TIMEOUT), "-o", options),
        )
        if fresh:
            self._run(
                "createdb", "-h", "127.0.0.1", "-p", str(self.port), "-U", "gazette", "gazette"
            )

    def stop(self) -> None:
        """Stop the server (fast, then immediate) and delete the temporary directory."""
        if self.data_dir is None:
            return
        pid_file = self.data_dir / "postmaster.pid"
        for mode in ("fast", "immediate"):
            if not (self._launched and pid_file.exists()):
                break
            self._run(
                "pg_ctl",
                *("stop", "-D", str(self.data_dir), "-m", mode, "-w", "-t", str(TIMEOUT)),
                check=False,
            )
        if self._given_dir is None:
            shutil.rmtree(self.data_dir, ignore_errors=True)
        self.data_dir = None
        self._launched = False

    def stop_running(self) -> None:
        """Stop a server that another process started in ``data_dir`` (e.g. `make stack`)."""
        if self._given_dir is None:
            raise ServiceError("stop_running needs the cluster's data_dir")
        self.data_dir = self._given_dir
        self._launched = True
        self.stop()

    def make_replica(
        self, data_dir: str | Path, *, fast: bool = False, port: int = 0
    ) -> PostgresCluster:
        """A streaming replica of this running cluster in ``data_dir`` (pg_basebackup -R), or
        the one already there. Start it like any cluster; it follows this one's port."""
        target = Path(data_dir)
        if self._as_postgres:
            target = _reachable_for_postgres(target.absolute())
        target = target.resolve()
        target.mkdir(parents=True, exist_ok=True)
        target.chmod(0o700)
        if self._as_postgres:
            user = pwd.getpwnam("postgres")
            os.chown(target, user.pw_uid, user.pw_gid)
        if not (target / "PG_VERSION").exists():
            self._run(
                "pg_basebackup",
                *("-D", str(target), "-h", "127.0.0.1", "-p", str(self.port), "-U", "gazette"),
                *("-R", "-X", "stream", "--checkpoint=fast"),
                *(["--no-sync"] if self.fast else []),
            )
        conninfo = f"host=127.0.0.1 port={self.port} user=gazette application_name=replica"
        return PostgresCluster(
            target, fast=fast, port=port, settings={"primary_conninfo": conninfo}
        )

    def _run(self, tool: str, *args: str, check: bool = True) -> None:
        cmd = [str(self.bin_dir / tool), *args]
        if self._as_postgres:
            cmd = ["runuser", "-u", "postgres", "--", *cmd]
        # cwd: the postgres user may not be able to enter ours (e.g. /root or a CI checkout).
        # New session: a Ctrl-C meant for us must not kill the helpers or the server half-way.
        try:
            proc = subprocess.run(  # noqa: S603 - fixed binaries, our own arguments
                cmd,
                cwd=self.data_dir,
                capture_output=True,
                text=True,
                start_new_session=True,
                timeout=TIMEOUT * 2,
                check=False,
            )
        except subprocess.TimeoutExpired:
            raise ServiceError(f"{tool} timed out\n{self._log()}") from None
        if check and proc.returncode != 0:
            raise ServiceError(
                f"{tool} failed with exit status {proc.returncode}:\n"
                f"{proc.stdout}{proc.stderr}{self._log()}"
            )

    def _log(self) -> str:
        if self.data_dir is None or not self.log_file.exists():
            return ""
        return f"--- {self.log_file} (tail) ---\n{log_tail(self.log_file)}"


class RedisServer(_Service):
    """A redis-server with no persistence, in a temporary directory that ``stop()`` deletes.

    With ``data_dir`` it keeps its data there (snapshots and an append-only file) across
    restarts, and ``stop()`` leaves the directory. ``port`` asks for a port (default: free).
    It also listens on a Unix socket in its directory (``socket_url``).
    """

    def __init__(self, data_dir: str | Path | None = None, *, port: int = 0) -> None:
        binary = shutil.which("redis-server")
        if binary is None:
            raise ServiceError("redis-server not found on PATH: apt-get install redis-server")
        self.binary = binary
        self.port = 0
        self._wanted_port = port
        self._given_dir = Path(data_dir).resolve() if data_dir else None
        self.dir: Path | None = None
        self._proc: subprocess.Popen[bytes] | None = None

    @property
    def pid(self) -> int | None:
        return self._proc.pid if self._proc is not None else None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    @property
    def socket_path(self) -> Path:
        assert self.dir is not None
        return self.dir / "redis.sock"

    @property
    def socket_url(self) -> str:
        return f"unix://{self.socket_path}?db=0"

    def start(self) -> RedisServer:
        try:
            self._start()
        except BaseException:
            self.stop()
            raise
        return self

    def _start(self) -> None:
        if self._given_dir is not None:
            self.dir = self._given_dir
            self.dir.mkdir(parents=True, exist_ok=True)
            persistence = ("--save", "60 1", "--appendonly", "yes")
        else:
            self.dir = Path(tempfile.mkdtemp(prefix="gazette-redis-"))
            persistence = ("--save", "", "--appendonly", "no")
        self.port = self._wanted_port or free_port()
        cmd = [
            self.binary,
            *("--port", str(self.port), "--bind", "127.0.0.1"),
            *("--unixsocket", str(self.socket_path), "--unixsocketperm", "700"),
            *persistence,
            *("--dir", str(self.dir), "--daemonize", "no"),
        ]
        with open(self.dir / "redis.log", "wb") as log:
            # New session, as for PostgreSQL: stopping is our job, not the terminal's.
            self._proc = subprocess.Popen(  # noqa: S603 - fixed binary, our own arguments
                cmd, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
            )
        _wait_until(self._answers_ping, self._proc, "redis-server", self.dir / "redis.log")

    def _answers_ping(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=1) as sock:
                sock.sendall(b"*1\r\n$4\r\nPING\r\n")
                return sock.recv(64).startswith(b"+PONG")
        except OSError:
            return False

    def stop(self) -> None:
        """Terminate the server, wait for it, and delete its directory."""
        if self._proc is not None:
            self._proc.terminate()
            try:
                self._proc.wait(TIMEOUT)
            except subprocess.TimeoutExpired:
                self._proc.kill()
                self._proc.wait()
            self._proc = None
        if self.dir is not None and self._given_dir is None:
            shutil.rmtree(self.dir, ignore_errors=True)
        self.dir = None


def _wait_until(
    ready: Callable[[], bool], proc: subprocess.Popen[bytes], name: str, log: Path
) -> None:
    """Poll ``ready`` until it is true; fail with the log tail on exit or timeout."""
    deadline = time.monotonic() + TIMEOUT
    while not ready():
        if proc.poll() is not None:
            problem = f"exited with status {proc.returncode}"
        elif time.monotonic() > deadline:
            problem = f"was not ready within {TIMEOUT} s"
        else:
            time.sleep(0.05)
            continue
        raise ServiceError(f"{name} {problem}\n--- {log} (tail) ---\n{log_tail(log)}")


# --- CLI -------------------------------------------------------------------------------------

FORWARDED = (signal.SIGTERM, signal.SIGHUP)


def run(
    command: list[str], *, postgres: bool, redis: bool, fast: bool, for_tests: bool = False
) -> int:
    """Start the servers, run ``command`` against them, stop them; return its exit status.
    ``for_tests``: ``fast``, the URLs on Unix sockets, the cluster with ``TEST_SETTINGS``."""
    received: list[int] = []
    child: subprocess.Popen[bytes] | None = None

    def on_signal(signum: int, _frame: object) -> None:
        # Only note the signal, so that starting and stopping are never cut short. SIGINT
        # from the terminal already reached the child, which shares our process group.
        received.append(signum)
        if child is not None and signum in FORWARDED:
            child.send_signal(signum)

    previous = {signum: signal.signal(signum, on_signal) for signum in (signal.SIGINT, *FORWARDED)}

    services: list[_Service] = []
    urls: list[str] = []
    env = dict(os.environ)
    try:
        if postgres:
            settings = TEST_SETTINGS if for_tests else None
            cluster = PostgresCluster(fast=fast or for_tests, settings=settings).start()
            services.append(cluster)
            env["DATABASE_URL"] = cluster.socket_url if for_tests else cluster.url
            urls.append(env["DATABASE_URL"])
        if redis and not received:
            server = RedisServer().start()
            services.append(server)
            env["REDIS_URL"] = server.socket_url if for_tests else server.url
            urls.append(env["REDIS_URL"])
        if received:
            return 128 + received[0]
        started = ", ".join(
            f"{type(s).__name__} at {url}" for s, url in zip(services, urls, strict=True)
        )
        print(f"local_services: started {started}", file=sys.stderr, flush=True)
        try:
            child = subprocess.Popen(command, env=env)  # noqa: S603 - running it is the point
        except OSError as exc:
            print(f"local_services: cannot run {command[0]}: {exc}", file=sys.stderr)
            return 127
        returncode = child.wait()
        return returncode if returncode >= 0 else 128 - returncode
    finally:
        for service in reversed(services):
            service.stop()
        for signum, handler in previous.items():
            signal.signal(signum, handler)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="action", required=True)
    run_parser = sub.add_parser("run", help="run COMMAND with DATABASE_URL and REDIS_URL set")
    run_parser.add_argument("--postgres", action="store_true", help="start PostgreSQL")
    run_parser.add_argument("--redis", action="store_true", help="start Redis")
    run_parser.add_argument("--fast", action="store_true", help="fsync=off (for tests)")
    run_parser.add_argument(
        "--for-tests",
        action="store_true",
        help="--fast, Unix sockets and TEST_SETTINGS (the suite's PostgreSQL+Redis pass)",
    )
    run_parser.add_argument("command", nargs=argparse.REMAINDER, help="-- COMMAND...")
    args = parser.parse_args(argv)

    command = args.command[1:] if args.command[:1] == ["--"] else args.command
    if not command:
        run_parser.error("no COMMAND given after --")
    both = not (args.postgres or args.redis)
    try:
        return run(
            command,
            postgres=both or args.postgres,
            redis=both or args.redis,
            fast=args.fast,
            for_tests=args.for_tests,
        )
    except ServiceError as exc:
        print(f"local_services: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
