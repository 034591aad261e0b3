"""Sources of import_articles other than a WXR file: URLs (an HTTP server on loopback), web
pages, feeds (dispatched to sources.feed), format detection and the progress bar."""

from __future__ import annotations

import json
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from wagtail.contrib.redirects.models import Redirect

from gazette.images.models import CustomImage
from gazette.importers import reading
from gazette.importers.reading import SourceError, detect_format
from gazette.news.models import ArticlePage
from tests.loopback import serve_in_background

from .pictures import png_bytes

FIXTURES = Path(__file__).parent / "fixtures"
WXR = FIXTURES / "wxr" / "newsroom.xml"
GHOST = FIXTURES / "webpages" / "ghost.html"


def run(*args, progress=False) -> tuple[int, str, str]:
    out, err = StringIO(), StringIO()
    extra = () if progress else ("--no-progress",)
    try:
        call_command("import_articles", *map(str, args), *extra, stdout=out, stderr=err)
        code = 0
    except SystemExit as exc:
        code = exc.code
    return code, out.getvalue(), err.getvalue()


class _Handler(BaseHTTPRequestHandler):
    routes: dict[str, tuple[int, dict[str, str], bytes]] = {}

    def do_GET(self):
        status, headers, body = self.routes.get(self.path, (404, {}, b"not found"))
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def server():
    """An HTTP server on loopback; tests put (status, headers, body) in its routes."""
    routes: dict[str, tuple[int, dict[str, str], bytes]] = {}
    handler = type("Handler", (_Handler,), {"routes": routes})
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    serve_in_background(httpd)
    httpd.base = f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.routes = routes
    yield httpd
    httpd.shutdown()
    httpd.server_close()


def test_a_wxr_from_a_url_fetches_its_pictures(home, server):
    base = "https://herald.example.com/wp-content/uploads/2024/03/"
    text = WXR.read_text().replace(base, f"{server.base}/wp-content/uploads/2024/03/")
    server.routes["/export.xml"] = (200, {"Content-Type": "application/xml"}, text.encode())
    server.routes["/wp-content/uploads/2024/03/pier.png"] = (200, {}, png_bytes(color=(1, 2, 3)))
    server.routes["/wp-content/uploads/2024/03/ferry.png"] = (200, {}, png_bytes(color=(4, 5, 6)))
    code, out, err = run(f"{server.base}/export.xml")
    assert code == 0, err
    assert out.splitlines()[-1] == "12 created, 0 updated, 0 unchanged, 4 skipped, 0 failed"
    assert CustomImage.objects.filter(is_placeholder=False).count() == 2  # market.png: a 404
    assert CustomImage.objects.filter(is_placeholder=True).count() == 1


def test_a_redirect_is_followed_only_to_http(home, server):
    server.routes["/old"] = (301, {"Location": "/export.xml"}, b"")
    server.routes["/export.xml"] = (200, {}, WXR.read_bytes())
    server.routes["/sneaky"] = (302, {"Location": "file:///etc/passwd"}, b"")
    code, out, _ = run(f"{server.base}/old", "--dry-run")
    assert code == 0 and "12 created" in out
    code, _, err = run(f"{server.base}/sneaky")
    assert code == 1
    assert "redirects off http(s), to file:///etc/passwd: not followed" in err


def test_a_url_over_the_size_cap_or_failing_is_refused(home, server, monkeypatch):
    monkeypatch.setattr(reading, "MAX_SOURCE_BYTES", 1000)
    server.routes["/big.xml"] = (200, {}, WXR.read_bytes())
    code, _, err = run(f"{server.base}/big.xml")
    assert code == 1 and "larger than 0 MB" in err
    code, _, err = run(f"{server.base}/missing.xml")
    assert code == 1 and err.strip().endswith("source: failed: the server answered 404")


def test_a_web_page_becomes_an_article_keyed_on_its_canonical_url(home, server):
    server.routes["/story"] = (
        200,
        {"Content-Type": "text/html; charset=utf-8"},
        GHOST.read_bytes(),
    )
    code, out, err = run(f"{server.base}/story", "--section", "tech")
    assert code == 0, err
    story = ArticlePage.objects.get()
    assert (
        story.source_key == "https://slowsignal.net/the-quiet-death-of-the-municipal-mail-server/"
    )
    assert story.title == "The quiet death of the municipal mail server"
    assert [a.name for a in story.authors] == ["Priya Natarajan"]
    assert story.get_parent().slug == "tech"
    assert len(story.body) > 3
    assert Redirect.objects.filter(
        old_path="/the-quiet-death-of-the-municipal-mail-server"
    ).exists()
    # The same page again, from a file this time: the canonical URL finds the same article.
    code, out, _ = run(GHOST, "--format", "html", "--section", "tech")
    assert out.splitlines() == ["0 created, 0 updated, 1 unchanged, 0 skipped, 0 failed"]


def test_a_feed_is_imported_once_and_a_rerun_changes_nothing(home):
    feed = FIXTURES / "feeds" / "rss20_wordpress.xml"
    assert detect_format(feed.read_bytes()) == "feed"
    code, out, err = run(feed, "--section", "world")
    assert code == 0, err
    articles = ArticlePage.objects.filter(section__slug="world")
    assert articles.count() == 2
    assert out.splitlines()[-1] == "2 created, 0 updated, 0 unchanged, 0 skipped, 0 failed"
    assert all(article.source_key for article in articles)
    code, out, _ = run(feed, "--section", "world")
    assert out.splitlines()[-1] == "0 created, 0 updated, 2 unchanged, 0 skipped, 0 failed"


def test_a_hostile_feed_gets_one_line(home, tmp_path):
    bomb = tmp_path / "feed.xml"
    bomb.write_text(
        '<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY a "aaaaaaaaaa">'
        '<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>'
        '<rss version="2.0"><channel><title>&b;</title><item><title>One</title></item>'
        "</channel></rss>"
    )
    code, _, err = run(bomb, "--format", "feed")
    assert code == 1
    (line,) = err.strip().splitlines()
    assert "source: failed:" in line and "Traceback" not in err
    assert not ArticlePage.objects.exists()


@pytest.mark.parametrize(
    ("head", "expected"),
    [
        (WXR.read_bytes()[:3000], "wxr"),
        (b"\xef\xbb\xbf\n\n<?xml version='1.0'?>\n<rss version='2.0'><channel>", "feed"),
        (b"<?xml version='1.0'?><rdf:RDF xmlns:rdf='x'>", "feed"),
        ("<?xml version='1.0'?><feed>".encode("utf-16"), "feed"),
        (b"<!DOCTYPE html><html><head><title>x</title>", "html"),
        (b"  <!-- saved from url --><html lang=en>", "html"),
        (b"Headline of a story\nAuthor Views 12\n", "textdump"),
    ],
)
def test_the_format_is_read_from_the_content(head, expected):
    assert detect_format(head) == expected


@pytest.mark.parametrize(
    ("head", "reason"),
    [
        (b"", "the file is empty"),
        (b"   \n", "the file is empty"),
        (b"\x00\x01\x02binary", "binary data"),
        (b"<?xml version='1.0'?><catalog/>", "neither a WordPress export nor an RSS or Atom feed"),
    ],
)
def test_what_no_importer_reads_is_refused(head, reason):
    with pytest.raises(SourceError, match=reason):
        detect_format(head)


def test_the_progress_bar_is_drawn_unless_asked_not_to(home, tmp_path):
    _, _, err = run(WXR, "--dry-run", progress=True)
    assert "newsroom.xml" in err and "100%" in err
    _, _, err = run(WXR, "--dry-run")
    assert err == ""


def test_the_report_holds_one_object_per_item(home, tmp_path):
    report = tmp_path / "r.json"
    run(WXR, "--report", report)
    entries = json.loads(report.read_text())
    assert set(entries[0]) == {
        "source", "position", "source_key", "status", "reason", "article_id", "url", "headline",
        "notes",
    }  # fmt: skip
    assert {entry["status"] for entry in entries} == {"created", "skipped"}


def _says_it_is_a_placeholder(image: CustomImage, *, credit: str) -> None:
    assert image.is_placeholder and image.credit == credit
    assert image.title.startswith("Placeholder: https://")
    assert image.description.startswith("Placeholder image: the original picture")
    assert (image.width, image.height) == (1200, 675)
    with image.open_file() as stored:
        assert stored.read(8) == b"\x89PNG\r\n\x1a\n"


def test_a_feed_files_pictures_are_placeholders_that_say_so(home):
    """A feed read from a file cannot fetch its pictures: media:content and an enclosure
    each get a placeholder naming the credit, and the report says so."""
    feed = FIXTURES / "feeds" / "rss20_wire_mediarss.xml"
    code, _, err = run(feed, "--section", "world")
    assert code == 1 and err.count("failed") == 1  # the entry with no id and no link
    bank = ArticlePage.objects.get(
        source_key="https://wire.example.com/business/central-bank-holds-rates-2025-06-05/"
    )
    _says_it_is_a_placeholder(bank.lead_image, credit="Lena Fischer / Continental Wire")
    assert bank.lead_image.title.endswith("bank-1920.jpg")  # the widest of the two
    rail = ArticlePage.objects.get(
        source_key="https://wire.example.com/politics/rail-strike-called-off/"
    )
    _says_it_is_a_placeholder(rail.lead_image, credit="")
    assert rail.lead_image.title.endswith("/photos/2025/06/rail.jpg")


def test_a_wxr_files_attachments_without_media_dir_are_placeholders(home, tmp_path):
    report = tmp_path / "report.json"
    code, _, err = run(WXR, "--report", report)
    assert code == 0, err
    assert not CustomImage.objects.filter(is_placeholder=False).exists()
    placeholders = CustomImage.objects.filter(is_placeholder=True)
    assert placeholders.count() == 3
    for image in placeholders:
        _says_it_is_a_placeholder(image, credit=image.credit)
    notes = [note for item in json.loads(report.read_text()) for note in item["notes"]]
    assert sum("a placeholder stands in" in note for note in notes) >= 3
