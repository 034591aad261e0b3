"""`make bench`'s results as Markdown: the machine, one column per newsroom size, the issue's
targets met or missed, and the marked section of docs/benchmarks.md they replace.

Results are plain dicts (JSON-able: the harness also saves them), one per size:

    {"articles": 1000, "comments": 0, "load_seconds": 12.3,
     "loads": {"static": {...LoadResult...}, "article-cached": {...}, ...},
     "beacon": {"counted": 9000, "stored": 9000}, "comments_posted": {"accepted": .., "stored": ..},
     "stampede": {"seconds": 5, "renders": 6, "requests": 12000},
     "related_seconds": 42.0, "queries": {"article": 14, ...}, "rss_mb": 150.2,
     "weight": {"html": 40000, "gzip": 9000, "br": 7000}}
"""

from __future__ import annotations

import os
import platform
import re
import subprocess
from pathlib import Path

START = "<!-- make bench start -->"
END = "<!-- make bench end -->"
PAGES = ("article", "home", "section", "author", "search")

# The targets of issue 17 (which raised issue 7's), at the largest size measured.
CACHED_SHARE = 0.95
# Issue 20: readers from newsletters and social links (a tracking parameter each) are served
# from the page cache nearly as fast as readers of the bare URL.
TRACKING_SHARE = 0.90
UNCACHED_CPU_MS = 5.0  # every process of the stack, per request
UNCACHED_P50_MS = 6.0  # at one connection
UNCACHED_RPS = 400
HOME_RPS = 150
SECTION_RPS = 300
BEACON_VIEWS_PER_S = 5000
BEACON_CPU_MS = 0.4
COMMENT_CPU_MS = 5.0
RSS_MB = 200
RENDERS_PER_URL_PER_S = 1.0
# "About one render per second": the first miss, then one per 1 s expiry of the microcache;
# 50% over that is still "about one".
RENDERS_SLACK = 1.5


def machine() -> dict:
    """What the figures were measured on."""
    cpu = "unknown"
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        found = re.search(r"^model name\s*:\s*(.+)$", cpuinfo.read_text(), re.M)
        cpu = found[1].strip() if found else cpu
    memory_kb = 0
    meminfo = Path("/proc/meminfo")
    if meminfo.exists():
        found = re.search(r"^MemTotal:\s+(\d+) kB", meminfo.read_text(), re.M)
        memory_kb = int(found[1]) if found else 0
    return {
        "cores": os.cpu_count() or 0,
        "memory_gib": round(memory_kb / 1024**2, 1),
        "cpu": cpu,
        "python": platform.python_version(),
        "load": " ".join(f"{x:.2f}" for x in os.getloadavg()),
    }


def commit(repository: Path) -> str:
    done = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"],  # noqa: S607 - git from PATH
        cwd=repository,
        capture_output=True,
        text=True,
        check=False,
    )
    dirty = subprocess.run(
        ["git", "status", "--porcelain", "--untracked-files=no"],  # noqa: S607
        cwd=repository,
        capture_output=True,
        text=True,
        check=False,
    )
    name = done.stdout.strip() or "unknown"
    return name + (" (with uncommitted changes)" if dirty.stdout.strip() else "")


# --- cells ------------------------------------------------------------------------------------


def thousands(value: float) -> str:
    return f"{value:,.0f}"


def size_label(articles: int) -> str:
    if articles >= 1000 and articles % 1000 == 0:
        return f"{articles // 1000}k"
    return thousands(articles)


def _ms(value: float | None) -> str:
    if value is None:
        return "?"
    return f"{value:.1f} ms" if value >= 1 else f"{value * 1000:.0f} µs"


def p50(load: dict) -> float | None:
    """The median latency of a load (percentile keys are ints, or strings once saved as JSON)."""
    latency = load["latency_ms"]
    return latency.get(50, latency.get("50"))


def load_cell(load: dict | None, *, reference: dict | None = None, share: str = "") -> str:
    """'5,432/s, p50 1.2 ms' (+ share of a reference, or the ``share`` given), or '-' when not
    measured."""
    if not load:
        return "-"
    text = f"{thousands(load['requests_per_second'])}/s, p50 {_ms(p50(load))}"
    if share:
        text += f" ({share})"
    elif reference:
        text += f" ({load['requests_per_second'] / reference['requests_per_second']:.0%})"
    errors = load.get("non_2xx_3xx", 0) + load.get("socket_errors", 0)
    if errors:
        text += f", {thousands(errors)} errors"
    return text


def _median(values: list[float]) -> float:
    ordered = sorted(values)
    middle = len(ordered) // 2
    return ordered[middle] if len(ordered) % 2 else (ordered[middle - 1] + ordered[middle]) / 2


def share_of(result: dict, name: str, reference: str) -> float | None:
    """``name``'s rate as a share of ``reference``'s: the median of the ratios within each
    alternating round where the run has rounds (stack_bench.cache_rounds), else of the two
    loads."""
    rounds = [r for r in result.get("cache_rounds", []) if name in r and reference in r]
    if rounds:
        return _median(
            [r[name]["requests_per_second"] / r[reference]["requests_per_second"] for r in rounds]
        )
    loads = result.get("loads", {})
    if name in loads and reference in loads:
        return loads[name]["requests_per_second"] / loads[reference]["requests_per_second"]
    return None


def nginx_cpu_share(result: dict, name: str, reference: str) -> float | None:
    """The rate ``name`` would have against ``reference`` were nginx alone on its core: the
    median over the rounds of reference's nginx CPU per request over name's."""
    shares = [
        r[reference]["nginx_us_per_request"] / r[name]["nginx_us_per_request"]
        for r in result.get("cache_rounds", [])
        if r.get(name, {}).get("nginx_us_per_request") and r.get(reference)
    ]
    return _median(shares) if shares else None


def share_cell(result: dict, name: str, reference: str) -> str:
    """'94%' or, with rounds, '94%, median of 4 rounds; nginx CPU 96%'."""
    share = share_of(result, name, reference)
    if share is None:
        return ""
    rounds = len(result.get("cache_rounds", []))
    if not rounds:
        return f"{share:.0%}"
    text = f"{share:.0%}, median of {rounds} rounds"
    cpu = nginx_cpu_share(result, name, reference)
    return text + (f"; nginx CPU {cpu:.0%}" if cpu else "")


def rounds_note(load: dict | None, by: str) -> str:
    """'; median of 5 rounds by CPU' for a load picked among rounds (stack_bench's uncached
    article), else nothing."""
    return f"; median of {load['rounds']} rounds {by}" if load and load.get("rounds") else ""


def cpu_ms(load: dict) -> float | None:
    """CPU milliseconds the stack (app workers, PostgreSQL, Redis, nginx) spent per request."""
    cpu = load.get("cpu_ms_per_request")
    return sum(cpu.values()) if cpu else None


def capacity(load: dict, cores: int) -> float | None:
    """Requests per second ``cores`` idle cores would serve at this CPU cost per request."""
    spent = cpu_ms(load)
    return cores * 1000 / spent if spent else None


def cpu_cell(load: dict | None, cores: int) -> str:
    """'CPU 4.1 ms/req (app 3.2) → ~490/s on 2 cores', or '' without a CPU reading."""
    if not load or not cpu_ms(load):
        return ""
    app = load["cpu_ms_per_request"].get("app", 0.0)
    return (
        f"; CPU {cpu_ms(load):.1f} ms/req (app {app:.1f}) → "
        f"~{thousands(capacity(load, cores))}/s on {cores} cores"
    )


def _kb(size: int) -> str:
    return f"{size / 1024:.1f} KB"


def _stampede_rate(stampede: dict) -> float:
    return stampede["renders"] / stampede["seconds"]


def measurement_rows(results: list[dict]) -> list[list[str]]:
    """One row per measurement, one cell per size."""
    rows: list[list[str]] = []

    def row(name: str, cell) -> None:
        rows.append([name, *(cell(r) for r in results)])

    def loads(r: dict) -> dict:
        return r.get("loads", {})

    row(
        "newsroom: articles / comments (load time)",
        lambda r: (
            f"{thousands(r['articles'])} / {thousands(r['comments'])} ({r['load_seconds']:.0f} s)"
        ),
    )
    row(
        "machine load average (1 min), first / last figure",
        lambda r: " / ".join(f"{x:.1f}" for x in r.get("load_average", [])) or "-",
    )
    row("nginx static file (ceiling), 32 conn.", lambda r: load_cell(loads(r).get("static")))
    row(
        "article, page cache (% of ceiling)",
        lambda r: load_cell(
            loads(r).get("article-cached"), share=share_cell(r, "article-cached", "static")
        ),
    )
    row(
        "article, a tracking parameter each request (% of page cache); app renders",
        lambda r: (
            load_cell(
                loads(r).get("article-tracking"),
                share=share_cell(r, "article-tracking", "article-cached"),
            )
            + (f"; {r['tracking_renders']} renders" if "tracking_renders" in r else "")
        ),
    )
    row(
        "article, uncached, 16 conn.",
        lambda r: (
            load_cell(loads(r).get("article-uncached"))
            + cpu_cell(loads(r).get("article-uncached"), r.get("cores", 2))
            + rounds_note(loads(r).get("article-uncached"), "by CPU")
        ),
    )
    row(
        "article, uncached, 1 conn.",
        lambda r: (
            load_cell(loads(r).get("article-latency"))
            + rounds_note(loads(r).get("article-latency"), "by p50")
        ),
    )
    for page in PAGES[1:]:
        row(
            f"{page}, page cache / uncached",
            lambda r, p=page: (
                f"{load_cell(loads(r).get(f'{p}-cached'))} / "
                f"{load_cell(loads(r).get(f'{p}-uncached'))}"
            ),
        )
    row("view beacon: views/s; answered = stored", _beacon_cell)
    row("comment posts/s; answered 201 = stored", _comment_cell)
    row("stampede: 200 conn. on a cold article", _stampede_cell)
    row(
        "related-articles rebuild, all articles",
        lambda r: f"{r['related_seconds']:.1f} s" if r.get("related_seconds") is not None else "-",
    )
    row(
        "queries: " + " / ".join(PAGES),
        lambda r: " / ".join(str(r.get("queries", {}).get(p, "?")) for p in PAGES),
    )
    row(
        "queries: the first size's article",
        lambda r: str(r.get("queries", {}).get("article-reference", "-")),
    )
    row(
        "app worker RSS, max under load",
        lambda r: f"{r['rss_mb']:.0f} MB" if r.get("rss_mb") else "-",
    )
    row(
        "article weight: HTML / gzip / brotli",
        lambda r: (
            " / ".join(_kb(r["weight"][k]) for k in ("html", "gzip", "br"))
            if r.get("weight")
            else "-"
        ),
    )
    return rows


def beacon_lossless(beacon: dict) -> bool:
    """Every beacon the app servers answered was counted and stored: no view lost, none
    dropped as a repeat (each request comes from another reader)."""
    return (
        beacon["served"] > 0
        and beacon["stored"] == beacon["served"]
        and (beacon["counted"] == beacon["answered"])
    )


def _beacon_cell(r: dict) -> str:
    beacon = r.get("beacon")
    if not beacon:
        return "-"
    load = r["loads"]["beacon"]
    return (
        f"{thousands(load['requests_per_second'])}/s, p50 {_ms(p50(load))}; "
        f"{thousands(beacon['served'])} = {thousands(beacon['stored'])}"
        + ("" if beacon_lossless(beacon) else " LOSS")
        + cpu_cell(load, r.get("cores", 2))
    )


# The stack's processes as the CPU meter groups them (stack_bench.CpuMeter), as they are named.
PROCESS_NAMES = {
    "app": "app",
    "postgres": "PostgreSQL",
    "nginx": "nginx",
    "redis": "Redis",
    "workers": "workers",
}


def cpu_by_process(load: dict) -> str:
    """'app 5.1, PostgreSQL 1.2, nginx 0.3, Redis 0.1, workers 0.0' (ms per request)."""
    cpu = load.get("cpu_ms_per_request") or {}
    return ", ".join(f"{PROCESS_NAMES.get(group, group)} {ms:.1f}" for group, ms in cpu.items())


def _comment_cell(r: dict) -> str:
    posted = r.get("comments_posted")
    if not posted:
        return "-"
    load = r["loads"]["comment"]
    # A post held for a moderator (a repeated text) takes another path than a published one.
    held = posted["stored"] - posted.get("published", posted["stored"])
    cpu = cpu_by_process(load)
    return (
        f"{load['requests_per_second']:,.1f}/s, p50 {_ms(p50(load))}; "
        f"{thousands(posted['served'])} = {thousands(posted['stored'])}"
        + (f" ({thousands(held)} held)" if held > 0 else "")
        + cpu_cell(load, r.get("cores", 2))
        + (f"; by process: {cpu}" if cpu else "")
    )


def _stampede_cell(r: dict) -> str:
    stampede = r.get("stampede")
    if not stampede:
        return "-"
    return (
        f"{stampede['renders']} renders in {stampede['seconds']:g} s "
        f"({_stampede_rate(stampede):.1f}/s) for {thousands(stampede['requests'])} requests"
        + (
            f", p50 {_ms(stampede['p50_ms'])}, p99 {_ms(stampede['p99_ms'])}"
            if stampede.get("p50_ms") is not None
            else ""
        )
    )


# --- targets ----------------------------------------------------------------------------------


def _verdict(ok: bool | None) -> str:
    return "not measured" if ok is None else ("met" if ok else "missed")


def target_rows(results: list[dict]) -> list[list[str]]:
    """[target, measured, met/missed] for the issue's targets, at the largest size measured
    (the cached share, the stampede and the beacon at every size)."""
    largest = max(results, key=lambda r: r["articles"])
    smallest = min(results, key=lambda r: r["articles"])
    at = f"at {size_label(largest['articles'])}"
    big_loads = largest.get("loads", {})
    rows = []

    shares = [
        share for r in results if (share := share_of(r, "article-cached", "static")) is not None
    ]
    rows.append(
        [
            f"cached article ≥ {CACHED_SHARE:.0%} of the nginx static ceiling",
            ", ".join(f"{share:.0%}" for share in shares) or "-",
            _verdict(min(shares) >= CACHED_SHARE if shares else None),
        ]
    )

    throughput = big_loads.get("article-uncached")
    spent = cpu_ms(throughput) if throughput else None
    rows.append(
        [
            f"uncached article ≤ {UNCACHED_CPU_MS:g} ms of CPU per request, all processes",
            f"{_ms(spent)} {at}" if spent else "-",
            _verdict(None if spent is None else spent <= UNCACHED_CPU_MS),
        ]
    )
    rows.append(_rate_row("uncached article", throughput, UNCACHED_RPS, at))
    latency = big_loads.get("article-latency")
    median = p50(latency) if latency else None
    rows.append(
        [
            f"uncached article p50 < {UNCACHED_P50_MS:g} ms at one connection",
            f"{_ms(median)} {at}",
            _verdict(None if median is None else median < UNCACHED_P50_MS),
        ]
    )
    rows.append(_rate_row("home, uncached", big_loads.get("home-uncached"), HOME_RPS, at))
    rows.append(_rate_row("section, uncached", big_loads.get("section-uncached"), SECTION_RPS, at))

    comment = big_loads.get("comment")
    comment_cpu = cpu_ms(comment) if comment else None
    rows.append(
        [
            f"comment post ≤ {COMMENT_CPU_MS:g} ms of CPU, all processes",
            f"{_ms(comment_cpu)} {at}" if comment_cpu else "-",
            _verdict(None if comment_cpu is None else comment_cpu <= COMMENT_CPU_MS),
        ]
    )

    beacons = [(r["loads"]["beacon"], r["beacon"]) for r in results if r.get("beacon")]
    slowest = min((load["requests_per_second"] for load, _ in beacons), default=None)
    dearest = max((cpu_ms(load) or 0.0 for load, _ in beacons), default=None) or None
    lossless = all(beacon_lossless(b) for _, b in beacons)
    measured = "-"
    if slowest is not None:
        measured = f"slowest {thousands(slowest)}/s, " + (
            "answered = stored in every run" if lossless else "views LOST"
        )
        if dearest:
            measured += f"; CPU {_ms(dearest)} a view at most"
    rows.append(
        [
            f"beacon ≥ {thousands(BEACON_VIEWS_PER_S)} views/s and ≤ {BEACON_CPU_MS:g} ms of "
            "CPU each, zero loss",
            measured,
            _verdict(
                None
                if slowest is None
                else slowest >= BEACON_VIEWS_PER_S
                and lossless
                and dearest is not None
                and dearest <= BEACON_CPU_MS
            ),
        ]
    )

    rss = largest.get("rss_mb")
    rows.append(
        [
            f"app worker RSS < {RSS_MB} MB",
            f"{rss:.0f} MB {at}" if rss else "-",
            _verdict(None if not rss else rss < RSS_MB),
        ]
    )
    rows.append(_query_row(smallest, largest))

    stampedes = [r["stampede"] for r in results if r.get("stampede")]
    worst = max((_stampede_rate(s) for s in stampedes), default=None)
    rows.append(
        [
            "stampede: ≤ about 1 render per URL per second",
            f"worst {worst:.1f}/s" if worst is not None else "-",
            _verdict(None if worst is None else worst <= RENDERS_PER_URL_PER_S * RENDERS_SLACK),
        ]
    )
    if largest["articles"] < 100_000:
        for r in rows:
            if r[2] != "not measured" and (r[1].endswith(at) or r[0].startswith("query counts")):
                r[2] += f" ({size_label(largest['articles'])}; 100k not measured)"

    tracking = [
        share
        for r in results
        if (share := share_of(r, "article-tracking", "article-cached")) is not None
    ]
    rows.append(
        [
            "article with a random tracking parameter ≥ 90% of the cached article (issue 20)",
            ", ".join(f"{share:.0%}" for share in tracking) or "-",
            _verdict(min(tracking) >= TRACKING_SHARE if tracking else None),
        ]
    )
    return rows


def _rate_row(name: str, load: dict | None, target: float, at: str) -> list[str]:
    """A requests/s target, measured with wrk on the stack's own cores; what two idle cores
    would serve at the measured CPU cost is shown beside it, not judged."""
    if not load:
        return [f"{name} ≥ {thousands(target)}/s on 2 cores", "-", _verdict(None)]
    rps = load["requests_per_second"]
    estimate = capacity(load, 2)
    measured = f"{thousands(rps)}/s {at}"
    if estimate:
        measured = f"{thousands(rps)}/s (CPU cost: ~{thousands(estimate)}/s on 2 idle cores) {at}"
    return [f"{name} ≥ {thousands(target)}/s on 2 cores", measured, _verdict(rps >= target)]


def _query_row(smallest: dict, largest: dict) -> list[str]:
    """Every page's query count the same at the largest size as at the smallest; the
    article compared on the same article when both sizes counted it."""
    same = all("article-reference" in r.get("queries", {}) for r in (smallest, largest))
    keys = ["article-reference" if same else "article", *PAGES[1:]]
    pairs = [
        (smallest.get("queries", {}).get(key), largest.get("queries", {}).get(key)) for key in keys
    ]
    known = [(small, big) for small, big in pairs if small is not None and big is not None]
    measured = " / ".join(f"{small}→{big}" for small, big in known) or "-"
    return [
        "query counts flat from the smallest size to the largest: " + " / ".join(PAGES),
        measured
        + f" ({size_label(smallest['articles'])} → {size_label(largest['articles'])}"
        + ("; the same article)" if same else "; the newest article of each)"),
        _verdict(None if len(known) < len(keys) else all(s == b for s, b in known)),
    ]


# --- Markdown ---------------------------------------------------------------------------------


def markdown_table(header: list[str], rows: list[list[str]]) -> str:
    def line(cells: list[str]) -> str:
        return "| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |"

    return "\n".join([line(header), "|" + "---|" * len(header), *map(line, rows)])


def render(results: list[dict], *, info: dict, command: str) -> str:
    """The section `make bench` writes: how, where, when, the figures and the targets."""
    results = sorted(results, key=lambda r: r["articles"])
    m = info["machine"]
    lines = [
        f"Command: `{command}`, {info['date']}, commit {info['commit']}.",
        f"Machine: {m['cores']} cores ({m['cpu']}), {m['memory_gib']} GiB RAM, "
        f"Python {m['python']}, {info.get('postgres', 'PostgreSQL ?')}, "
        f"load average {m['load']} at the start, {info.get('load_after', '?')} at the end.",
        f"Load: wrk over loopback, {info['duration']:g} s per figure; {info['setup']}",
        "",
        markdown_table(
            ["measurement", *(size_label(r["articles"]) for r in results)],
            measurement_rows(results),
        ),
        "",
        markdown_table(["target (issues 17, 20)", "measured", "verdict"], target_rows(results)),
    ]
    return "\n".join(lines) + "\n"


def replace_section(document: str, section: str) -> str:
    """The document with the text between the make-bench markers replaced by ``section``;
    markers and section appended at the end when the document has none yet."""
    block = f"{START}\n{section.rstrip()}\n{END}"
    start, end = document.find(START), document.find(END)
    if start == -1 or end == -1 or end < start:
        return document.rstrip("\n") + "\n\n" + block + "\n"
    return document[:start] + block + document[end + len(END) :]
