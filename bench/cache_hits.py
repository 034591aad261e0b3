#!/usr/bin/env python3
"""Page cache hits against the static ceiling, variant by variant (issue 7: >= 90%), and the
hit of a URL with a tracking parameter against the plain one (issue 20: >= 90%).

    .venv/bin/python bench/cache_hits.py [--rounds 3] [--duration 5] [--variants a,b]

Starts one throwaway production stack (deploy/stack.py, demo content, one process per app
server) and the ceiling of `make bench` (a second nginx serving the article's HTML as a static
file), then, for the current deploy/nginx.conf and each variant of it, rewrites the stack's
rendered nginx.conf (and the ceiling's, for logging variants: both nginxes stay configured
alike), reloads both, checks that the page still carries its headers and that its log line
still appears, and measures with wrk the static file, the cached article and the article with
a tracking parameter of its own per request (bench/lua/tracking.lua, as `make bench`) in
interleaved rounds. Prints the ratios cached / static and tracking / cached per round and
their medians per variant.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

REPOSITORY = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPOSITORY))

from bench.loadtest import run_wrk  # noqa: E402
from bench.stack_bench import Ceiling, _cpu_seconds  # noqa: E402
from deploy import stack  # noqa: E402

CONNECTIONS = 32
WORKERS = ("--workers", "1")
ARTICLE = re.compile(r'href="(/world/18-north-korean-soldiers[^"]*/)"')
# What a cached page must still carry (deploy/nginx.conf and the app's middleware).
REQUIRED_HEADERS = (
    "Content-Security-Policy",
    "X-Content-Type-Options",
    "X-Frame-Options",
    "Referrer-Policy",
    "Cross-Origin-Opener-Policy",
    "X-Request-ID",
    "X-Cache-Status",
)
LOG_FIELDS = ("time", "request_id", "uri", "status", "cache")

BUFFERED = " buffer=64k flush=1s;"
OPEN_FILE_CACHE = "            open_file_cache max=1000 inactive=20s;\n"


@dataclass
class Variant:
    """Text replacements on the rendered stack config, and on the ceiling's (logging only)."""

    name: str
    stack: list[tuple[str, str]] = field(default_factory=list)
    ceiling: list[tuple[str, str]] = field(default_factory=list)
    edit: Callable[[str], str] | None = None  # of the rendered stack config, after the rest

    def apply(self, text: str, replacements: list[tuple[str, str]]) -> str:
        if replacements is self.stack and self.edit:
            return self.edit(self._replaced(text, replacements))
        return self._replaced(text, replacements)

    def _replaced(self, text: str, replacements: list[tuple[str, str]]) -> str:
        for old, new in replacements:
            if new.strip() and new in text:
                continue  # already in the current config
            if old not in text:
                raise SystemExit(f"variant {self.name}: {old!r} is not in the config")
            text = text.replace(old, new, 1)
        return text


def _log_buffered() -> tuple[list, list]:
    stack_edit = ("/nginx-access.log gazette_json;", "/nginx-access.log gazette_json" + BUFFERED)
    ceiling_edit = ("/access.log gazette_json;", "/access.log gazette_json" + BUFFERED)
    return [stack_edit], [ceiling_edit]


# The query-URL hit as it was before branch nginx8 (2026-12-07): a query of tracking
# parameters only worked out its route and the route's parameters, as any query does.
BEFORE_NGINX8 = [
    (
        stack._tracking_only_query(
            stack.tracking_parameters_from_environment(), stack.TEMPLATE.read_text()
        )
        + "\n",
        "",
    )
]
# The hit path as it was before branch cache7 (2026-12-07): every request worked out its
# route for the cache key, the edge-limit class of every path, two regular expressions for
# the path and an upstream header for Retry-After (and nginx8's line was not there).
BEFORE_CACHE7 = [
    *BEFORE_NGINX8,
    (
        """    # One regular expression for both (every request runs it, a cache hit included).
    map $request_uri $gazette_path {
        "~^(?:/_purge(?=/))?(?<gazette_request_path>[^?]*)" $gazette_request_path;
    }
""",
        """    map $request_uri $gazette_path {
        "~^/_purge(?<gazette_purged_path>/[^?]*)" $gazette_purged_path;
        "~^(?<gazette_request_path>[^?]*)"       $gazette_request_path;
    }
""",
    ),
    (
        "    map $gazette_kept_args $gazette_kept_query_string {",
        "    map $gazette_kept_args $gazette_query {",
    ),
    (
        """    map $args $gazette_query {
        ""      "";
        default $gazette_kept_query_string;
    }
""",
        "",
    ),
    (
        """    map $uri $gazette_limit_search {
        default ""; /search/ $binary_remote_addr;
        "~^/[a-z]{2,3}(?:-[a-z0-9]+)?/search/$" $binary_remote_addr;
    }
    map $uri $gazette_limit_api { default ""; "~^/api/(?!search/$)" $binary_remote_addr; }
""",
        "    map $gazette_limit_class $gazette_limit_search "
        '{ search $binary_remote_addr; default ""; }\n'
        "    map $gazette_limit_class $gazette_limit_api "
        '{ api $binary_remote_addr; default ""; }\n',
    ),
    (
        """    map $status $gazette_retry_after {
        default "";
        429     $gazette_retry_after_429;
    }
    map $upstream_http_retry_after $gazette_retry_after_429 {
        ""      $gazette_retry_seconds;
        default "";
    }
""",
        """    map "$status:$upstream_http_retry_after" $gazette_retry_after {
        default "";
        "429:"  $gazette_retry_seconds;
    }
""",
    ),
]
# The server's locations as they were before branch nginx9 (2026-12-07; main at 413275d):
# five regular expression locations at the server level, tested in order on every page,
# cached hits included. (gunicorn's Server, Date and Connection headers, which the branch
# also left out, are the app server's: no variant of nginx's config brings them back;
# bench/hit_instructions.py counts both.)
BEFORE_NGINX9_COMMIT = "413275d"
LOCATIONS_START = (
    "        # No regular expression location at this level",
    "        # Collected static files.",
)
LOCATIONS_END = "        location = /healthz {"


def _locations(template: str) -> str:
    start = min(i for marker in LOCATIONS_START if (i := template.find(marker)) >= 0)
    return template[start : template.index(LOCATIONS_END)]


def before_nginx9(rendered: str) -> str:
    """The rendered config with its locations as of BEFORE_NGINX9_COMMIT: the current
    template's locations matched against the rendered text give each marker's value, which
    fill in the old ones."""
    current = _locations(stack.TEMPLATE.read_text())
    old = _locations(
        subprocess.run(  # noqa: S603
            ["git", "-C", str(REPOSITORY), "show", f"{BEFORE_NGINX9_COMMIT}:deploy/nginx.conf"],  # noqa: S607
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    )
    pieces = re.split(r"@@([A-Z_]+)@@", current)
    seen: set[str] = set()
    pattern = ""
    for index, piece in enumerate(pieces):
        if index % 2 == 0:
            pattern += re.escape(piece)
        elif piece in seen:
            pattern += f"(?P={piece})"
        else:
            seen.add(piece)
            pattern += f"(?P<{piece}>.*?)"
    found = re.search(pattern, rendered, re.S)
    if not found:
        raise SystemExit("variant before-nginx9: the rendered locations do not match the template")
    values = found.groupdict()
    old_rendered = re.sub(r"@@([A-Z_]+)@@", lambda m: values[m[1]], old)
    return rendered.replace(found[0], old_rendered)


# The ceiling as it was before branch cache7: a shorter log line, no request id.
PLAIN_CEILING = [
    ("/access.log gazette_json;", "/access.log combined;"),
    ("        add_header X-Request-ID $gazette_request_id always;\n", ""),
]
# As `make bench` starts the stack: no edge limits (wrk is one client address).
PAGE_LIMITS_OFF = [
    (
        "            limit_req zone=gazette_search burst=20 nodelay;\n"
        "            limit_req zone=gazette_api burst=120 nodelay;\n",
        "",
    )
]


def variants() -> dict[str, Variant]:
    log_stack, log_ceiling = _log_buffered()
    open_files = [
        (
            "            add_header X-Cache-Status",
            OPEN_FILE_CACHE + "            add_header X-Cache-Status",
        )
    ]
    return {
        "current": Variant("current"),
        # The page cache as it was before open_file_cache (2026-11-26).
        "without-open-file-cache": Variant(
            "without-open-file-cache", [(OPEN_FILE_CACHE.splitlines()[-1] + "\n", "")]
        ),
        "open-file-cache": Variant("open-file-cache", open_files),
        "log-buffer": Variant("log-buffer", log_stack, log_ceiling),
        # The page cache as it was before PCRE's JIT (2026-12-07).
        "without-pcre-jit": Variant("without-pcre-jit", [("pcre_jit on;\n", "")]),
        "both": Variant("both", log_stack + open_files, log_ceiling),
        "before-cache7": Variant("before-cache7", BEFORE_CACHE7),
        "plain-ceiling": Variant("plain-ceiling", [], PLAIN_CEILING),
        # What main measured: its hit path against its ceiling.
        "main": Variant("main", BEFORE_CACHE7, PLAIN_CEILING),
        "page-limits-off": Variant("page-limits-off", PAGE_LIMITS_OFF),
        "before-nginx8": Variant("before-nginx8", BEFORE_NGINX8),
        "before-nginx9": Variant("before-nginx9", edit=before_nginx9),
        "before-nginx9-page-limits-off": Variant(
            "before-nginx9-page-limits-off", PAGE_LIMITS_OFF, edit=before_nginx9
        ),
        "before-nginx8-page-limits-off": Variant(
            "before-nginx8-page-limits-off", BEFORE_NGINX8 + PAGE_LIMITS_OFF
        ),
        "main-page-limits-off": Variant(
            "main-page-limits-off", BEFORE_CACHE7 + PAGE_LIMITS_OFF, PLAIN_CEILING
        ),
        # Diagnostic only (drops behaviour): what compression's header filters cost a hit.
        "no-gzip-brotli": Variant(
            "no-gzip-brotli",
            log_stack + open_files + [("gzip on;", "gzip off;"), ("brotli on;", "brotli off;")],
            log_ceiling,
        ),
    }


def log(message: str) -> None:
    print(f"cache-hits [{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def fetch(url: str, headers: dict[str, str] | None = None) -> tuple[bytes, dict[str, str]]:
    request = urllib.request.Request(url, headers=headers or {})  # noqa: S310 - loopback
    with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
        return response.read(), dict(response.headers)


class Nginx:
    """An nginx started with ``-c conf -p prefix``: its config rewritten and reloaded."""

    def __init__(self, conf: Path, prefix: Path) -> None:
        self.conf, self.prefix = conf, prefix
        self.original = conf.read_text()

    def load(self, text: str) -> None:
        if self.conf.read_text() == text:
            return
        self.conf.write_text(text)
        base = [stack.nginx_binary(), "-c", str(self.conf), "-p", str(self.prefix)]
        for args in (["-t", "-q"], ["-s", "reload"]):
            done = subprocess.run([*base, *args], capture_output=True, text=True, check=False)  # noqa: S603
            if done.returncode != 0:
                raise SystemExit(f"nginx {' '.join(args)}: {done.stderr}")
        time.sleep(1.5)  # the old worker finishes, the new one takes the connections

    def master_pid(self) -> int:
        return int((self.prefix / "nginx.pid").read_text())


def tail(path: Path, size: int = 65536) -> str:
    """The end of a log that wrk's runs make hundreds of megabytes long."""
    with open(path, "rb") as file:
        file.seek(max(0, path.stat().st_size - size))
        return file.read().decode(errors="replace")


def check_behaviour(site: str, path: str, access_log: Path) -> str:
    """The cached page keeps its headers, and its log line appears within 5 s: "" or what
    went wrong."""
    try:
        _check_behaviour(site, path, access_log)
    except SystemExit as failed:
        return str(failed)
    return ""


def _check_behaviour(site: str, path: str, access_log: Path) -> None:
    fetch(site + path)
    request_id = f"cachehits-{uuid.uuid4().hex}"
    _, headers = fetch(site + path, {"X-Request-ID": request_id})
    missing = [name for name in REQUIRED_HEADERS if name not in headers]
    if missing or headers["X-Request-ID"] != request_id:
        raise SystemExit(f"the cached page lost headers: {missing or 'X-Request-ID'}")
    if headers["X-Cache-Status"] not in {"HIT", "STALE", "UPDATING", "EXPIRED", "MISS"}:
        raise SystemExit(f"cache status {headers['X-Cache-Status']}")
    # A tracking link is the page's own entry: a hit within the second, no render of its own.
    _, tracked = fetch(f"{site}{path}?utm_source=cachehits-{uuid.uuid4().hex}")
    if tracked["X-Cache-Status"] not in {"HIT", "STALE", "UPDATING", "EXPIRED"}:
        raise SystemExit(f"a tracking link's cache status {tracked['X-Cache-Status']}")
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        for line in tail(access_log).splitlines()[1:]:
            if request_id in line:
                entry = json.loads(line)
                if any(entry.get(name) in (None, "") for name in LOG_FIELDS):
                    raise SystemExit(f"log line lacks fields: {entry}")
                return
        time.sleep(0.1)
    raise SystemExit("no access log line within 5 s")


def worker_cpu(master_pid: int) -> float:
    """CPU seconds of an nginx master's workers (a reload replaces them: read before and after)."""
    children = Path(f"/proc/{master_pid}/task/{master_pid}/children").read_text().split()
    return sum(_cpu_seconds(int(pid)) for pid in children)


@dataclass
class Rate:
    per_second: float
    cpu_us: float  # nginx worker CPU per request: what nginx itself pays, whatever wrk gets


def measure(url: str, duration: float, master_pid: int, **options) -> Rate:
    before = worker_cpu(master_pid)
    result = run_wrk(url, duration=duration, connections=CONNECTIONS, **options)
    spent = worker_cpu(master_pid) - before
    if result.non_2xx_3xx or result.socket_errors:
        raise SystemExit(f"{url}: {result.non_2xx_3xx} non-2xx, {result.socket_errors} errors")
    return Rate(result.requests_per_second, spent * 1e6 / max(result.requests, 1))


def ratio(pair: tuple[Rate, Rate]) -> float:
    return pair[1].per_second / pair[0].per_second


def cpu_ratio(pair: tuple[Rate, Rate]) -> float:
    """The second load's rate as a share of the first's were nginx alone on a core."""
    return pair[0].cpu_us / pair[1].cpu_us


# The loads of a round, in the order of the first round (turned by one each round).
LOADS = ("static", "cached", "tracking")


def print_table(first: str, second: str, pairs_by_variant: dict, failures: dict[str, int]) -> None:
    print(
        f"| variant | {first} /s | {second} /s | {second} / {first}, per round | median "
        f"| nginx CPU per request: {first} / {second} | {first} CPU / {second} CPU, median "
        "| behaviour checks failed |"
    )
    print("|---|---|---|---|---|---|---|---|")
    for name, pairs in pairs_by_variant.items():
        ratios = [ratio(pair) for pair in pairs]
        print(
            f"| {name} | {statistics.median(p[0].per_second for p in pairs):,.0f} "
            f"| {statistics.median(p[1].per_second for p in pairs):,.0f} "
            f"| {', '.join(f'{r:.0%}' for r in ratios)} | **{statistics.median(ratios):.0%}** "
            f"| {statistics.median(p[0].cpu_us for p in pairs):.1f} µs / "
            f"{statistics.median(p[1].cpu_us for p in pairs):.1f} µs "
            f"| {statistics.median(cpu_ratio(p) for p in pairs):.0%} "
            f"| {failures.get(name, 0)} of {len(pairs)} |"
        )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--duration", type=float, default=5.0, help="seconds per wrk run")
    parser.add_argument("--variants", default=",".join(variants()))
    parser.add_argument("--dir", type=Path, help="scratch directory (default: a temporary one)")
    args = parser.parse_args(argv)
    chosen = [variants()[name] for name in args.variants.split(",")]
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(128 + signum))

    root = Path(tempfile.mkdtemp(prefix="gazette-cache-hits-", dir=args.dir))
    root.chmod(0o755)  # PostgreSQL runs as the postgres user when we are root
    stack_dir = root / "stack"
    ceiling = Ceiling(root / "ceiling")
    command = [sys.executable, str(REPOSITORY / "deploy" / "stack.py")]
    results: dict[str, list[dict[str, Rate]]] = {v.name: [] for v in chosen}
    loads = [os.getloadavg()]
    failures: dict[str, int] = {}
    try:
        log(f"stack in {stack_dir}")
        started = subprocess.run(  # noqa: S603
            [*command, "start", "--dir", str(stack_dir), "--port", "0", "--fast", *WORKERS],
            capture_output=True,
            text=True,
            check=False,
        )
        if started.returncode != 0:
            raise SystemExit(f"the stack did not start:\n{started.stdout}{started.stderr}")
        site = stack.Stack.load(stack_dir).url.rstrip("/")
        ceiling.start()
        home, _ = fetch(site + "/")
        path = ARTICLE.search(home.decode())[1]
        html, _ = fetch(site + path, {"Authorization": "Bench uncached"})
        static_url = ceiling.serve("article.html", html)
        stack_nginx = Nginx(*stack._nginx_paths(stack.Stack.load(stack_dir)))
        ceiling_nginx = Nginx(ceiling.root / "nginx.conf", ceiling.root)
        access_log = stack_dir / "log" / "nginx-access.log"
        for number in range(1, args.rounds + 1):
            for variant in chosen:
                stack_nginx.load(variant.apply(stack_nginx.original, variant.stack))
                ceiling_nginx.load(variant.apply(ceiling_nginx.original, variant.ceiling))
                failed = check_behaviour(site, path, access_log)
                if failed:
                    failures[variant.name] = failures.get(variant.name, 0) + 1
                    log(f"round {number} {variant.name}: behaviour check failed: {failed}")
                stack_pid = stack_nginx.master_pid()
                runs = {
                    "static": (static_url, ceiling.pid, {}),
                    "cached": (site + path, stack_pid, {}),
                    "tracking": (
                        site + path,
                        stack_pid,
                        {"script": "tracking.lua", "script_args": [path]},
                    ),
                }
                measure(site + path, 1, stack_pid)  # warm the new worker
                # Turn the order each round, so that no load always follows another.
                turn = (number - 1) % len(LOADS)
                order = LOADS[turn:] + LOADS[:turn]
                rates = {}
                for load in order:
                    url, master, options = runs[load]
                    rates[load] = measure(url, args.duration, master, **options)
                results[variant.name].append(rates)
                log(
                    f"round {number} {variant.name}: "
                    + ", ".join(
                        f"{load} {rates[load].per_second:,.0f}/s ({rates[load].cpu_us:.1f} µs)"
                        for load in LOADS
                    )
                    + f": cached/static {ratio((rates['static'], rates['cached'])):.0%}, "
                    f"tracking/cached {ratio((rates['cached'], rates['tracking'])):.0%}"
                )
        loads.append(os.getloadavg())
    finally:
        ceiling.stop()
        subprocess.run([*command, "stop", "--dir", str(stack_dir)], capture_output=True)  # noqa: S603
        shutil.rmtree(root, ignore_errors=True)

    print(f"load average (1/5/15 min): start {loads[0]}, end {loads[-1]}")
    for first, second in (("static", "cached"), ("cached", "tracking")):
        print()
        print_table(
            first,
            second,
            {
                name: [(rates[first], rates[second]) for rates in rounds]
                for name, rounds in results.items()
            },
            failures,
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
