"""The pure parts of `make bench` (bench/stack_bench.py): reading wrk's report, the table and
the targets' verdicts, the docs section it rewrites; and its static ceiling (one nginx). No
load, no stack."""

from __future__ import annotations

import copy
import json
import re
import shutil
import time
import urllib.request

import pytest

from bench import bench_report, loadtest, stack_bench
from bench.stack_bench import Ceiling

WRK_REPORT = """\
Running 10s test @ http://127.0.0.1:8080/world/story/
  2 threads and 32 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency     3.21ms    1.10ms  41.02ms   90.12%
    Req/Sec     5.01k   312.45     5.80k    71.00%
  Latency Distribution
     50%  812.00us
     75%    3.40ms
     90%    4.90ms
     99%    1.20s
  99871 requests in 10.01s, 2.03GB read
  Socket errors: connect 0, read 2, write 0, timeout 3
  Non-2xx or 3xx responses: 7
Requests/sec:   9977.12
Transfer/sec:    207.66MB
bench counted=99000
bench answered=99100
"""


def test_wrk_report_is_read_with_units_errors_and_script_counts():
    result = loadtest.parse_wrk(WRK_REPORT)
    assert result.requests == 99871
    assert result.seconds == pytest.approx(10.01)
    assert result.requests_per_second == pytest.approx(9977.12)
    assert result.latency_ms == {50: 0.812, 75: 3.4, 90: 4.9, 99: 1200.0}
    assert result.p50 == 0.812
    assert result.non_2xx_3xx == 7
    assert result.socket_errors == 5
    assert result.ok_requests == 99864
    assert result.counts == {"counted": 99000, "answered": 99100}


def test_a_clean_run_has_no_errors_and_a_report_without_totals_is_refused():
    clean = "\n".join(
        line for line in WRK_REPORT.splitlines() if "errors" not in line and "Non-2xx" not in line
    )
    result = loadtest.parse_wrk(clean)
    assert (result.non_2xx_3xx, result.socket_errors, result.requests) == (0, 0, 99871)
    with pytest.raises(loadtest.LoadError):
        loadtest.parse_wrk("unable to connect to 127.0.0.1:1 Connection refused")


@pytest.mark.parametrize(
    ("text", "ms"), [("812.00us", 0.812), ("1.5ms", 1.5), ("2.00s", 2000), ("1.00m", 60000)]
)
def test_wrk_durations_in_milliseconds(text, ms):
    assert loadtest.milliseconds(text) == pytest.approx(ms)


def test_wrk_command_carries_headers_script_and_its_arguments(monkeypatch):
    monkeypatch.setattr(loadtest.shutil, "which", lambda name: "/usr/bin/wrk")
    command = loadtest.wrk_command(
        "http://127.0.0.1:1/",
        duration=5,
        connections=1,
        threads=2,
        headers={"Authorization": "Bench x"},
        script="beacon.lua",
        script_args=["1,2,3"],
    )
    assert command[:5] == [
        "/usr/bin/wrk",
        "--threads=1",
        "--connections=1",
        "--duration=5s",
        "--timeout=10s",
    ]
    assert command[6:8] == ["--header", "Authorization: Bench x"]
    assert command[-3:] == ["http://127.0.0.1:1/", "--", "1,2,3"]
    assert command[command.index("--script") + 1].endswith("bench/lua/beacon.lua")


def _load(rps: float, p50: float = 1.0, cpu_ms: float | None = None) -> dict:
    load = {
        "requests": int(rps * 10),
        "seconds": 10.0,
        "requests_per_second": rps,
        "latency_ms": {"50": p50, "99": p50 * 4},  # as read back from results.json
        "non_2xx_3xx": 0,
        "socket_errors": 0,
        "counts": {},
    }
    if cpu_ms is not None:  # spread over the stack's processes, as stack_bench records it
        load["cpu_ms_per_request"] = {"app": cpu_ms * 0.7, "postgres": cpu_ms * 0.3}
    return load


def _result(articles: int, *, cached: float, uncached: float, p50: float, queries: int) -> dict:
    """A run that meets every target (the figures of the arguments aside)."""
    loads = {"static": _load(10000, 0.5), "article-cached": _load(cached, 0.6)}
    loads["article-tracking"] = _load(cached * 0.95, 0.6)
    loads |= {
        "article-uncached": _load(uncached, 20, cpu_ms=4.5),
        "article-latency": _load(100, p50),
    }
    for page in bench_report.PAGES[1:]:
        loads |= {f"{page}-cached": _load(9000), f"{page}-uncached": _load(350, 30)}
    loads |= {"beacon": _load(6000, cpu_ms=0.3), "comment": _load(80, 50, cpu_ms=4.0)}
    return {
        "articles": articles,
        "comments": articles * 10,
        "load_seconds": 30.0,
        "loads": loads,
        "beacon": {"answered": 60000, "counted": 60000, "served": 60032, "stored": 60032},
        "comments_posted": {"accepted": 800, "served": 808, "stored": 808, "published": 808},
        "stampede": {"seconds": 5.0, "renders": 6, "requests": 50000},
        "tracking_renders": 11,
        "related_seconds": 12.5,
        "queries": {"article": queries, "home": 10, "section": 9, "author": 8, "search": 7},
        "rss_mb": 150.0,
        "weight": {"html": 40960, "gzip": 10240, "br": 8192},
    }


INFO = {
    "date": "2026-11-26 06:00 UTC",
    "commit": "abc1234",
    "machine": {"cores": 2, "memory_gib": 23.5, "cpu": "CPU", "python": "3.11.7", "load": "1"},
    "postgres": "PostgreSQL 15",
    "duration": 10.0,
    "setup": "setup.",
}


def test_table_has_a_column_per_size_and_each_figure_beside_its_reference():
    results = [
        _result(10000, cached=9500, uncached=450, p50=4, queries=12),
        _result(1000, cached=9500, uncached=500, p50=3, queries=12),
    ]
    text = bench_report.render(results, info=INFO, command="make bench")
    assert "| measurement | 1k | 10k |" in text  # sizes in order
    assert "commit abc1234" in text and "2 cores (CPU)" in text and "PostgreSQL 15" in text
    assert "9,500/s, p50 600 µs (95%)" in text  # the cached article as a share of the ceiling
    # A tracking parameter per request, as a share of the cached article, and its renders.
    assert "9,025/s, p50 600 µs (95%); 11 renders" in text
    assert "60,032 = 60,032" in text and "LOSS" not in text
    assert "6 renders in 5 s (1.2/s)" in text
    assert "40.0 KB / 10.0 KB / 8.0 KB" in text


def test_the_comment_cell_splits_cpu_by_process_and_says_how_many_posts_were_held():
    result = _result(10000, cached=9500, uncached=450, p50=4, queries=12)
    result["loads"]["comment"]["cpu_ms_per_request"] = {
        "app": 4.0,
        "postgres": 1.2,
        "nginx": 0.3,
        "redis": 0.1,
        "workers": 2.4,
    }
    result["comments_posted"] |= {"stored": 808, "published": 8}
    text = bench_report.render([result], info=INFO, command="make bench")
    assert "808 = 808 (800 held); CPU 8.0 ms/req (app 4.0)" in text
    assert "by process: app 4.0, PostgreSQL 1.2, nginx 0.3, Redis 0.1, workers 2.4" in text

    result["comments_posted"]["published"] = 808  # every post published: nothing said
    assert "held" not in bench_report.render([result], info=INFO, command="make bench")


def test_targets_met_and_missed():
    good = [
        _result(1000, cached=9600, uncached=500, p50=3, queries=12),
        _result(100000, cached=9500, uncached=450, p50=5.5, queries=12),
    ]
    verdicts = {row[0]: row[2] for row in bench_report.target_rows(good)}
    assert set(verdicts.values()) == {"met"}, verdicts
    assert len(verdicts) == 12  # issue 17's eleven and issue 20's

    bad = copy.deepcopy(good)
    big = bad[1]
    big["loads"]["article-cached"]["requests_per_second"] = 9000  # 90% of the ceiling
    big["loads"]["article-uncached"]["cpu_ms_per_request"]["app"] = 5.0  # 6.35 ms in all
    big["loads"]["article-uncached"]["requests_per_second"] = 300
    big["loads"]["article-latency"]["latency_ms"]["50"] = 6.0
    big["loads"]["home-uncached"]["requests_per_second"] = 140
    big["loads"]["section-uncached"]["requests_per_second"] = 290
    big["loads"]["comment"]["cpu_ms_per_request"]["postgres"] = 2.5  # 5.3 ms in all
    big["beacon"]["stored"] = 60000  # 32 answered views never stored
    big["rss_mb"] = 250.0
    big["queries"]["section"] = 10  # one more at 100k than at 1k
    big["stampede"]["renders"] = 40
    big["loads"]["article-tracking"]["requests_per_second"] = 400  # every request a render
    verdicts = {row[0]: row[2] for row in bench_report.target_rows(bad)}
    assert set(verdicts.values()) == {"missed"}, verdicts


def test_the_beacon_target_is_missed_by_its_cpu_alone():
    results = [_result(100000, cached=9500, uncached=450, p50=3, queries=12)]
    results[0]["loads"]["beacon"]["cpu_ms_per_request"] = {"app": 0.3, "nginx": 0.2}
    verdicts = {row[0]: row for row in bench_report.target_rows(results)}
    beacon = next(row for name, row in verdicts.items() if name.startswith("beacon"))
    assert beacon[2] == "missed" and "CPU 500 µs a view at most" in beacon[1]


def test_targets_say_when_100k_was_not_measured():
    rows = bench_report.target_rows([_result(10000, cached=9500, uncached=500, p50=3, queries=9)])
    verdicts = {row[0]: row[2] for row in rows}
    latency = "uncached article p50 < 6 ms at one connection"
    assert verdicts[latency] == "met (10k; 100k not measured)"
    assert verdicts[QUERIES] == "met (10k; 100k not measured)"


def test_docs_section_is_added_once_then_replaced_in_place():
    document = "# Benchmarks\n\nIntro.\n\n## Search\n\nFigures.\n"
    first = bench_report.replace_section(document, "Run one.")
    assert first.startswith(document.rstrip("\n"))
    assert first.count(bench_report.START) == 1 and "Run one." in first

    edited = first.replace("## Search", "## Search (edited by hand)") + "\n## After\n"
    second = bench_report.replace_section(edited, "Run two.\n")
    assert "Run one." not in second and "Run two." in second
    assert "## Search (edited by hand)" in second and second.endswith("## After\n")
    assert second.count(bench_report.START) == second.count(bench_report.END) == 1


QUERIES = "query counts flat from the smallest size to the largest: " + " / ".join(
    bench_report.PAGES
)


def test_query_target_compares_the_same_article_when_both_sizes_measured_it():
    small = _result(1000, cached=9500, uncached=500, p50=3, queries=24)
    big = _result(100000, cached=9500, uncached=500, p50=3, queries=26)  # another article
    verdicts = {row[0]: row for row in bench_report.target_rows([small, big])}
    assert verdicts[QUERIES][2] == "missed"
    small["queries"]["article-reference"] = 24
    big["queries"]["article-reference"] = 24
    verdicts = {row[0]: row for row in bench_report.target_rows([small, big])}
    assert verdicts[QUERIES][1:] == [
        "24→24 / 10→10 / 9→9 / 8→8 / 7→7 (1k → 100k; the same article)",
        "met",
    ]


def _round(static: float, cached: float, tracking: float) -> dict:
    """One alternating round of stack_bench.cache_rounds, nginx's CPU per request with each."""
    loads = {"static": _load(static, 0.5), "article-cached": _load(cached, 0.6)}
    loads["article-tracking"] = _load(tracking, 0.6)
    for load in loads.values():
        load["nginx_us_per_request"] = 1e6 / load["requests_per_second"]
    return loads


def test_shares_are_the_median_of_ratios_taken_within_each_round():
    result = _result(100000, cached=9500, uncached=450, p50=5, queries=12)
    # The third round's cached run met a neighbour's burst; each round's own ratio is kept,
    # so one disturbed round moves neither the median nor the verdict.
    result["cache_rounds"] = [
        _round(10000, 9600, 9400),
        _round(12000, 11500, 11000),
        _round(10000, 4000, 3900),
        _round(9000, 8600, 8500),
    ]
    assert bench_report.share_of(result, "article-cached", "static") == pytest.approx(
        (8600 / 9000 + 11500 / 12000) / 2  # the middle two of 0.40, 0.956, 0.958, 0.96
    )
    assert bench_report.nginx_cpu_share(result, "article-cached", "static") == pytest.approx(
        bench_report.share_of(result, "article-cached", "static")
    )
    verdicts = {row[0]: (row[1], row[2]) for row in bench_report.target_rows([result])}
    cached = verdicts["cached article ≥ 95% of the nginx static ceiling"]
    assert cached == ("96%", "met"), cached
    text = bench_report.render([result], info=INFO, command="make bench")
    assert "(96%, median of 4 rounds; nginx CPU 96%)" in text

    # The same disturbed round in most rounds is what the figure says.
    result["cache_rounds"][1] = _round(12000, 5000, 4900)
    result["cache_rounds"][3] = _round(9000, 4000, 3900)
    assert bench_report.target_rows([result])[0][2] == "missed"


def test_each_round_runs_every_load_twice_mirrored_and_turns_the_first():
    """A load growing or fading through a round weighs on each figure of it alike."""
    orders = [stack_bench.round_order(number) for number in range(stack_bench.CACHE_ROUNDS)]
    for order in orders:
        assert order == order[::-1]
        assert sorted(order) == sorted(stack_bench.CACHE_ROUND_LOADS * 2)
    assert {order[0] for order in orders} == set(stack_bench.CACHE_ROUND_LOADS)
    # An odd number of rounds: the median is one round's ratio; about six figures' time.
    assert stack_bench.CACHE_ROUNDS % 2 == 1
    assert stack_bench.run_seconds(10) * 6 * stack_bench.CACHE_ROUNDS == 60
    assert stack_bench.run_seconds(1) == 2  # wrk counts whole seconds


def test_a_rounds_two_runs_of_a_load_count_as_one():
    runs = [
        {"requests": 3000, "seconds": 2.0, "latency_ms": {50: 1.0, 99: 3.0}, "nginx_seconds": 0.06},
        {"requests": 1000, "seconds": 2.0, "latency_ms": {50: 2.0, 99: 5.0}, "nginx_seconds": 0.02},
    ]
    load = stack_bench.combined(runs)
    assert load["requests_per_second"] == 1000
    assert load["nginx_us_per_request"] == pytest.approx(20)
    assert load["latency_ms"] == {50: 1.5, 99: 4.0}
    assert bench_report.load_cell(load) == "1,000/s, p50 1.5 ms"


def test_the_uncached_article_is_the_median_of_alternating_rounds():
    """One slow round of the host (or one fast) does not make the figure: the round with the
    median CPU per request at 16 connections, the round with the median p50 at one."""
    cpu = iter([4.0, 9.0, 3.0, 5.0, 4.5])
    p50 = iter([6.0, 4.0, 9.0, 5.0, 4.2])
    ran = []

    def run(name):
        ran.append(name)
        if name == "article-uncached":
            return {
                "requests": 100,
                "latency_ms": {50: 30.0},
                "cpu_ms_per_request": {"app": next(cpu)},
            }
        return {"requests": 100, "latency_ms": {50: next(p50)}, "cpu_ms_per_request": {"app": 4.0}}

    rounds = stack_bench.uncached_rounds(run)
    assert len(rounds) == stack_bench.UNCACHED_ROUNDS and len(ran) == 2 * len(rounds)
    assert {ran[0], ran[2]} == set(stack_bench.UNCACHED_ROUND_LOADS)  # the first load turns
    chosen = stack_bench.median_uncached(rounds)
    assert bench_report.cpu_ms(chosen["article-uncached"]) == 4.5
    assert bench_report.p50(chosen["article-latency"]) == 5.0
    assert chosen["article-uncached"]["rounds"] == 5
    cell = bench_report.rounds_note(chosen["article-latency"], "by p50")
    assert cell == "; median of 5 rounds by p50"
    assert bench_report.rounds_note({"requests": 1}, "by CPU") == ""


@pytest.mark.skipif(shutil.which("nginx") is None, reason="no nginx")
def test_the_ceiling_logs_and_names_each_answer_as_the_stack_does(tmp_path):
    """The static ceiling pays what every answer of the stack pays (a JSON log line, an
    X-Request-ID), so that the cached share counts only the page cache. It starts an nginx."""
    ceiling = Ceiling(tmp_path)
    ceiling.start()
    try:
        url = ceiling.serve("article.html", b"<p>article</p>")
        with urllib.request.urlopen(url, timeout=10) as response:  # noqa: S310 - loopback
            request_id = response.headers["X-Request-ID"]
        assert re.fullmatch(r"[0-9a-f]{32}", request_id)
        time.sleep(0.2)
        line = json.loads((tmp_path / "access.log").read_text().splitlines()[-1])
        assert line["request_id"] == request_id and line["uri"] == "/article.html"
    finally:
        ceiling.stop()
