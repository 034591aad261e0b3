#!/usr/bin/env python3
"""`make bench-peers`: Gazette beside the platforms a newsroom would pick instead (issue 17).

    .venv/bin/python bench/peers.py [--sizes 1000,10000] [--duration 10s] [--only wordpress,...]

Installs what is missing and starts, on loopback only, in a temporary directory:
- WordPress (Debian's package, PHP-FPM, MariaDB, nginx with fastcgi_cache, Twenty Twenty-One),
- Ghost (its npm package, SQLite, the default theme, behind nginx),
- plain Wagtail (a `wagtail start` site with its own article model, gunicorn, nginx),
- Gazette through its own production stack (as `make bench` starts it),
loads each with the reference article (the seed: headline, byline, two credited pictures, the
body, its two comments, the section's latest stories) and the same number of generated posts,
and measures each in turn with wrk at every size: the uncached article (requests/s and CPU per
request over all the platform's processes), its p50 at one connection, the cached article as a
share of nginx serving the same HTML as a static file, the page's HTML+CSS+JS weight and
posting a comment. A platform that cannot be installed or started is reported and skipped.
Writes the table, with Gazette's figures as ratios to each peer's, into the marked section at
the end of docs/benchmarks.md. How each peer is set up: bench/peers/README.md.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import sys
import tempfile
import time
from datetime import datetime, timezone
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urljoin, urlsplit

REPOSITORY = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPOSITORY))

from bench import bench_report  # noqa: E402
from bench.loadtest import LoadError, run_wrk  # noqa: E402
from bench.peer_sites import base, content  # noqa: E402
from bench.peer_sites.gazette import Gazette  # noqa: E402
from bench.peer_sites.ghost import Ghost  # noqa: E402
from bench.peer_sites.wagtail import PlainWagtail  # noqa: E402
from bench.peer_sites.wordpress import WordPress  # noqa: E402
from bench.stack_bench import CACHED_CONNECTIONS, UNCACHED_CONNECTIONS, Ceiling, fetch  # noqa: E402

DOCS = REPOSITORY / "docs" / "benchmarks.md"
START = "<!-- make bench-peers start -->"
END = "<!-- make bench-peers end -->"
PLATFORMS = {"gazette": Gazette, "wordpress": WordPress, "ghost": Ghost, "wagtail": PlainWagtail}
COMMENT_CONNECTIONS = 8
log = base.log


# --- measuring one platform ---------------------------------------------------------------------


class _Assets(HTMLParser):
    """The stylesheets and scripts a page links (what a browser fetches to show it)."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "link" and "stylesheet" in (found.get("rel") or "").split() and found.get("href"):
            self.urls.append(found["href"])
        elif tag == "script" and found.get("src"):
            self.urls.append(found["src"])


def page_weight(url: str) -> dict:
    """HTML plus the CSS and JavaScript it links, as sent (gzip asked for) and uncompressed;
    assets on other hosts are only counted (nothing leaves the machine)."""
    html, _ = fetch(url, base.BYPASS)
    parser = _Assets()
    parser.feed(html.decode(errors="replace"))
    origin = urlsplit(url).netloc
    weight = {
        "html": len(html),
        "html_gzip": 0,
        "assets": 0,
        "assets_gzip": 0,
        "files": 0,
        "elsewhere": [],
    }
    sent, headers = fetch(url, base.BYPASS | {"Accept-Encoding": "gzip"})
    weight["html_gzip"] = len(sent) if headers.get("Content-Encoding") == "gzip" else len(html)
    for link in dict.fromkeys(parser.urls):
        asset = urljoin(url, link)
        if urlsplit(asset).netloc != origin:
            weight["elsewhere"].append(asset)
            continue
        body, _ = fetch(asset)
        sent, headers = fetch(asset, {"Accept-Encoding": "gzip"})
        weight["assets"] += len(body)
        weight["assets_gzip"] += (
            len(sent) if headers.get("Content-Encoding") == "gzip" else len(body)
        )
        weight["files"] += 1
    return weight


def load(
    name: str,
    url: str,
    connections: int,
    platform: base.Platform | None = None,
    duration: float = 10,
    **options,
) -> dict:
    """One wrk run; with a platform, the CPU its processes spent per request."""
    before = base.cpu_snapshot(platform.pids()) if platform else {}
    result = vars(run_wrk(url, duration=duration, connections=connections, **options))
    if platform:
        spent = base.cpu_spent(before, base.cpu_snapshot(platform.pids()))
        result["cpu_ms_per_request"] = spent * 1000 / max(result["requests"], 1)
    log(
        f"  {name}: {bench_report.load_cell(result)}"
        + (f", {result['cpu_ms_per_request']:.1f} ms CPU" if platform else "")
    )
    return result


def settle(platform: base.Platform, *, window: float = 3.0, limit: float = 240.0) -> float:
    """Wait until the platform's processes are at rest (under 5% of a core over a window:
    after a bulk load, a restart or the previous platform's load, work may still be going on
    in the background); the share of a core they used in the last window."""
    deadline = time.monotonic() + limit
    while True:
        before = base.cpu_snapshot(platform.pids())
        time.sleep(window)
        share = base.cpu_spent(before, base.cpu_snapshot(platform.pids())) / window
        if share < 0.05 or time.monotonic() > deadline:
            return share


def measure(platform: base.Platform, ceiling: Ceiling, duration: float) -> dict:
    url = platform.article_url
    started = time.monotonic()
    at_rest = settle(platform)
    log(f"  at rest after {time.monotonic() - started:.0f} s: {at_rest:.0%} of a core")
    for _ in range(3):  # warm: caches, OPcache, renditions, the database's buffers
        fetch(url, base.BYPASS)
        fetch(url)
    html, _ = fetch(url, base.BYPASS)
    result: dict = {"url": url, "load_average": [os.getloadavg()[0]], "at_rest": at_rest}
    static_url = ceiling.serve(f"{platform.name}.html", html)
    result["static"] = load("static ceiling", static_url, CACHED_CONNECTIONS, duration=duration)
    if platform.has_cache:
        _, headers = fetch(url)
        result["cache_status"] = headers.get("X-Cache-Status", "?")
        result["cached"] = load("cached", url, CACHED_CONNECTIONS, duration=duration)
    result["uncached"] = load(
        "uncached", url, UNCACHED_CONNECTIONS, platform, duration, headers=base.BYPASS
    )
    result["latency"] = load(
        "one connection", url, 1, platform, duration, threads=1, headers=base.BYPASS
    )
    result["weight"] = page_weight(url)
    if platform.comments:
        script, args = platform.comment_load()
        stored = platform.comments_stored()
        result["comment"] = load(
            "comment posts",
            url,
            COMMENT_CONNECTIONS,
            platform,
            duration,
            script=script,
            script_args=args,
        )
        time.sleep(1)
        result["comment"]["stored"] = platform.comments_stored() - stored
    result["load_average"].append(os.getloadavg()[0])
    return result


# --- the table ----------------------------------------------------------------------------------


def _kb(value: float) -> str:
    return f"{value / 1024:,.0f} KB" if value >= 10 * 1024 else f"{value / 1024:,.1f} KB"


def _ratio(ours: float | None, theirs: float | None) -> str:
    if not ours or not theirs:
        return ""
    return f" (×{ours / theirs:.2f})"


def figures(result: dict) -> dict[str, float | None]:
    """The compared figures of one platform at one size (None: not measured there)."""
    uncached, latency = result["uncached"], result["latency"]
    cached = result.get("cached")
    comment = result.get("comment")
    weight = result["weight"]
    return {
        "rps": uncached["requests_per_second"],
        "cpu": uncached["cpu_ms_per_request"],
        "p50": bench_report.p50(latency),
        "share": cached["requests_per_second"] / result["static"]["requests_per_second"]
        if cached
        else None,
        "weight": weight["html_gzip"] + weight["assets_gzip"],
        "comment_rps": comment["requests_per_second"] if comment else None,
        "comment_cpu": comment["cpu_ms_per_request"] if comment else None,
    }


ROWS = [
    (
        "rps",
        "uncached article, requests/s (16 connections; higher is better)",
        lambda v: f"{v:,.0f}/s",
    ),
    ("cpu", "CPU per uncached article, all processes (lower is better)", lambda v: f"{v:.1f} ms"),
    ("p50", "uncached article, p50 at one connection (lower is better)", lambda v: f"{v:.1f} ms"),
    (
        "share",
        "cached article, share of nginx's static ceiling (higher is better)",
        lambda v: f"{v:.0%}",
    ),
    ("weight", "HTML+CSS+JS sent, gzip (lower is better)", _kb),
    ("comment_rps", "comment posts/s (8 connections; higher is better)", lambda v: f"{v:,.0f}/s"),
    (
        "comment_cpu",
        "CPU per comment post, all processes (lower is better)",
        lambda v: f"{v:.1f} ms",
    ),
]


def table(size: int, results: dict[str, dict], labels: dict[str, str]) -> str:
    names = list(results)
    values = {name: figures(results[name]) for name in names}
    ours = values.get("gazette")
    lines = [
        "| "
        + " | ".join([f"{bench_report.size_label(size)} posts", *(labels[n] for n in names)])
        + " |",
        "|---" * (len(names) + 1) + "|",
    ]
    for key, label, show in ROWS:
        cells = [label]
        for name in names:
            value = values[name][key]
            if value is None:
                cells.append(
                    "no page cache"
                    if key == "share"
                    else "no comments"
                    if key.startswith("comment")
                    else "-"
                )
                continue
            cell = show(value)
            if ours and name != "gazette":
                cell += _ratio(ours[key], value)
            cells.append(cell)
        lines.append("| " + " | ".join(cells) + " |")
    details = []
    for name in names:
        result = results[name]
        weight = result["weight"]
        errors = sum(
            result[k].get("non_2xx_3xx", 0) + result[k].get("socket_errors", 0)
            for k in ("uncached", "latency", "cached")
            if k in result
        )
        note = (
            f"{labels[name]}: static ceiling {result['static']['requests_per_second']:,.0f}/s; "
            f"page {_kb(weight['html'])} HTML + {weight['files']} CSS/JS files "
            f"{_kb(weight['assets'])} uncompressed"
        )
        if weight["elsewhere"]:
            note += f"; {len(weight['elsewhere'])} CSS/JS files on other hosts not counted"
        if "comment" in result:
            comment = result["comment"]
            note += (
                f"; comments: {comment['counts'].get('accepted', 0):,} taken, "
                f"{comment['stored']:,} stored"
            )
        if errors:
            note += f"; {errors:,} errors or failed requests in the page loads"
        if "at_rest" in result:
            note += f"; at rest before: {result['at_rest']:.0%} of a core"
        note += f"; load average {result['load_average'][0]:.1f} → {result['load_average'][1]:.1f}"
        details.append(f"- {note}.")
    return "\n".join(lines) + "\n\n" + "\n".join(details)


def render(report: dict) -> str:
    info = report["info"]
    machine = info["machine"]
    out = [
        "## Gazette and its peers (`make bench-peers`)",
        "",
        f"Command: `{info['command']}`. Machine: {machine['cores']} cores ({machine['cpu']}), "
        f"{machine['memory_gib']} GiB, Python {machine['python']}; {info['date']}, Gazette "
        f"{info['commit']}. Load average {machine['load']} before the run and "
        f"{info['load_after']} after: other engineers' suites shared the 2 cores, so compare "
        f"figures of this run with each other only. Each figure: wrk for {info['duration']:g} s "
        "over loopback, on the same cores as the servers; the platforms measured one after "
        "the other, all of them loaded with the same posts at each size, each once its "
        "processes were at rest (under 5% of a core for 3 s; the level reached is given "
        "below each table).",
        "",
        "In each peer's column its figure and, in brackets, **Gazette's figure divided by the "
        "peer's** (×2.00 on requests/s: Gazette serves twice as many; ×0.50 on CPU: Gazette "
        "spends half). CPU per request is utime+stime of every process of the platform (nginx, "
        "the application servers, the database, Gazette's Redis and task workers) over the "
        "load, divided by the requests served; uncached = an Authorization header, which no "
        "page cache serves or stores. The static ceiling is a second nginx serving the same "
        "article HTML as a file.",
        "",
    ]
    for size, results in report["sizes"].items():
        out += [table(int(size), results, report["labels"]), ""]
    if report["unavailable"]:
        out.append("Not measured:")
        out += [f"- {label}: {reason}" for label, reason in report["unavailable"].items()]
        out.append("")
    out.append("Setup (bench/peers/README.md has the configuration files and how to rerun):")
    for label, setup in report["setup"].items():
        out.append(f"- {label}: " + "; ".join(f"{k} {v}" for k, v in setup.items()) + ".")
    return "\n".join(out).rstrip() + "\n"


def replace_section(document: str, section: str) -> str:
    block = f"{START}\n{section.rstrip()}\n{END}"
    start, end = document.find(START), document.find(END)
    if start == -1 or end == -1 or end < start:
        return document.rstrip("\n") + "\n\n" + block + "\n"
    return document[:start] + block + document[end + len(END) :]


# --- CLI ------------------------------------------------------------------------------------------


def seconds(text: str) -> float:
    return float(text.removesuffix("s"))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="1000,10000", help="generated posts, comma-separated")
    parser.add_argument("--duration", type=seconds, default=10.0, help="per figure, e.g. 10s")
    parser.add_argument("--only", default=",".join(PLATFORMS), help="platforms, comma-separated")
    parser.add_argument("--keep", action="store_true", help="leave everything running")
    parser.add_argument("--no-docs", dest="docs", action="store_false", help="only print")
    args = parser.parse_args(argv)
    sizes = sorted(int(s) for s in args.sizes.split(","))
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(128 + signum))
    signal.signal(signal.SIGINT, signal.default_int_handler)

    root = Path(tempfile.mkdtemp(prefix="gazette-peers-"))
    root.chmod(0o755)
    platforms = [PLATFORMS[name](root / name) for name in args.only.split(",")]
    command = "make bench-peers" + (
        f" PEERS_ARGS='{' '.join(argv or sys.argv[1:])}'" if (argv or sys.argv[1:]) else ""
    )
    report: dict = {
        "info": {
            "date": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
            "commit": bench_report.commit(REPOSITORY),
            "machine": bench_report.machine(),
            "duration": args.duration,
            "command": command,
        },
        "labels": {p.name: p.label for p in platforms},
        "unavailable": {},
        "setup": {},
        "sizes": {},
    }
    running: list[base.Platform] = []
    ceiling = Ceiling(root / "ceiling")

    def give_up(platform: base.Platform, stage: str, exc: Exception) -> None:
        reason = f"could not {stage}: {str(exc).strip()[:1500]}"
        log(f"{platform.label} {reason}")
        report["unavailable"][platform.label] = reason.splitlines()[0][:300]
        try:
            platform.stop()
        except Exception as stop_error:
            log(f"{platform.label}: stopping: {stop_error}")
        if platform in running:
            running.remove(platform)

    try:
        log(f"working in {root}")
        ceiling.start()
        for platform in platforms:
            log(f"{platform.label}: install and start")
            try:
                platform.install()
                platform.start()
                running.append(platform)
                report["setup"][platform.label] = platform.setup
            except (base.Unavailable, OSError) as exc:
                give_up(platform, "be installed or started", exc)
        now = content.utc_now()
        reference = content.reference(now)
        loaded = 0
        for size in sizes:
            posts = content.write_jsonl(
                content.generated(loaded, size, now=now), root / f"posts-{size}.jsonl"
            )
            for platform in list(running):
                log(f"{platform.label}: loading {size - loaded:,} posts (to {size:,})")
                started = time.monotonic()
                try:
                    platform.load(posts, size - loaded, reference)
                except (base.Unavailable, OSError) as exc:
                    give_up(platform, "be loaded", exc)
                    continue
                log(f"  {time.monotonic() - started:.0f} s; article {platform.article_url}")
            loaded = size
            results = report["sizes"].setdefault(str(size), {})
            for platform in list(running):
                log(f"{platform.label} at {size:,} posts")
                try:
                    results[platform.name] = measure(platform, ceiling, args.duration)
                except (LoadError, OSError) as exc:
                    give_up(platform, f"be measured at {size:,} posts", exc)
            (root / "results.json").write_text(json.dumps(report, indent=1))
    finally:
        report["info"]["load_after"] = " ".join(f"{x:.2f}" for x in os.getloadavg())
        ceiling.stop()
        if not args.keep:
            for platform in running:
                platform.stop()
        if any(report["sizes"].values()):
            section = render(report)
            print(section)
            if args.docs:
                DOCS.write_text(replace_section(DOCS.read_text(), section))
                log(f"written to {DOCS}")
        saved = Path(tempfile.gettempdir()) / "gazette-peers-last.json"
        saved.write_text(json.dumps(report, indent=1))
        if args.keep:
            log(f"left running in {root}")
        else:
            shutil.rmtree(root, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
