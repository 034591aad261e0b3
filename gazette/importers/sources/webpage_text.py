"""Small text and markup helpers shared by the web-page parser's modules."""

from __future__ import annotations

import html
import re
from urllib.parse import parse_qs, urljoin, urlsplit, urlunsplit

from lxml import html as lxml_html

__all__ = ["class_tokens", "element_text", "image_key", "resolve_url", "squash"]

_TOKEN_SPLIT = re.compile(r"[^a-z0-9]+")
_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")
# WordPress and most image CDNs put the rendition's size into the name or the query.
_SIZE_SUFFIX = re.compile(
    r"[-_]\d{2,5}x\d{2,5}(?=\.[a-z0-9]+$)|[-_](?:scaled|large|medium|small)(?=\.)"
)


def squash(text: str | None) -> str:
    """Entities decoded, every run of whitespace (NBSP included) one space, ends stripped."""
    if not text:
        return ""
    text = html.unescape(text).replace("\u200b", "").replace("\ufeff", "")
    return " ".join(text.split())


def element_text(element: lxml_html.HtmlElement) -> str:
    return squash(element.text_content())


def class_tokens(element: lxml_html.HtmlElement) -> set[str]:
    """The words of an element's class and id: ``c-RelatedLinks__item`` -> c related links item."""
    raw = f"{element.get('class', '')} {element.get('id', '')}"
    raw = _CAMEL.sub(" ", raw).lower()
    return {token for token in _TOKEN_SPLIT.split(raw) if token}


def class_words(element: lxml_html.HtmlElement) -> str:
    """The class and id as hyphen-joined words, to look for multi-word names (``read-more``)."""
    raw = f"{element.get('class', '')} {element.get('id', '')}"
    raw = _CAMEL.sub("-", raw).lower()
    return " " + " ".join(_TOKEN_SPLIT.sub("-", part) for part in raw.split()) + " "


def resolve_url(value: str | None, base: str) -> str:
    """An absolute http(s) URL without its fragment, or "" when the value is not one."""
    value = squash(value)
    if not value or value.startswith(("data:", "javascript:")):
        return ""
    if value.startswith("//"):
        value = f"{urlsplit(base).scheme or 'https'}:{value}"
    absolute = urljoin(base, value)
    parts = urlsplit(absolute)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return ""
    return urlunsplit((parts.scheme, parts.netloc, parts.path or "/", parts.query, ""))


def image_key(url: str) -> str:
    """What two renditions of one picture share: the file name without its size suffix."""
    parts = urlsplit(url)
    # An image proxy (Next.js's /_next/image?url=..., many CDNs) names the picture in a query.
    inner = parse_qs(parts.query).get("url")
    if inner:
        parts = urlsplit(inner[0])
    name = parts.path.rsplit("/", 1)[-1].lower()
    return _SIZE_SUFFIX.sub("", name)
