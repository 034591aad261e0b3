"""The WXR parser alone: pure, no database. Rules the command tests do not reach, and memory
that stays flat as the export grows (the parser in a process of its own, its peak measured)."""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bench.wxr_export import write_wxr
from gazette.importers.items import FailedItem, ImportItem, SkippedItem, Status
from gazette.importers.sources.wxr import WxrError, parse_wxr, wordpress_body

FIXTURES = Path(__file__).parent / "fixtures"
WXR = FIXTURES / "wxr" / "newsroom.xml"
REPOSITORY = Path(__file__).resolve().parents[2]


def items(source, **kwargs) -> list:
    return list(parse_wxr(source, **kwargs))


def test_posts_without_a_gmt_time_are_in_the_site_s_zone():
    parsed = {e.position: e for e in items(WXR, time_zone=ZoneInfo("Europe/London"))}
    storm = parsed["item 11 (post 111)"]
    # 03:30 in London on 16 October 1987 was British Summer Time: 02:30 UTC.
    assert storm.published == datetime(1987, 10, 16, 2, 30, tzinfo=UTC)
    assert parsed["item 1 (post 101)"].published == datetime(2024, 3, 4, 9, 15, 30, tzinfo=UTC)


def test_every_entry_of_the_fixture_in_order():
    kinds = [(type(e).__name__, e.position) for e in items(WXR)]
    assert len([k for k in kinds if k[0] == "ImportItem"]) == 12
    assert [p for k, p in kinds if k == "SkippedItem"] == [
        "item 12 (post 112)", "item 13 (post 113)", "item 14 (post 114)", "item 15 (post 116)",
    ]  # fmt: skip
    statuses = {
        e.source_key.rsplit("=", 1)[1]: e.status for e in items(WXR) if isinstance(e, ImportItem)
    }
    assert statuses["101"] == Status.LIVE and statuses["103"] == Status.DRAFT
    assert statuses["104"] == Status.DRAFT and statuses["105"] == Status.SCHEDULED
    assert statuses["106"] == Status.PRIVATE


def test_bytes_in_and_the_same_items_out():
    assert items(WXR.read_bytes()) == items(WXR)


def test_titles_are_composed_and_entities_decoded():
    export = WXR.read_text().replace(
        "<title><![CDATA[Match report]]></title>", "<title>Cafe\u0301 &amp;amp; bar</title>", 1
    )
    titles = [e.headline for e in items(export.encode()) if isinstance(e, ImportItem)]
    assert "Café & bar" in titles  # NFC: one code point for é


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ("One\n\nTwo\nthree", "<p>One</p>\n<p>Two<br>\nthree</p>"),
        (
            "Intro\nhttps://youtu.be/abc123\nOutro",
            "<p>Intro</p>\n<p>https://youtu.be/abc123</p>\n<p>Outro</p>",
        ),
        ("See https://youtu.be/abc123 there", "<p>See https://youtu.be/abc123 there</p>"),
        ("[sic] and [1] stay", "<p>[sic] and [1] stay</p>"),
        ('[pullquote align="left"]Kept words[/pullquote]', "<p>Kept words</p>"),
        ("<!-- wp:paragraph -->\n<p>A</p>\n<!-- /wp:paragraph -->", "<p>A</p>"),
    ],
)
def test_classic_and_block_bodies(content, expected):
    body, _ = wordpress_body(content)
    assert body == expected


def test_a_caption_shortcode_keeps_its_credit():
    body, _ = wordpress_body(
        '[caption id="" align="alignleft" width="300"]<img src="https://x.org/a.jpg" alt="A">'
        " Boats at dawn. Photo: Kim Lee[/caption]"
    )
    assert body == (
        '<figure><img src="https://x.org/a.jpg" alt="A"><figcaption>Boats at dawn.'
        " <small>Kim Lee</small></figcaption></figure>"
    )


def test_a_bad_post_fails_alone():
    export = WXR.read_text().replace(
        "<wp:post_date_gmt><![CDATA[2024-03-05 08:00:00]]></wp:post_date_gmt>",
        "<wp:post_date_gmt><![CDATA[yesterday]]></wp:post_date_gmt>",
    )
    entries = items(export.encode())
    failed = [e for e in entries if isinstance(e, FailedItem)]
    assert [(f.position, f.reason) for f in failed] == [
        ("item 2 (post 102)", "the date 'yesterday' is not a time")
    ]
    assert len([e for e in entries if isinstance(e, ImportItem)]) == 11
    assert len([e for e in entries if isinstance(e, SkippedItem)]) == 4


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"\x00\x00\x00",
        b"just some text",
        b'<?xml version="1.0"?><!DOCTYPE x SYSTEM "http://attacker.example/x.dtd"><rss xmlns:wp="http://wordpress.org/export/1.2/"/>',
    ],
)
def test_files_that_are_no_export_are_refused_before_parsing(data):
    with pytest.raises(WxrError):
        items(data)


PEAK = """
import resource, sys
from pathlib import Path
sys.path.insert(0, sys.argv[2])
from gazette.importers.sources.wxr import parse_wxr
count = sum(1 for _ in parse_wxr(Path(sys.argv[1])))
print(count, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
"""


def _peak_kib(path: Path) -> tuple[int, int]:
    result = subprocess.run(
        [sys.executable, "-c", PEAK, str(path), str(REPOSITORY)],
        capture_output=True, text=True, check=True, timeout=300,
    )  # fmt: skip
    count, peak = result.stdout.split()
    return int(count), int(peak)


def test_memory_stays_flat_as_the_export_grows(tmp_path):
    """An export 9 times larger (2 MB, then 17 MB) costs the parser at most a few MB more:
    the posts stream through, only the attachments' index grows (a few hundred bytes each).
    Kept whole, the 4,000 more posts would weigh over 15 MB as text alone."""
    small = write_wxr(tmp_path / "small.xml", posts=500)
    large = write_wxr(tmp_path / "large.xml", posts=4500)
    grown = large.stat().st_size - small.stat().st_size
    assert grown > 14_000_000
    small_count, small_peak = _peak_kib(small)
    large_count, large_peak = _peak_kib(large)
    assert (small_count, large_count) == (500, 4500)
    growth_mib = (large_peak - small_peak) / 1024
    assert growth_mib < 8, f"peak grew {growth_mib:.1f} MiB for a file {grown / 1e6:.0f} MB larger"
