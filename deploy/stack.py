#!/usr/bin/env python3
"""The whole production stack on loopback, from the repository: `make stack`.

    python deploy/stack.py start [--dir var/stack] [--port 8080] [--replica] [--workers 1]
    python deploy/stack.py stop [NAME ...] [--dir var/stack]
    python deploy/stack.py status [--dir var/stack]
    python deploy/stack.py restart [NAME ...] [--dir var/stack]   # e.g. app-a, redis, postgres
    python deploy/stack.py render-nginx [options]   # deploy/nginx.conf for a real host

``start`` runs, as production does: a PostgreSQL cluster (and with ``--replica`` a streaming
replica made by pg_basebackup -R) and Redis with their data in ``--dir``, migrations,
collectstatic, the demo content, two gunicorn app servers on loopback ports behind nginx
(page microcache and purge, static and media), the task worker (django-tasks-db's
``db_worker``), the views flush worker, the beacon log's counter (nginx answers the view
beacon and logs it; ``count_beacon_log`` counts the log) and the scheduler (scheduled
publishing). Every process runs ``gazette.settings.production``; only ``build_demo_site``
runs with the demo app installed (``gazette.settings.stack``), which production leaves out.
It prints
the URL and the admin login. Everything keeps its data in ``--dir`` between runs; ``start`` on a
running stack only prints it again, and ``stop`` ends every process it started (pid files).
Every long-running piece runs under supervisord (in the virtualenv; configuration generated
into ``<dir>/supervisor/``), which starts again whatever dies, on the same port: nobody has to.
``stop NAME`` stops a piece on purpose (supervisord keeps it stopped); ``restart`` starts the
named pieces again (stopping them first if they run), or without names every piece of the stack
that is not running: after ``stop NAME``, or a piece supervisord gave up on (FATAL).

Standard library only (and deploy/local_services.py), run with the virtualenv's Python: the
app servers and commands are the virtualenv's.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import re
import secrets
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path

# Run as a script, the repository is not on the path: deploy.local_services must be.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from deploy.local_services import (
    PostgresCluster,
    ServiceError,
    find_pg_bin,
    free_port,
    log_tail,
    port_is_open,
)

REPOSITORY = Path(__file__).resolve().parent.parent
TEMPLATE = REPOSITORY / "deploy" / "nginx.conf"
GUNICORN_CONF = REPOSITORY / "deploy" / "gunicorn.conf.py"
MODULES_DIR = Path("/usr/lib/nginx/modules")
PURGE_MODULE = "ngx_http_cache_purge_module.so"
BROTLI_MODULE = "ngx_http_brotli_filter_module.so"
APP_NAMES = ("app-a", "app-b")
# The app servers and workers run production's settings; the demo content is built with
# production's plus the demo app (gazette/settings/stack.py), which production leaves out.
APP_SETTINGS = "gazette.settings.production"
DEMO_SETTINGS = "gazette.settings.stack"
READY_TIMEOUT = 180  # seconds an app server gets to answer /healthz (a loaded machine is slow)
STOP_TIMEOUT = 20
TEXT_TYPES = (
    "text/css text/plain text/xml application/javascript application/json application/xml "
    "application/rss+xml application/atom+xml image/svg+xml"
)


# Query parameters that only say where a reader came from (newsletters, social sites, ads).
# Reader pages keep only the parameters they read anyway; elsewhere nginx drops these from
# the cache key and from what the app gets (deploy/nginx.conf, "Cache keys"). A trailing *
# matches any ending. GAZETTE_TRACKING_PARAMETERS (comma-separated) replaces the list.
TRACKING_PARAMETERS = (
    "utm_*",
    "fbclid",
    "gclid",
    "gclsrc",
    "dclid",
    "gbraid",
    "wbraid",
    "msclkid",
    "twclid",
    "ttclid",
    "li_fat_id",
    "igshid",
    "yclid",
    "mc_cid",
    "mc_eid",
    "_ga",
    "_gl",
    "_hsenc",
    "_hsmi",
    "mkt_tok",
    "srsltid",
    "ref_src",
)
# How many tracking parameters nginx takes out of one query on paths that are not reader
# pages: one regular expression each (nginx has no loop). A link carries a handful.
TRACKING_PASSES = 8

# Edge rate limits (deploy/nginx.conf): requests per client address, at a steady rate and a
# burst above it, refused with 429 and Retry-After before they reach an app server. The
# app's own limits (the API's GAZETTE_API_RATE_LIMIT, the comment settings) stay behind them.
# GAZETTE_EDGE_LIMIT_<NAME> sets one ("5r/s burst=20", "30r/m burst=10", or "off").
EDGE_LIMITS = {
    # A reader searches, refines, pages: a few a second at most.
    "search": "2r/s burst=20",
    # The API's own 120 a minute, as a steady rate and a burst.
    "api": "2r/s burst=120",
    # Comment posts and reports: the comment settings allow 3 posts a minute.
    "comments": "10r/m burst=10",
    # One beacon per article a reader opens, also from a whole office behind one address.
    "beacon": "10r/s burst=100",
    # views.js asks the article's count after each beacon: a zone of its own, so a view
    # spends one token of each, not two of the beacon's.
    "count": "10r/s burst=100",
}


@dataclass(frozen=True)
class EdgeLimit:
    rate: int
    per: str  # "s" or "m"
    burst: int

    @classmethod
    def parse(cls, text: str) -> EdgeLimit | None:
        """ "5r/s burst=20" (nginx's words), or None for "off"."""
        if text.strip().lower() in ("off", "0", ""):
            return None
        found = re.fullmatch(r"\s*(\d+)r/([sm])(?:\s+burst=(\d+))?\s*", text)
        if not found or int(found[1]) == 0:
            raise StackError(f'not an edge limit: {text!r} (e.g. "5r/s burst=20", or "off")')
        return cls(rate=int(found[1]), per=found[2], burst=int(found[3] or 0))

    @property
    def retry_after(self) -> int:
        """Seconds until the client may send one more request."""
        return max(1, math.ceil((1 if self.per == "s" else 60) / self.rate))


def edge_limits_from_environment() -> dict[str, EdgeLimit | None]:
    return {
        name: EdgeLimit.parse(os.environ.get(f"GAZETTE_EDGE_LIMIT_{name.upper()}", default))
        for name, default in EDGE_LIMITS.items()
    }


def _edge_limit_values(limits: dict[str, EdgeLimit | None]) -> dict[str, str]:
    """The markers of deploy/nginx.conf that the edge limits fill."""
    zones, retry, directives = [], [], {}
    for name, limit in limits.items():
        if limit is None:
            directives[name] = (
                f"            # {name}: no edge limit (GAZETTE_EDGE_LIMIT_{name.upper()}=off)"
            )
            continue
        zones.append(
            f"    limit_req_zone $gazette_limit_{name} zone=gazette_{name}:10m "
            f"rate={limit.rate}r/{limit.per};"
        )
        retry.append(f"        {name} {limit.retry_after};")
        directives[name] = f"            limit_req zone=gazette_{name} burst={limit.burst} nodelay;"
    return {
        "LIMIT_ZONES": "\n".join(zones) or "    # no edge limits",
        "LIMIT_RETRY_AFTER": "\n".join(retry),
        "LIMIT_PAGES": "\n".join((directives["search"], directives["api"])),
        "LIMIT_COMMENTS": directives["comments"],
        "LIMIT_BEACON": directives["beacon"],
        "LIMIT_COUNT": directives["count"],
    }


class StackError(RuntimeError):
    pass


_STARTED = time.monotonic()


def progress(message: str) -> None:
    print(f"stack [{time.monotonic() - _STARTED:5.1f}s] {message}", file=sys.stderr, flush=True)


# --- nginx configuration --------------------------------------------------------------------


def tracking_parameters_from_environment() -> tuple[str, ...]:
    raw = os.environ.get("GAZETTE_TRACKING_PARAMETERS")
    if raw is None:
        return TRACKING_PARAMETERS
    return tuple(name.strip() for name in raw.split(",") if name.strip())


def _tracking_patterns(names: tuple[str, ...]) -> list[str]:
    """Each tracking parameter's name as a regular expression (a trailing * any ending)."""
    for name in names:
        if not re.fullmatch(r"[A-Za-z0-9_.-]+\*?", name):
            raise StackError(f"not a query parameter name (or name*): {name!r}")
    return [
        re.escape(name[:-1]) + "[^&=]*" if name.endswith("*") else re.escape(name) for name in names
    ]


def _tracking_maps(names: tuple[str, ...]) -> str:
    """nginx maps that take up to TRACKING_PASSES tracking parameters out of the query, one a
    map, into $gazette_untracked_args ("&a=1&b=2", or empty)."""
    patterns = _tracking_patterns(names)
    lines = ['    map $args $gazette_untracked_0 { "" ""; default "&$args"; }']
    if not patterns:
        lines.append(
            "    map $gazette_untracked_0 $gazette_untracked_args { default $gazette_untracked_0; }"
        )
        return "\n".join(lines)
    # One parameter out of "&a=1&utm_source=x&b=2" (any case, with or without a value).
    regex = f"~*^(.*?)&(?:{'|'.join(patterns)})(?:=[^&]*)?((?:&.*)?)$"
    for number in range(1, TRACKING_PASSES + 1):
        target = "args" if number == TRACKING_PASSES else str(number)
        source = f"$gazette_untracked_{number - 1}"
        lines.append(
            f"    map {source} $gazette_untracked_{target} "
            f'{{ default {source}; "{regex}" "$1$2"; }}'
        )
    return "\n".join(lines)


def _tracking_only_query(names: tuple[str, ...], template: str) -> str:
    """The $gazette_query map's line for a query of tracking parameters only ("utm_source=x"
    or "fbclid=1&utm_medium=y", 1 to TRACKING_PASSES of them, each with or without a value):
    no parameter kept, whatever the route, so none is worked out. A tracking name that could
    be one a page reads ($arg_<name> in the template; nginx matches those in any case) is
    left to the route, which would keep it."""
    read = re.findall(r"\$arg_(\w+)", template)
    patterns = [
        pattern
        for pattern in _tracking_patterns(names)
        if not any(re.fullmatch(pattern, name, re.IGNORECASE) for name in read)
    ]
    if not patterns:
        return "        # no tracking parameter a page does not read: every query is routed"
    # Possessive (*+, ?+): a name and a value end at "=" or "&", so a query that is not all
    # tracking (?page=2&utm_source=x) fails at once, without trying shorter names and values.
    alternatives = "|".join(pattern.replace("[^&=]*", "[^&=]*+") for pattern in patterns)
    one = f"(?:{alternatives})(?:=[^&]*+)?+"
    return f'        "~*^{one}(?:&{one}){{0,{TRACKING_PASSES - 1}}}$" "";'


def render_nginx_conf(
    *,
    upstreams: list[str],
    listen: str,
    static_root: Path,
    media_root: Path,
    state_dir: Path,
    log_dir: Path,
    purge_from: list[str],
    user: str | None = None,
    worker_processes: str = "auto",
    microcache: str = "1s",
    forwarded_proto: str = "$scheme",
    session_cookie: str = "sessionid",
    tracking_parameters: tuple[str, ...] | None = None,
    edge_limits: dict[str, EdgeLimit | None] | None = None,
    real_ip_from: list[str] | None = None,
    modules_dir: Path = MODULES_DIR,
) -> str:
    """deploy/nginx.conf with its @@NAME@@ markers filled in."""
    if not (modules_dir / PURGE_MODULE).exists():
        raise StackError(
            f"nginx's cache-purge module is missing ({modules_dir / PURGE_MODULE}): "
            "apt-get install libnginx-mod-http-cache-purge"
        )
    modules = [PURGE_MODULE]
    brotli = (modules_dir / BROTLI_MODULE).exists()
    text = TEMPLATE.read_text()
    tracking = (
        tracking_parameters_from_environment()
        if tracking_parameters is None
        else tracking_parameters
    )
    if brotli:
        modules.append(BROTLI_MODULE)
    values = {
        "LOAD_MODULES": "\n".join(f"load_module {modules_dir / name};" for name in modules),
        "USER": f"user {user};" if user else "",
        "WORKER_PROCESSES": worker_processes,
        "STATE_DIR": str(state_dir),
        "LOG_DIR": str(log_dir),
        "BROTLI": (
            f"    brotli on;\n    brotli_comp_level 5;\n    brotli_types {TEXT_TYPES};"
            if brotli
            else "    # brotli: libnginx-mod-http-brotli-filter is not installed"
        ),
        "SESSION_COOKIE": session_cookie,
        "UPSTREAM_SERVERS": "\n".join(
            f"        server {address} max_fails=3 fail_timeout=10s;" for address in upstreams
        ),
        "LISTEN": listen,
        "FORWARDED_PROTO": forwarded_proto,
        "STATIC_ROOT": str(static_root),
        "MEDIA_ROOT": str(media_root),
        "MICROCACHE": microcache,
        "PURGE_ALLOW": "\n".join(f"            allow {source};" for source in purge_from),
        "REAL_IP": (
            "\n".join(f"    set_real_ip_from {source};" for source in real_ip_from)
            + "\n    real_ip_header X-Forwarded-For;\n    real_ip_recursive on;"
            if real_ip_from
            else "    # No proxy in front: the client's address is the connection's."
        ),
        **_edge_limit_values(
            edge_limits_from_environment() if edge_limits is None else edge_limits
        ),
        "TRACKING_PASSES": str(TRACKING_PASSES),
        "TRACKING_MAPS": _tracking_maps(tracking),
        "TRACKING_ONLY_QUERY": _tracking_only_query(tracking, text),
    }
    for name, value in values.items():
        text = text.replace(f"@@{name}@@", value)
    if "@@" in text:
        raise StackError("deploy/nginx.conf has a marker render_nginx_conf does not fill")
    return text


def nginx_binary() -> str:
    binary = shutil.which("nginx") or (
        "/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None
    )
    if binary is None:
        raise StackError("nginx not found: apt-get install nginx libnginx-mod-http-cache-purge")
    return binary


# --- state ------------------------------------------------------------------------------------


@dataclass
class Stack:
    """What a running stack is made of, kept in <dir>/stack.json."""

    dir: str
    port: int = 0
    postgres_port: int = 0
    replica_port: int = 0
    redis_port: int = 0
    app_ports: list[int] = field(default_factory=list)
    pids: dict[str, int] = field(default_factory=dict)
    workers: int = 1  # processes per app server
    fast: bool = False  # PostgreSQL with fsync off (tests)
    # Where the clusters' data really is (PostgreSQL's user may need it elsewhere than --dir).
    postgres_dir: str = ""
    replica_dir: str = ""

    @property
    def root(self) -> Path:
        return Path(self.dir)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def database_url(self) -> str:
        return f"postgres://gazette@127.0.0.1:{self.postgres_port}/gazette"

    @property
    def replica_url(self) -> str:
        return (
            f"postgres://gazette@127.0.0.1:{self.replica_port}/gazette" if self.replica_port else ""
        )

    @property
    def redis_url(self) -> str:
        return f"redis://127.0.0.1:{self.redis_port}/0"

    @classmethod
    def load(cls, root: Path) -> Stack:
        path = root / "stack.json"
        if path.exists():
            return cls(**json.loads(path.read_text()))
        return cls(dir=str(root))

    def save(self) -> None:
        (self.root / "stack.json").write_text(json.dumps(asdict(self), indent=2) + "\n")


def _alive(pid: int | None, token: str) -> bool:
    """Is ``pid`` running, and still the program we started (``token`` in its command line)?"""
    if not pid:
        return False
    try:
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return False
    return token in cmdline


PROCESS_TOKENS = {
    "nginx": "nginx",
    "redis": "redis-server",
    "app-a": "gunicorn",
    "app-b": "gunicorn",
    "worker": "db_worker",
    "views-worker": "flush_views",
    "beacon-counter": "count_beacon_log",
    "scheduler": "schedule_worker",
}


ESSENTIAL = {"nginx", "app-a", "app-b", "worker", "redis", "postgres"}


def _fully_running(stack: Stack) -> bool:
    status = _running(stack)
    return set(status) >= ESSENTIAL and all(status.values())


def _running(stack: Stack) -> dict[str, bool]:
    supervised = supervisor_status(stack)
    if supervised is not None:
        # supervisord says what runs (and under which pid now: it restarts what dies).
        status = {name: state == "RUNNING" for name, (state, _) in supervised.items()}
        stack.pids = {
            name: pid
            for name, (_, pid) in supervised.items()
            if pid and name not in ("postgres", "replica")
        }
        status["postgres"] = status.get("postgres", False) and port_is_open(stack.postgres_port)
        if stack.replica_port:
            status["replica"] = status.get("replica", False) and port_is_open(stack.replica_port)
        else:
            status.pop("replica", None)
        return status
    status = {name: _alive(pid, PROCESS_TOKENS.get(name, name)) for name, pid in stack.pids.items()}
    status["postgres"] = (stack.root / "postgres" / "postmaster.pid").exists() and port_is_open(
        stack.postgres_port
    )
    if stack.replica_port:
        status["replica"] = (stack.root / "replica" / "postmaster.pid").exists() and port_is_open(
            stack.replica_port
        )
    return status


# --- supervisord --------------------------------------------------------------------------------
#
# Every long-running piece runs under supervisord (installed in the virtualenv), which starts
# it again when it dies, whatever killed it: PostgreSQL (and its replica) in the foreground
# (`postgres -D`), Redis (no daemonize), nginx (`daemon off;`), the app servers and the
# workers. Its configuration is generated into <dir>/supervisor/supervisord.conf; `start`,
# `stop`, `status` and `restart` drive it with supervisorctl over a socket in <dir>/run/.

# Data first, then the front, the app servers and the workers: the order a start needs
# (supervisord stops in the reverse order).
PRIORITIES = {"postgres": 10, "replica": 11, "redis": 20, "nginx": 30}
# A piece that dies is started again at once; one that keeps dying at start is tried this
# many times (supervisord waits 1, 2, 3... s between tries) before it is left FATAL.
START_RETRIES = 30


def _supervisor_paths(stack: Stack) -> tuple[Path, Path]:
    return stack.root / "supervisor" / "supervisord.conf", stack.root / "run" / "supervisor.sock"


def _venv_program(name: str) -> str:
    """A program of the virtualenv (supervisord, supervisorctl, gunicorn), also when this
    script runs under the system's Python (`make stack-stop`)."""
    for candidate in (
        Path(sys.executable).with_name(name),
        REPOSITORY / ".venv" / "bin" / name,
    ):
        if candidate.exists():
            return str(candidate)
    found = shutil.which(name)
    if found is None:
        raise StackError(f"{name} not found: `make venv` installs it (requirements.lock)")
    return found


def _postgres_command(stack: Stack, which: str) -> list[str]:
    data_dir = stack.postgres_dir if which == "postgres" else stack.replica_dir
    port = stack.postgres_port if which == "postgres" else stack.replica_port
    settings = {
        "listen_addresses": "127.0.0.1",
        "port": str(port),
        "unix_socket_directories": data_dir,  # /var/run/postgresql is not ours
    }
    if stack.fast:
        settings |= {"fsync": "off", "synchronous_commit": "off"}
    if which == "replica":
        settings["primary_conninfo"] = (
            f"host=127.0.0.1 port={stack.postgres_port} user=gazette application_name=replica"
        )
    command = [str(find_pg_bin() / "postgres"), "-D", data_dir]
    for key, value in settings.items():
        command += ["-c", f"{key}={value}"]
    return command


def supervised_programs(stack: Stack) -> dict[str, dict[str, str]]:
    """Each piece's supervisord program section (its options), by name."""
    root = stack.root
    manage = [sys.executable, str(REPOSITORY / "manage.py")]
    conf, prefix = _nginx_paths(stack)
    as_root = os.geteuid() == 0
    commands: dict[str, list[str]] = {
        "postgres": _postgres_command(stack, "postgres"),
        "redis": [
            shutil.which("redis-server") or "redis-server",
            *("--port", str(stack.redis_port), "--bind", "127.0.0.1"),
            *("--save", "60 1", "--appendonly", "yes"),
            *("--dir", str(root / "redis"), "--daemonize", "no"),
        ],
        "nginx": [nginx_binary(), "-c", str(conf), "-p", str(prefix), "-g", "daemon off;"],
    }
    if stack.replica_port:
        commands["replica"] = _postgres_command(stack, "replica")
    for name in APP_NAMES:
        commands[name] = [_venv_program("gunicorn"), "-c", str(GUNICORN_CONF)]
    commands["worker"] = [*manage, "db_worker", "--interval", "0.5", "--no-startup-delay"]
    commands["views-worker"] = [*manage, "flush_views", "--loop", "--interval", "2"]
    # The views nginx answered (the beacon), counted from its beacon log.
    commands["beacon-counter"] = [*manage, "count_beacon_log", str(beacon_log_path(stack))]
    commands["scheduler"] = [*manage, "schedule_worker", "--interval", "60"]

    programs = {}
    for name, command in commands.items():
        options = {
            "command": shlex.join(command).replace("%", "%%"),
            "directory": str(REPOSITORY),
            "priority": str(PRIORITIES.get(name, 40 if name in APP_NAMES else 50)),
            # `start` brings the pieces up in order (data, migrations, front, apps).
            "autostart": "false",
            "autorestart": "true",
            "startsecs": "1",
            "startretries": str(START_RETRIES),
            "stopsignal": "TERM",
            "stopwaitsecs": str(STOP_TIMEOUT),
            "killasgroup": "true",
            "redirect_stderr": "true",
            "stdout_logfile": str(root / "log" / f"{name}.log"),
            "stdout_logfile_maxbytes": "20MB",
            "stdout_logfile_backups": "2",
        }
        if name in ("postgres", "replica"):
            # INT: PostgreSQL's fast shutdown (TERM would wait for every client to leave).
            options |= {"stopsignal": "INT", "directory": stack.postgres_dir}
            if name == "replica":
                options["directory"] = stack.replica_dir
            if as_root:  # PostgreSQL refuses to run as root
                options["user"] = "postgres"
        elif name == "nginx":
            options["stopsignal"] = "QUIT"  # finishes the requests in flight
        elif name in APP_NAMES:
            port = stack.app_ports[APP_NAMES.index(name)]
            options["environment"] = (
                f'GUNICORN_BIND="127.0.0.1:{port}",'
                f'GUNICORN_PIDFILE="{root / "run" / f"{name}.pid"}"'
            )
            options["startsecs"] = "2"
        programs[name] = options
    return programs


def render_supervisor_conf(stack: Stack) -> str:
    _, socket_path = _supervisor_paths(stack)
    root = stack.root
    lines = [
        "; Generated by deploy/stack.py for the stack in this directory: edit that, not this.",
        "[unix_http_server]",
        f"file={socket_path}",
        "chmod=0700",
        "",
        "[supervisord]",
        f"logfile={root / 'log' / 'supervisord.log'}",
        f"pidfile={root / 'run' / 'supervisord.pid'}",
        f"childlogdir={root / 'log'}",
        f"directory={REPOSITORY}",
        "identifier=gazette-stack",
        *(["user=root"] if os.geteuid() == 0 else []),
        "",
        "[rpcinterface:supervisor]",
        "supervisor.rpcinterface_factory = supervisor.rpcinterface:make_main_rpcinterface",
        "",
        "[supervisorctl]",
        f"serverurl=unix://{socket_path}",
    ]
    for name, options in supervised_programs(stack).items():
        lines += ["", f"[program:{name}]", *(f"{key}={value}" for key, value in options.items())]
    return "\n".join(lines) + "\n"


def supervisorctl(stack: Stack, *args: str, check: bool = True) -> subprocess.CompletedProcess:
    conf, _ = _supervisor_paths(stack)
    done = subprocess.run(  # noqa: S603 - the virtualenv's supervisorctl, our configuration
        [_venv_program("supervisorctl"), "-c", str(conf), *args],
        capture_output=True,
        text=True,
        check=False,
        timeout=STOP_TIMEOUT * 3 + 30,
    )
    if check and done.returncode != 0:
        raise StackError(
            f"supervisorctl {' '.join(args)} failed ({done.returncode}):\n"
            f"{done.stdout}{done.stderr}"
        )
    return done


def supervisor_status(stack: Stack) -> dict[str, tuple[str, int]] | None:
    """Each supervised piece's state (RUNNING, STARTING, BACKOFF, STOPPED, FATAL...) and pid
    (0 when not running); None when no supervisord runs for this stack."""
    conf, socket_path = _supervisor_paths(stack)
    if not (conf.exists() and socket_path.exists()):
        return None
    done = supervisorctl(stack, "status", check=False)
    status = {}
    for line in done.stdout.splitlines():
        found = re.match(r"^(\S+)\s+([A-Z]+)\s*(.*)$", line)
        if not found or found[2] not in SUPERVISOR_STATES:
            continue
        pid = re.search(r"\bpid (\d+)", found[3])
        status[found[1]] = (found[2], int(pid[1]) if pid else 0)
    return status or None


SUPERVISOR_STATES = {
    "STOPPED",
    "STARTING",
    "RUNNING",
    "BACKOFF",
    "STOPPING",
    "EXITED",
    "FATAL",
    "UNKNOWN",
}


def _start_supervisord(stack: Stack, env: dict[str, str]) -> None:
    """Write the configuration and start supervisord (its programs inherit ``env``), or have
    the one running read the configuration again."""
    conf, socket_path = _supervisor_paths(stack)
    conf.parent.mkdir(parents=True, exist_ok=True)
    conf.write_text(render_supervisor_conf(stack))
    if supervisor_status(stack) is not None:
        supervisorctl(stack, "reread")
        supervisorctl(stack, "update")
        return
    socket_path.unlink(missing_ok=True)
    subprocess.run(  # noqa: S603 - the virtualenv's supervisord; it daemonizes
        [_venv_program("supervisord"), "-c", str(conf)],
        cwd=REPOSITORY,
        env=env,
        check=True,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        start_new_session=True,
    )
    deadline = time.monotonic() + 20
    while supervisor_status(stack) is None:
        if time.monotonic() > deadline:
            raise StackError(
                f"supervisord did not start:\n{log_tail(stack.root / 'log' / 'supervisord.log')}"
            )
        time.sleep(0.1)


def _wait_data_ready(stack: Stack, names: list[str]) -> None:
    """PostgreSQL accepting connections (pg_isready), Redis answering PING."""
    deadline = time.monotonic() + READY_TIMEOUT
    for name in names:
        while True:
            if name in ("postgres", "replica"):
                port = stack.postgres_port if name == "postgres" else stack.replica_port
                ready = (
                    subprocess.run(  # noqa: S603 - pg_isready
                        [
                            str(find_pg_bin() / "pg_isready"),
                            "-q",
                            "-h",
                            "127.0.0.1",
                            "-p",
                            str(port),
                        ],
                        check=False,
                    ).returncode
                    == 0
                )
            elif name == "redis":
                ready = _redis_answers(stack.redis_port)
            else:
                ready = True
            if ready:
                break
            if time.monotonic() > deadline:
                raise StackError(
                    f"{name} is not ready:\n{log_tail(stack.root / 'log' / f'{name}.log')}"
                )
            time.sleep(0.1)


def _redis_answers(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1) as sock:
            sock.sendall(b"*1\r\n$4\r\nPING\r\n")
            return sock.recv(64).startswith(b"+PONG")
    except OSError:
        return False


def _supervised_pids(stack: Stack) -> None:
    supervised = supervisor_status(stack) or {}
    stack.pids = {
        name: pid
        for name, (_, pid) in supervised.items()
        if pid and name not in ("postgres", "replica")
    }


# --- start ------------------------------------------------------------------------------------


def _port(wanted: int, previous: int) -> int:
    """The port asked for, else the one used last time if it is free, else any free one."""
    if wanted:
        return wanted
    if previous and not port_is_open(previous):
        return previous
    return free_port()


def _secret_key(root: Path) -> str:
    path = root / "secret-key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(64) + "\n")
        path.chmod(0o600)
    return path.read_text().strip()


def app_environment(stack: Stack, *, workers: int) -> dict[str, str]:
    """The production settings of every process of the stack, from the environment."""
    root = stack.root
    origins = [f"http://127.0.0.1:{stack.port}", f"http://localhost:{stack.port}"]
    env = dict(os.environ)
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": APP_SETTINGS,
            "SECRET_KEY": _secret_key(root),
            "DATABASE_URL": stack.database_url,
            "DATABASE_REPLICA_URLS": stack.replica_url,
            "REDIS_URL": stack.redis_url,
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "CSRF_TRUSTED_ORIGINS": ",".join(origins),
            "GAZETTE_VAR_DIR": str(root),
            "MEDIA_ROOT": str(root / "media"),
            "GAZETTE_SERVE_MEDIA": "false",
            "TASKS_BACKEND": "database",
            "FRONTEND_CACHE_PURGE_URLS": f"{stack.url}/_purge",
            "WAGTAILADMIN_BASE_URL": stack.url,
            # The site's absolute URLs name the address nginx serves it at (set at migrate).
            "GAZETTE_BASE_URL": stack.url,
            "LOG_FORMAT": "json",
            "WEB_CONCURRENCY": str(workers),
            # Loopback has no TLS: no redirect to https, cookies over http, no HSTS pin.
            "SECURE_SSL_REDIRECT": "false",
            "SESSION_COOKIE_SECURE": "false",
            "CSRF_COOKIE_SECURE": "false",
            "SECURE_HSTS_SECONDS": "0",
            # Compiled modules cached once for every process of the stack (and of its tests),
            # out of the work tree.
            "PYTHONPYCACHEPREFIX": str(REPOSITORY / "var" / "pycache"),
        }
    )
    for unwanted in ("PYTHONDONTWRITEBYTECODE", "DJANGO_ALLOW_ASYNC_UNSAFE"):
        env.pop(unwanted, None)
    return env


def _manage_started(env: dict[str, str], *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(  # noqa: S603 - our own manage.py
        [sys.executable, str(REPOSITORY / "manage.py"), *args],
        cwd=REPOSITORY,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
        text=True,
    )


def _manage_finished(proc: subprocess.Popen[str], what: str) -> str:
    output, _ = proc.communicate()
    if proc.returncode != 0:
        raise StackError(f"manage.py {what} failed:\n{output}")
    return output


def _manage(env: dict[str, str], *args: str) -> str:
    """Run a management command with the stack's settings; its output, or StackError."""
    return _manage_finished(_manage_started(env, *args), " ".join(args))


def demo_environment(env: dict[str, str]) -> dict[str, str]:
    """The stack's settings plus the demo app, for the demo commands (build_demo_site,
    generate_newsroom): the servers and workers run production's, which leave it out."""
    return env | {"DJANGO_SETTINGS_MODULE": DEMO_SETTINGS}


def _wait_healthy(url: str, log: Path, *, alive: Callable[[], bool]) -> None:
    deadline = time.monotonic() + READY_TIMEOUT
    while time.monotonic() < deadline:
        if not alive():
            raise StackError(f"{url} exited while starting:\n{log_tail(log)}")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310 - loopback
                if response.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.2)
    raise StackError(f"{url} did not answer within {READY_TIMEOUT} s:\n{log_tail(log)}")


def start(root: Path, *, port: int, replica: bool, workers: int, fast: bool, demo: bool) -> Stack:
    root = root.resolve()
    previous = Stack.load(root)
    if previous.pids or previous.postgres_port:
        if _fully_running(previous) and (previous.replica_port or not replica):
            return previous  # already running: nothing to do
        stop(root, quiet=True)  # half a stack (or one without the replica asked for): again

    for sub in ("log", "run", "media", "static", "nginx/tmp", "nginx/cache", "redis"):
        (root / sub).mkdir(parents=True, exist_ok=True)
    stack = Stack(dir=str(root), workers=workers, fast=fast)
    stack.port = _port(port, previous.port)

    try:
        # The clusters are made (initdb, createdb, pg_basebackup) with pg_ctl, then stopped:
        # supervisord runs them from then on, in the foreground.
        progress("PostgreSQL")
        primary = PostgresCluster(
            root / "postgres", fast=fast, port=_port(0, previous.postgres_port)
        ).start()
        stack.postgres_port = primary.port
        stack.postgres_dir = str(primary.data_dir)
        stack.save()
        if replica:
            progress("streaming replica (pg_basebackup -R)")
            stack.replica_port = _port(0, previous.replica_port)
            while stack.replica_port == stack.postgres_port:
                stack.replica_port = free_port()
            standby = primary.make_replica(root / "replica", fast=fast, port=stack.replica_port)
            stack.replica_dir = str(standby._given_dir)
        primary.stop()
        stack.redis_port = _port(0, previous.redis_port)
        stack.app_ports = [_port(0, p) for p in (previous.app_ports or [0, 0])][:2]
        while len(set(stack.app_ports)) < 2:
            stack.app_ports = [free_port(), free_port()]
        stack.save()

        env = app_environment(stack, workers=workers)
        progress("supervisord: PostgreSQL" + (", replica" if replica else "") + ", Redis")
        _write_nginx_conf(stack)
        _start_supervisord(stack, env)
        data = ["postgres", *(["replica"] if replica else []), "redis"]
        supervisorctl(stack, "start", *data)
        _wait_data_ready(stack, data)
        _supervised_pids(stack)
        stack.save()

        # collectstatic needs no database: it runs beside the migrations.
        progress("migrations and collectstatic")
        statics = _manage_started(env, "collectstatic", "--noinput", "-v", "0")
        _manage(env, "migrate", "--noinput", "-v", "0")
        _manage_finished(statics, "collectstatic")

        # nginx first: it answers 502 until the app servers are up, and takes the purges the
        # worker sends as soon as it starts.
        progress("nginx")
        supervisorctl(stack, "start", "nginx")

        progress("app servers and workers" + (", demo content" if demo else ""))
        supervisorctl(stack, "start", *APP_NAMES, *WORKER_NAMES)
        _supervised_pids(stack)
        stack.save()
        if demo:  # while the app servers boot
            _manage(demo_environment(env), "build_demo_site", "--base-url", stack.url)
        for name in APP_NAMES:
            _wait_app_healthy(stack, name)
        _supervised_pids(stack)
        progress("ready")
    except BaseException:
        stack.save()
        stop(root, quiet=True)
        raise
    stack.save()
    return stack


WORKER_NAMES = ("worker", "views-worker", "beacon-counter", "scheduler")


def beacon_log_path(stack: Stack) -> Path:
    """Where nginx writes the view beacon's log (deploy/nginx.conf, LOG_DIR)."""
    return stack.root / "log" / "beacon.log"


def _wait_app_healthy(stack: Stack, name: str) -> None:
    _wait_healthy(
        f"http://127.0.0.1:{stack.app_ports[APP_NAMES.index(name)]}/healthz",
        stack.root / "log" / f"{name}.log",
        alive=lambda: (
            (supervisor_status(stack) or {}).get(name, ("", 0))[0]
            in ("RUNNING", "STARTING", "BACKOFF")
        ),
    )


# --- restart ----------------------------------------------------------------------------------

# Data first, then the front, the app servers and the workers: the order a start needs.
RESTART_ORDER = ("postgres", "replica", "redis", "nginx", *APP_NAMES, *WORKER_NAMES)


def restart(root: Path, names: list[str]) -> tuple[Stack, list[str]]:
    """Start the named pieces of the stack in ``root`` again, on their ports (stopping those
    still running first), or without names every piece that is not running. Returns the
    stack and the names started. supervisord restarts a piece that dies by itself: this is
    for a piece stopped on purpose (`stop NAME`), given up on (FATAL), or to apply a change
    (nginx's configuration is rendered again from the environment)."""
    root = root.resolve()
    stack = Stack.load(root)
    if not stack.postgres_port or not stack.postgres_dir:
        raise StackError(f"no stack runs in {root}: `stack.py start`")
    unknown = set(names) - set(RESTART_ORDER)
    if unknown:
        raise StackError(
            f"unknown piece(s) {', '.join(sorted(unknown))}: {', '.join(RESTART_ORDER)}"
        )
    _write_nginx_conf(stack) if "nginx" in names else None
    _start_supervisord(stack, app_environment(stack, workers=stack.workers))
    running = _running(stack)
    known = set(supervised_programs(stack))
    wanted = set(names) or {n for n in known if not running.get(n)}
    chosen = [n for n in RESTART_ORDER if n in wanted and n in known]
    for name in chosen:
        progress(f"restarting {name}")
        if name == "nginx":
            _write_nginx_conf(stack)
        supervisorctl(stack, "stop", name, check=False)
        supervisorctl(stack, "start", name)
        _wait_data_ready(stack, [name])
    for name in chosen:
        if name in APP_NAMES:
            _wait_app_healthy(stack, name)
    _supervised_pids(stack)
    stack.save()
    return stack, chosen


def _nginx_paths(stack: Stack) -> tuple[Path, Path]:
    return stack.root / "nginx" / "nginx.conf", stack.root / "nginx"


def _write_nginx_conf(stack: Stack) -> None:
    """Render nginx's configuration for the stack (from the environment: edge limits,
    tracking parameters) and check it; supervisord runs nginx with it."""
    conf, prefix = _nginx_paths(stack)
    conf.parent.mkdir(parents=True, exist_ok=True)
    conf.write_text(
        render_nginx_conf(
            upstreams=[f"127.0.0.1:{p}" for p in stack.app_ports],
            listen=f"127.0.0.1:{stack.port}",
            static_root=stack.root / "static",
            media_root=stack.root / "media",
            state_dir=prefix,
            log_dir=stack.root / "log",
            purge_from=["127.0.0.1"],
            user="root" if os.geteuid() == 0 else None,
            worker_processes="1",
        )
    )
    result = subprocess.run(  # noqa: S603 - nginx with our config
        [nginx_binary(), "-c", str(conf), "-p", str(prefix), "-t", "-q"],
        capture_output=True,
        text=True,
        check=False,
        start_new_session=True,
    )
    if result.returncode != 0:
        raise StackError(f"nginx -t failed:\n{result.stderr}")


# --- stop -------------------------------------------------------------------------------------


def _terminate(processes: list[tuple[int, str, int]]) -> None:
    """Signal every (pid, token, signal) at once, wait for all, kill what outlives the wait."""
    waiting = []
    for pid, token, sig in processes:
        if _alive(pid, token):
            try:
                os.kill(pid, sig)
                waiting.append((pid, token))
            except ProcessLookupError:
                pass
    deadline = time.monotonic() + STOP_TIMEOUT
    while any(_alive(pid, token) for pid, token in waiting) and time.monotonic() < deadline:
        time.sleep(0.05)
    for pid, token in waiting:
        if _alive(pid, token):
            os.kill(pid, signal.SIGKILL)


def stop(root: Path, *, quiet: bool = False, names: list[str] | None = None) -> bool:
    """Stop every process of the stack in ``root`` (supervisord too), or only the named
    pieces (supervisord keeps them stopped until `restart NAME`); True if anything was
    running."""
    root = root.resolve()
    stack = Stack.load(root)
    supervised = supervisor_status(stack)
    if names:
        unknown = set(names) - set(RESTART_ORDER)
        if unknown or supervised is None:
            raise StackError(
                f"unknown piece(s) {', '.join(sorted(unknown))}" if unknown else "not running"
            )
        supervisorctl(stack, "stop", *names, check=False)
        _supervised_pids(stack)
        stack.save()
        if not quiet:
            print(f"Stopped: {', '.join(names)}.")
        return True
    anything = any(_running(stack).values()) if (stack.pids or stack.postgres_port) else False
    if supervised is not None:
        # Stops the programs in reverse priority (workers, app servers, nginx, Redis, the
        # replica, the primary), then exits.
        pid_file = root / "run" / "supervisord.pid"
        pid = int(pid_file.read_text().strip()) if pid_file.exists() else 0
        supervisorctl(stack, "shutdown", check=False)
        deadline = time.monotonic() + STOP_TIMEOUT * 4
        while pid and _alive(pid, "supervisord") and time.monotonic() < deadline:
            time.sleep(0.1)
    # What supervisord did not run (a stack started before it, or half-started).
    stages = [["nginx"], [n for n in stack.pids if n not in ("nginx", "redis")], ["redis"]]
    for names_ in stages:
        _terminate(
            [
                (
                    stack.pids[name],
                    PROCESS_TOKENS.get(name, name),
                    signal.SIGQUIT if name == "nginx" else signal.SIGTERM,
                )
                for name in names_
                if stack.pids.get(name)
            ]
        )
    for data in ("replica", "postgres"):
        data_dir = Path(getattr(stack, f"{data}_dir") or root / data)
        if (data_dir / "postmaster.pid").exists():
            try:
                PostgresCluster(data_dir).stop_running()
            except ServiceError as exc:
                print(f"stack: {exc}", file=sys.stderr)
    stack.pids = {}
    if root.exists():
        stack.save()
    if not quiet:
        print("Gazette stack stopped." if anything else "Gazette stack was not running.")
    return anything


# --- CLI --------------------------------------------------------------------------------------


def describe(stack: Stack) -> str:
    password_file = stack.root / "admin-password.txt"
    password = password_file.read_text().strip() if password_file.exists() else "(not created)"
    apps = ", ".join(f"127.0.0.1:{p}" for p in stack.app_ports)
    lines = [
        f"Gazette production stack at {stack.url}/",
        f"  admin: {stack.url}/admin/  user: admin  password: {password}",
        f"  nginx (microcache, purge, static, media) -> gunicorn {apps}",
        f"  PostgreSQL {stack.database_url}",
    ]
    if stack.replica_url:
        lines.append(f"  replica    {stack.replica_url} (streaming, reads)")
    lines += [
        f"  Redis      {stack.redis_url}",
        f"  workers: {', '.join(n for n in stack.pids if 'worker' in n) or 'none'}",
        f"  logs in {stack.root / 'log'}/; `make stack-stop` ends it.",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="action", required=True)
    default_dir = REPOSITORY / "var" / "stack"
    for name in ("start", "stop", "status", "restart"):
        p = sub.add_parser(name)
        p.add_argument("--dir", type=Path, default=default_dir)
        if name in ("restart", "stop"):
            p.add_argument("names", nargs="*", metavar="NAME", help=", ".join(RESTART_ORDER))
        if name == "start":
            p.add_argument("--port", type=int, default=int(os.environ.get("STACK_PORT", 8080)))
            p.add_argument("--replica", action="store_true", help="add a streaming replica")
            p.add_argument("--workers", type=int, default=1, help="processes per app server")
            p.add_argument("--fast", action="store_true", help="fsync off (tests)")
            p.add_argument("--no-demo", dest="demo", action="store_false")
    render = sub.add_parser("render-nginx", help="print deploy/nginx.conf filled in")
    render.add_argument("--upstream", action="append", required=True, help="host:port, repeat")
    render.add_argument("--listen", default="80")
    render.add_argument("--static-root", type=Path, required=True)
    render.add_argument("--media-root", type=Path, required=True)
    render.add_argument("--state-dir", type=Path, required=True, help="pid, cache, temp files")
    render.add_argument("--log-dir", type=Path, default=Path("/var/log/nginx"))
    render.add_argument("--purge-from", action="append", default=None, help="app hosts, repeat")
    render.add_argument("--user", default="www-data")
    render.add_argument("--forwarded-proto", default="$scheme")
    render.add_argument(
        "--real-ip-from",
        action="append",
        default=None,
        help="a load balancer in front (address or CIDR, repeat): clients by X-Forwarded-For",
    )
    args = parser.parse_args(argv)

    try:
        if args.action == "start":
            if (
                args.port
                and port_is_open(args.port)
                and not _running(Stack.load(args.dir.resolve())).get("nginx")
            ):
                raise StackError(f"port {args.port} is taken: STACK_PORT=8081 make stack")
            stack = start(
                args.dir,
                port=args.port,
                replica=args.replica,
                workers=args.workers,
                fast=args.fast,
                demo=args.demo,
            )
            print(describe(stack), flush=True)
        elif args.action == "stop":
            stop(args.dir, names=args.names)
        elif args.action == "restart":
            _, started = restart(args.dir, args.names)
            print(f"Restarted: {', '.join(started)}." if started else "Everything was running.")
        elif args.action == "status":
            stack = Stack.load(args.dir.resolve())
            if stack.postgres_port and _fully_running(stack):
                stack.save()  # the pids supervisord has now
                print(describe(stack))
            else:
                status = _running(stack) if stack.postgres_port else "never started"
                print(f"Gazette stack is not (fully) running: {status}")
                return 1
        else:
            print(
                render_nginx_conf(
                    upstreams=args.upstream,
                    listen=args.listen,
                    static_root=args.static_root,
                    media_root=args.media_root,
                    state_dir=args.state_dir,
                    log_dir=args.log_dir,
                    purge_from=args.purge_from or ["127.0.0.1"],
                    user=args.user or None,
                    forwarded_proto=args.forwarded_proto,
                    real_ip_from=args.real_ip_from,
                ),
                end="",
            )
    except (StackError, ServiceError) as exc:
        print(f"stack: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
