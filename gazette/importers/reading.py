"""Where an import's bytes come from (a file, or an http(s) URL) and what format they are.

A URL is fetched with a timeout and a size cap, following at most a few redirects and only
to http(s) addresses; the body goes to a temporary file, so a large export is streamed from
disk like a local one. The format is read from the content, never from the name.
"""

from __future__ import annotations

import codecs
import re
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import requests

__all__ = [
    "FORMATS",
    "Source",
    "SourceError",
    "detect_format",
    "fetch_bytes",
    "is_url",
    "open_source",
]

FORMATS = ("wxr", "feed", "html", "textdump")
TIMEOUT_SECONDS = 20
MAX_SOURCE_BYTES = 512 * 1024 * 1024  # an export from a URL; files on disk have no cap
MAX_IMAGE_BYTES = 25 * 1024 * 1024
MAX_REDIRECTS = 5
HEAD_BYTES = 64 * 1024
USER_AGENT = "Gazette-importer/1.0"


class SourceError(Exception):
    """A source that cannot be read at all; the message is one line."""


@dataclass(frozen=True)
class Source:
    name: str  # as the user gave it
    path: Path  # the bytes on disk (a temporary copy for a URL)
    url: str  # the final address of a URL source; "" for a file
    charset: str | None  # what the server declared, if anything

    @property
    def size(self) -> int:
        return self.path.stat().st_size

    def head(self, size: int = HEAD_BYTES) -> bytes:
        with self.path.open("rb") as stream:
            return stream.read(size)


def is_url(text: str) -> bool:
    return urlsplit(text).scheme.lower() in {"http", "https"}


@contextmanager
def open_source(name: str) -> Iterator[Source]:
    """The source's bytes on disk, for as long as the import reads them."""
    if is_url(name):
        with tempfile.NamedTemporaryFile(prefix="gazette-import-", suffix=".download") as file:
            url, charset = _download(name, file, max_bytes=MAX_SOURCE_BYTES)
            file.flush()
            yield Source(name=name, path=Path(file.name), url=url, charset=charset)
        return
    if "://" in name:
        raise SourceError("only http(s) addresses can be fetched")
    path = Path(name)
    if not path.exists():
        raise SourceError("no such file")
    if path.is_dir():
        raise SourceError("is a directory, not a file")
    try:
        with path.open("rb"):
            pass
    except OSError as exc:
        raise SourceError(f"cannot be read ({exc.strerror})") from None
    yield Source(name=name, path=path, url="", charset=None)


def _get(url: str) -> requests.Response:
    """GET with redirects followed by hand: each hop checked to stay on http(s)."""
    for _ in range(MAX_REDIRECTS + 1):
        try:
            response = requests.get(
                url,
                timeout=TIMEOUT_SECONDS,
                stream=True,
                allow_redirects=False,
                headers={"User-Agent": USER_AGENT},
            )
        except requests.RequestException as exc:
            raise SourceError(f"could not be fetched ({type(exc).__name__})") from None
        if response.is_redirect:
            target = urljoin(url, response.headers.get("Location", ""))
            response.close()
            if not is_url(target):
                raise SourceError(f"redirects off http(s), to {target[:100]}: not followed")
            url = target
            continue
        if response.status_code >= 400:
            response.close()
            raise SourceError(f"the server answered {response.status_code}")
        return response
    raise SourceError(f"more than {MAX_REDIRECTS} redirects")


def _download(url: str, file, *, max_bytes: int) -> tuple[str, str | None]:
    response = _get(url)
    with response:
        declared = response.headers.get("Content-Length", "")
        if declared.isdigit() and int(declared) > max_bytes:
            raise SourceError(f"larger than {max_bytes // (1024 * 1024)} MB")
        received = 0
        try:
            for chunk in response.iter_content(chunk_size=256 * 1024):
                received += len(chunk)
                if received > max_bytes:
                    raise SourceError(f"larger than {max_bytes // (1024 * 1024)} MB")
                file.write(chunk)
        except requests.RequestException as exc:
            raise SourceError(f"the download broke off ({type(exc).__name__})") from None
        return response.url or url, response.encoding if _declares_charset(response) else None


def _declares_charset(response: requests.Response) -> bool:
    return "charset=" in response.headers.get("Content-Type", "").lower()


def fetch_bytes(url: str, *, max_bytes: int = MAX_IMAGE_BYTES) -> bytes | None:
    """A picture or page from the web, or None when it cannot be had within the caps."""
    try:
        with tempfile.TemporaryFile() as file:
            _download(url, file, max_bytes=max_bytes)
            file.seek(0)
            return file.read()
    except SourceError:
        return None


# --- format detection --------------------------------------------------------------------------

_XML_PROLOGUE = re.compile(
    rb"^(?:\s|<\?xml[^>]*\?>|<!--.*?-->|<\?xml-stylesheet[^>]*\?>|<!DOCTYPE[^>]*>)*", re.S
)
_HTML_START = re.compile(
    rb"^\s*(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html|head|body|meta)\b", re.I | re.S
)


def _as_utf8(head: bytes) -> bytes:
    """The head in UTF-8 when it is UTF-16 or UTF-32 (by its byte-order mark)."""
    for bom, name in (
        (codecs.BOM_UTF32_LE, "utf-32"),
        (codecs.BOM_UTF32_BE, "utf-32"),
        (codecs.BOM_UTF16_LE, "utf-16"),
        (codecs.BOM_UTF16_BE, "utf-16"),
    ):
        if head.startswith(bom):
            return head.decode(name, errors="ignore").encode()
    return head.removeprefix(codecs.BOM_UTF8)


def detect_format(head: bytes) -> str:
    """wxr, feed, html or textdump, from the first bytes; SourceError for anything else."""
    if not head.strip():
        raise SourceError("the file is empty")
    text = _as_utf8(head)
    if b"\x00" in text[:8192]:
        raise SourceError("binary data, not an export, a feed, a web page or a text dump")
    controls = sum(1 for byte in text[:8192] if byte < 9 or 13 < byte < 32)
    if controls > len(text[:8192]) // 20:
        raise SourceError("binary data, not an export, a feed, a web page or a text dump")
    lowered = text.lower()
    if _HTML_START.match(text):
        return "html"
    body = lowered[_XML_PROLOGUE.match(lowered).end() :]
    if body.startswith(b"<rss") or body.startswith(b"<channel"):
        if b"wordpress.org/export/" in lowered:
            return "wxr"
        return "feed"
    if body.startswith((b"<feed", b"<rdf:rdf", b"<rdf ")):
        return "feed"
    if body.startswith(b"<") or lowered.lstrip().startswith(b"<?xml"):
        if b"wordpress.org/export/" in lowered:
            return "wxr"  # a DTD or an odd prologue in front of an export: its parser says no
        if b"<html" in lowered[:4096]:
            return "html"
        raise SourceError("XML, but neither a WordPress export nor an RSS or Atom feed")
    return "textdump"
