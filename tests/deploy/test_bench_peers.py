"""The pure parts of `make bench-peers` (bench/peers.py, bench/peer_sites/): the content every
platform gets, the table with Gazette's ratios, the docs section, the configuration templates,
the page-weight parser and the CPU sums. No platform is installed or started here."""

from __future__ import annotations

import copy
import re
from datetime import datetime, timedelta, timezone

import pytest

from bench import peers
from bench.peer_sites import base, content

NOW = datetime(2026, 12, 1, 12, 0, tzinfo=timezone.utc)


def test_reference_article_is_the_seed_with_its_pictures_comments_and_latest_stories():
    reference = content.reference(NOW)
    article = reference.article
    assert article.headline.startswith("18 North Korean Soldiers Flee Russian Forces")
    assert (article.author, article.section) == ("Daniel Kim", "World")
    assert article.lead_credit == "Korean Central News Agency"
    assert article.images == [("GettyimagesKorea", 5)]
    assert len(article.paragraphs) == 6
    assert article.comments == [
        "i guess thats one way to escape the regime, poor people..",
        "North Korea is the world's largest cult.",
    ]
    assert len(reference.latest) == 6
    assert reference.latest[0].headline.startswith("Porsche Taycan GTS")
    # Published just before the article, newest first; posts() lists them oldest first.
    times = [datetime.fromisoformat(p.published) for p in reference.posts()]
    assert times == sorted(times) and times[-1] == NOW
    assert all(p.section == "World" for p in reference.latest)


def test_generated_posts_are_the_same_whatever_batch_makes_them():
    whole = content.generated(0, 30, now=NOW)
    in_two = content.generated(0, 12, now=NOW) + content.generated(12, 30, now=NOW)
    assert whole == in_two
    assert len({p.slug for p in whole}) == 30
    assert {p.section for p in whole} >= {"World", "Politics", "Business"}
    newest = datetime.fromisoformat(whole[0].published)
    assert newest <= NOW - timedelta(hours=1)  # older than the reference's latest stories
    assert all(len(p.paragraphs) >= 6 for p in whole)


def test_posts_are_written_one_json_object_a_line(tmp_path):
    path = content.write_jsonl(content.generated(0, 3, now=NOW), tmp_path / "posts.jsonl")
    lines = path.read_text().splitlines()
    assert len(lines) == 3 and all(line.startswith('{"slug": ') for line in lines)


@pytest.mark.parametrize("template", ["wordpress.conf", "ghost.conf", "wagtail.conf"])
def test_every_nginx_template_marker_is_filled_and_it_listens_on_loopback_only(template, tmp_path):
    text = (base.CONFIGS / "nginx" / template).read_text()
    markers = set(re.findall(r"@@([A-Z_]+)@@", text))
    values = {"USER", "DIR", "PORT", "CONTENT", "CONFIG", "FPM_PORT", "APP_PORT", "STATIC"}
    assert markers <= values | {"MEDIA"}
    listens = re.findall(r"^\s*listen (\S+);", text, re.M)
    assert listens == ["127.0.0.1:@@PORT@@"]


def test_the_other_templates_listen_on_loopback_only():
    php = (base.CONFIGS / "wordpress" / "php-fpm.conf").read_text()
    assert "listen = 127.0.0.1:@@PORT@@" in php
    mariadb = (base.CONFIGS / "wordpress" / "my.cnf").read_text()
    assert "bind-address = 127.0.0.1" in mariadb
    ghost = (base.CONFIGS / "ghost" / "config.production.json").read_text()
    assert '"host": "127.0.0.1", "port": @@APP_PORT@@' in ghost


def test_page_weight_parser_finds_stylesheets_and_scripts_only():
    parser = peers._Assets()
    parser.feed(
        '<link rel="stylesheet" href="/a.css"><link rel="preload" href="/font.woff2">'
        '<link rel="alternate stylesheet" href="/b.css"><script src="/c.js"></script>'
        "<script>inline()</script><link rel='stylesheet' href='https://cdn.example/d.css'>"
    )
    assert parser.urls == ["/a.css", "/b.css", "/c.js", "https://cdn.example/d.css"]


def test_cpu_spent_counts_a_process_new_since_whole_and_a_gone_one_not_at_all():
    before = {10: 1.0, 11: 2.0, 12: 5.0}
    after = {10: 1.5, 11: 2.25, 13: 0.75}  # 12 exited, 13 started
    assert base.cpu_spent(before, after) == pytest.approx(0.5 + 0.25 + 0.75)


def test_process_tree_of_this_process_holds_it():
    import os

    assert os.getpid() in base.process_tree([os.getpid()])
    assert base.cpu_seconds(os.getpid()) > 0


def _load(rps: float, cpu: float | None = None, p50: float = 5.0) -> dict:
    load = {
        "requests": int(rps * 10),
        "seconds": 10.0,
        "requests_per_second": rps,
        "latency_ms": {"50": p50},
        "non_2xx_3xx": 0,
        "socket_errors": 0,
        "counts": {"accepted": 40},
    }
    if cpu is not None:
        load["cpu_ms_per_request"] = cpu
    return load


RESULT = {
    "url": "http://127.0.0.1:1/a/",
    "load_average": [1.0, 1.2],
    "static": _load(20000),
    "cached": _load(18000),
    "uncached": _load(400, cpu=4.0),
    "latency": _load(150, cpu=5.0, p50=6.0),
    "weight": {
        "html": 30000,
        "html_gzip": 8000,
        "assets": 20000,
        "assets_gzip": 6000,
        "files": 2,
        "elsewhere": [],
    },
    "comment": _load(100, cpu=5.0) | {"stored": 1000},
}


def _peer(**changes) -> dict:
    result = copy.deepcopy(RESULT)
    result.update(changes)
    return result


def test_table_gives_gazettes_figures_as_ratios_to_each_peers():
    wordpress = _peer(uncached=_load(100, cpu=16.0), latency=_load(50, cpu=20.0, p50=12.0))
    wagtail = _peer(uncached=_load(200, cpu=8.0))
    del wagtail["cached"], wagtail["comment"]
    wagtail["weight"] = dict(RESULT["weight"], elsewhere=["https://cdn.example/x.js"])
    results = {"gazette": copy.deepcopy(RESULT), "wordpress": wordpress, "wagtail": wagtail}
    labels = {"gazette": "Gazette", "wordpress": "WordPress", "wagtail": "Plain Wagtail"}
    text = peers.table(1000, results, labels)
    rows = {line.split(" | ")[0].lstrip("| "): line for line in text.splitlines()}
    header = text.splitlines()[0]
    assert header == "| 1k posts | Gazette | WordPress | Plain Wagtail |"
    requests = rows["uncached article, requests/s (16 connections; higher is better)"]
    assert "| 400/s | 100/s (×4.00) | 200/s (×2.00) |" in requests
    cpu = rows["CPU per uncached article, all processes (lower is better)"]
    assert "| 4.0 ms | 16.0 ms (×0.25) | 8.0 ms (×0.50) |" in cpu
    p50 = rows["uncached article, p50 at one connection (lower is better)"]
    assert "| 6.0 ms | 12.0 ms (×0.50) | 6.0 ms (×1.00) |" in p50
    share = rows["cached article, share of nginx's static ceiling (higher is better)"]
    assert share.endswith("| 90% | 90% (×1.00) | no page cache |")
    comments = rows["comment posts/s (8 connections; higher is better)"]
    assert comments.endswith("| no comments |")
    assert "1 CSS/JS files on other hosts not counted" in text
    assert "comments: 40 taken, 1,000 stored" in text


def test_docs_section_is_added_once_then_replaced_in_place():
    document = "# Benchmarks\n\nIntro.\n"
    once = peers.replace_section(document, "## Peers\n\nfirst\n")
    assert once.startswith(document.rstrip("\n"))
    assert once.count(peers.START) == 1 and "first" in once
    twice = peers.replace_section(once + "\n## After\n", "## Peers\n\nsecond\n")
    assert "first" not in twice and "second" in twice and twice.endswith("## After\n")
    assert twice.count(peers.START) == 1


def test_render_lists_what_could_not_be_measured_and_each_setup():
    report = {
        "info": {
            "date": "2026-12-01 12:00 UTC",
            "commit": "abc1234",
            "duration": 10.0,
            "command": "make bench-peers",
            "load_after": "1.00 1.00 1.00",
            "machine": {
                "cores": 2,
                "cpu": "x",
                "memory_gib": 24,
                "python": "3.11",
                "load": "0.5 0.5 0.5",
            },
        },
        "labels": {"gazette": "Gazette", "wordpress": "WordPress"},
        "unavailable": {"Ghost": "could not be installed or started: no node"},
        "setup": {"Gazette": {"stack": "deploy/stack.py"}, "WordPress": {"PHP-FPM": "8.2"}},
        "sizes": {"1000": {"gazette": copy.deepcopy(RESULT), "wordpress": _peer()}},
    }
    text = peers.render(report)
    assert text.startswith("## Gazette and its peers (`make bench-peers`)")
    assert "- Ghost: could not be installed or started: no node" in text
    assert "- WordPress: PHP-FPM 8.2." in text
    assert "| 1k posts | Gazette | WordPress |" in text
