"""Read an article web page (a saved file or a fetched URL) into an :class:`ExtractedPage`.

A pure function: bytes in, a dataclass out, no database. The page's own metadata is
preferred over guessing (``webpage_metadata``: JSON-LD, OpenGraph, analytics tags, meta,
microdata); trafilatura finds the body (``webpage_body``); the bytes are decoded whatever
the declarations claim (``webpage_charset``). This module checks the input, reconciles the
sources (the headline a reader sees, the standfirst that is not the first paragraph, the
lead image that is not also the body's first picture) and sanitises the body.

The body is HTML of ``p``, ``h2``-``h4``, ``ul``/``ol``/``li``, ``blockquote``, ``pre`` and
``figure`` (``<figure><img src alt><figcaption>caption <small>credit</small></figcaption>
</figure>``), inline ``a``, ``strong``, ``em``, ``u``, ``code``, ``sub``, ``sup``, ``br``.

Every guess and every dropped thing is named in ``notes``. Anything that is not an article
page raises :class:`WebpageError` with a one-line message.
"""

from __future__ import annotations

import copy
import html
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone, tzinfo
from email.utils import parsedate_to_datetime
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit
from zoneinfo import ZoneInfo

import nh3
from lxml import etree
from lxml import html as lxml_html

from .webpage_body import Block, Figure, blocks_from_html, extract_body, main_text_parent
from .webpage_charset import decode_html
from .webpage_metadata import (
    ImageMeta,
    PageMetadata,
    breadcrumb_section,
    byline_names,
    read_metadata,
    tag_links,
)
from .webpage_text import class_tokens, element_text, image_key, squash

__all__ = ["MAX_PAGE_BYTES", "ExtractedPage", "LeadImage", "WebpageError", "parse_webpage"]

# News pages weigh 0.1-3 MB with their inline scripts; 20 MB leaves room and refuses dumps.
MAX_PAGE_BYTES = 20 * 1024 * 1024


class WebpageError(ValueError):
    """One-line, human-readable reason the page cannot be imported (no file name)."""


@dataclass(frozen=True)
class LeadImage:
    url: str
    alt: str = ""
    caption: str = ""
    credit: str = ""


@dataclass(frozen=True)
class ExtractedPage:
    canonical_url: str  # the stable source key
    headline: str
    authors: tuple[str, ...]
    published: datetime | None  # aware
    modified: datetime | None  # aware
    section: str
    tags: tuple[str, ...]
    lead_image: LeadImage | None
    standfirst: str
    body_html: str  # sanitised
    notes: tuple[str, ...]

    @property
    def source_key(self) -> str:
        return self.canonical_url

    @property
    def body_text(self) -> str:
        """The body's text blocks, one a line; figures' captions left out."""
        if not self.body_html:
            return ""
        root = lxml_html.fragment_fromstring(self.body_html, create_parent="div")
        lines = []
        for block in root:
            if block.tag == "figure":
                continue
            if block.tag in {"ul", "ol"}:
                lines += [element_text(item) for item in block.iter("li")]
            elif block.tag == "blockquote":
                lines += [element_text(p) for p in block.iter("p")] or [element_text(block)]
            else:
                lines.append(element_text(block))
        return "\n".join(line for line in lines if line)


# --- checking the input --------------------------------------------------------------------

_MAGIC = (
    (b"%PDF", "a PDF document"),
    (b"\x89PNG", "a PNG image"),
    (b"GIF8", "a GIF image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"RIFF", "a RIFF (WebP, WAV or AVI) file"),
    (b"PK\x03\x04", "a ZIP archive (or an Office document)"),
    (b"\x1f\x8b", "gzip-compressed data: decompress it first"),
    (b"BZh", "bzip2-compressed data"),
    (b"7z\xbc\xaf", "a 7-Zip archive"),
    (b"\x7fELF", "a program"),
    (b"OggS", "an audio or video file"),
    (b"ID3", "an MP3 file"),
    (b"\x00\x00\x00\x18ftyp", "a video file"),
    (b"\x00\x00\x00 ftyp", "a video file"),
    (b"wOF2", "a web font"),
)
_TAG = re.compile(
    rb"<\s*(?:!doctype|html|head|body|article|main|div|p|h1|meta|title|section)\b", re.I
)
_FEED = re.compile(r"^\s*(?:<\?xml[^>]*>\s*)?(?:<!--.*?-->\s*)*<(rss|feed|rdf:RDF)\b", re.I | re.S)
_WXR = re.compile(r"<wp:wxr_version|xmlns:wp=", re.I)
_HTML_START = re.compile(r"^\s*(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html)\b", re.I | re.S)
_HTML_END = re.compile(r"</(?:html|body)\s*>", re.I)


def _check_bytes(data: bytes) -> None:
    if not data.strip():
        raise WebpageError("the page is empty")
    if len(data) > MAX_PAGE_BYTES:
        size = len(data) / 1024 / 1024
        raise WebpageError(
            f"the page is {size:.0f} MB; pages over {MAX_PAGE_BYTES // 1024 // 1024} MB are refused"
        )
    for magic, what in _MAGIC:
        if data.startswith(magic):
            raise WebpageError(f"not an HTML page: it is {what}")


def _check_text(text: str) -> None:
    sample = text[:65536]
    controls = sum(1 for ch in sample if ch < " " and ch not in "\t\n\r\f") + sample.count("\ufffd")
    if controls > max(8, len(sample) // 50):
        raise WebpageError("not an HTML page: it is binary data or in an unknown encoding")
    if _FEED.match(sample):
        kind = "a WordPress export (WXR)" if _WXR.search(sample) else "an RSS or Atom feed"
        raise WebpageError(f"not an article page: it is {kind}")
    if not _TAG.search(sample.encode("utf-8", "replace")):
        raise WebpageError("not an HTML page: no HTML tags found")
    if _HTML_START.match(sample) and not _HTML_END.search(text[-65536:]):
        raise WebpageError("the page is truncated: it ends before </body> and </html>")


def _parse(text: str) -> lxml_html.HtmlElement:
    # lxml refuses a str with an XML encoding declaration: hand it UTF-8 bytes instead.
    parser = lxml_html.HTMLParser(encoding="utf-8", remove_comments=True, remove_pis=True)
    try:
        tree = lxml_html.document_fromstring(
            text.replace("\x00", "").encode("utf-8"), parser=parser
        )
    except (etree.ParserError, ValueError) as exc:
        raise WebpageError(f"no HTML document could be read ({exc})") from None
    if tree is None or not isinstance(tree.tag, str):
        raise WebpageError("no HTML document could be read")
    return tree


# --- times ---------------------------------------------------------------------------------

_FORMATS = (
    "%Y.%m.%d %H:%M:%S",
    "%Y.%m.%d %H:%M",
    "%Y.%m.%d. %H:%M",
    "%Y/%m/%d %H:%M:%S",
    "%Y/%m/%d %H:%M",
    "%d.%m.%Y %H:%M",
    "%d.%m.%Y, %H:%M",
    "%d/%m/%Y %H:%M",
    "%m/%d/%Y - %H:%M",
    "%d.%m.%Y - %H:%M",
    "%B %d, %Y %I:%M %p",
    "%B %d, %Y at %I:%M %p",
    "%b %d, %Y %I:%M %p",
    "%Y%m%d%H%M%S",
    "%Y%m%dT%H%M%S",
)
_DATE_ONLY_FORMATS = (
    "%Y-%m-%d",
    "%Y.%m.%d",
    "%Y/%m/%d",
    "%d.%m.%Y",
    "%B %d, %Y",
    "%b %d, %Y",
    "%Y%m%d",
)

# Where a page's times carry no zone, the site's country says which one it meant.
_TLD_ZONES = {
    "kr": "Asia/Seoul", "jp": "Asia/Tokyo", "cn": "Asia/Shanghai", "tw": "Asia/Taipei",
    "hk": "Asia/Hong_Kong", "sg": "Asia/Singapore", "in": "Asia/Kolkata", "uk": "Europe/London",
    "ie": "Europe/Dublin", "de": "Europe/Berlin", "at": "Europe/Vienna", "ch": "Europe/Zurich",
    "fr": "Europe/Paris", "be": "Europe/Brussels", "nl": "Europe/Amsterdam", "es": "Europe/Madrid",
    "it": "Europe/Rome", "pt": "Europe/Lisbon", "pl": "Europe/Warsaw", "cz": "Europe/Prague",
    "se": "Europe/Stockholm", "no": "Europe/Oslo", "dk": "Europe/Copenhagen",
    "fi": "Europe/Helsinki", "gr": "Europe/Athens", "tr": "Europe/Istanbul", "ua": "Europe/Kyiv",
    "za": "Africa/Johannesburg", "ng": "Africa/Lagos", "ke": "Africa/Nairobi",
    "nz": "Pacific/Auckland", "ph": "Asia/Manila",
}  # fmt: skip
_LANGUAGE_ZONES = {
    "ko": "Asia/Seoul", "ja": "Asia/Tokyo", "en-gb": "Europe/London", "de-de": "Europe/Berlin",
    "fr-fr": "Europe/Paris", "it": "Europe/Rome", "pl": "Europe/Warsaw",
    "nl-nl": "Europe/Amsterdam",
}  # fmt: skip


@dataclass(frozen=True)
class _Time:
    value: datetime
    has_zone: bool
    has_time: bool


def _read_time(raw: str) -> _Time | None:
    raw = squash(raw)
    if not raw:
        return None
    if re.fullmatch(r"\d{9,13}(?:\.\d+)?", raw):
        number = float(raw)
        return _Time(
            datetime.fromtimestamp(number / 1000 if number > 1e11 else number, UTC), True, True
        )
    candidate = re.sub(r"\s*(?:UTC|GMT)$", "Z", raw)
    try:
        value = datetime.fromisoformat(candidate)
        return _Time(value, value.tzinfo is not None, "T" in candidate.upper() or ":" in candidate)
    except ValueError:
        pass
    try:
        value = parsedate_to_datetime(raw)
        return _Time(value, value.tzinfo is not None, True)
    except (TypeError, ValueError, IndexError):
        pass
    # A zone written as "+0900" or "KST" after a plain date and time.
    zone: tzinfo | None = None
    if match := re.search(r"\s*([+-])(\d{2}):?(\d{2})$", raw):
        sign = 1 if match.group(1) == "+" else -1
        zone = timezone(sign * timedelta(hours=int(match.group(2)), minutes=int(match.group(3))))
        raw = raw[: match.start()]
    elif raw.endswith(" KST"):
        zone, raw = ZoneInfo("Asia/Seoul"), raw[:-4]
    raw = re.sub(r"(?i)\b(a\.m\.|p\.m\.)", lambda m: m.group(1).replace(".", "").upper(), raw)
    # A weekday in the site's language ("Di., 05.03.2024 - 11:45") says nothing the date does not.
    raw = re.sub(r"^[^\W\d]{2,10}\.?,\s*(?=\d)", "", raw)
    for formats, has_time in ((_FORMATS, True), (_DATE_ONLY_FORMATS, False)):
        for pattern in formats:
            try:
                value = datetime.strptime(raw, pattern)
            except ValueError:
                continue
            return _Time(value.replace(tzinfo=zone) if zone else value, zone is not None, has_time)
    return None


def _page_zone(url: str, language: str) -> tuple[tzinfo, str]:
    host = (urlsplit(url).hostname or "").lower()
    tld = host.rsplit(".", 1)[-1]
    if tld in _TLD_ZONES:
        return ZoneInfo(_TLD_ZONES[tld]), f"{_TLD_ZONES[tld]}, from the .{tld} address"
    for key in (language, language.split("-")[0]):
        if key in _LANGUAGE_ZONES:
            return ZoneInfo(
                _LANGUAGE_ZONES[key]
            ), f"{_LANGUAGE_ZONES[key]}, from the page's language"
    return UTC, "UTC"


def _times(
    meta: PageMetadata, tree: lxml_html.HtmlElement, url: str, notes: list[str]
) -> tuple[datetime | None, datetime | None]:
    raw = {"published": meta.published, "modified": meta.modified}
    if raw["published"] is None:
        raw["published"] = _visible_time(tree)
    read = {name: (_read_time(value[0]), value) for name, value in raw.items() if value}
    for name, (parsed, (value, source)) in list(read.items()):
        if parsed is None:
            notes.append(f"the {name} time {value!r} ({source}) could not be read")
            del read[name]
    aware = [parsed.value for parsed, _ in read.values() if parsed.has_zone]
    result: dict[str, datetime | None] = {"published": None, "modified": None}
    for name, (parsed, (_value, source)) in read.items():
        value = parsed.value
        if not parsed.has_zone:
            if aware:
                zone: tzinfo = aware[0].tzinfo  # type: ignore[assignment]
                why = "the page's other time"
            else:
                zone, why = _page_zone(url, meta.language)
            value = value.replace(tzinfo=zone)
            notes.append(f"the {name} time has no zone ({source}); read in {why}")
        if not parsed.has_time:
            notes.append(f"the {name} time is a date only ({source})")
        result[name] = value
    published, modified = result["published"], result["modified"]
    if published is None:
        notes.append("no published time found")
    if published and modified and modified < published - timedelta(minutes=1):
        notes.append("the modified time is before the published time; ignored")
        modified = None
    return published, modified


def _visible_time(tree: lxml_html.HtmlElement) -> tuple[str, str] | None:
    """A <time datetime> the page shows beside the byline, when no metadata dates it."""
    times = [t for t in tree.iter("time") if t.get("datetime")]
    for element in times:
        tokens = class_tokens(element) | class_tokens(element.getparent() or element)
        if element.get("pubdate") is not None or tokens & {
            "published",
            "publish",
            "pubdate",
            "posted",
            "date",
            "dateline",
            "entry",
        }:
            return element.get("datetime"), "<time> in the page"
    return (times[0].get("datetime"), "<time> in the page") if times else None


# --- reconciling ---------------------------------------------------------------------------

_FOLD = str.maketrans(
    {"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"', "\u2013": "-", "\u2014": "-"}
)
_TITLE_SEPARATORS = re.compile(r"\s+(?:\||-|–|—|::|·|»)\s+")
_TRUNCATED = ("…", "...", "[…]", "[...]")
_DEK_TOKENS = {
    "standfirst", "dek", "deck", "subheadline", "subtitle", "strapline", "excerpt", "summary",
    "intro", "description", "subhed", "teaser", "chapo", "chapeau",
}  # fmt: skip
_BYLINE_LINE = re.compile(r"^(?:by|von|par|por)\s+\S", re.I)


def _key(text: str) -> str:
    return " ".join(squash(text).translate(_FOLD).casefold().split()).strip(" .")


def _strip_site_name(title: str, site_name: str) -> str:
    parts = _TITLE_SEPARATORS.split(title)
    if len(parts) < 2:
        return title
    site = _key(site_name)
    # The site's name is at one end: "Headline | Site" or "Site - Headline".
    if (site and _key(parts[-1]) == site) or len(parts[-1].split()) <= 4 < len(
        " ".join(parts[:-1]).split()
    ):
        return squash(" - ".join(parts[:-1])) if len(parts) > 2 else parts[0]
    if site and _key(parts[0]) == site:
        return squash(" - ".join(parts[1:]))
    return title


def _h1s(tree: lxml_html.HtmlElement, site_name: str) -> list[str]:
    found = []
    for h1 in tree.iter("h1"):
        text = element_text(h1)
        links = [a.get("href", "") for a in h1.iter("a")]
        is_logo = class_tokens(h1) & {"logo", "site", "brand", "masthead"} or any(
            urlsplit(href).path in ("", "/") for href in links
        )
        if text and not is_logo and _key(text) != _key(site_name):
            found.append(text)
    return found


def _printed(tree: lxml_html.HtmlElement, text: str) -> bool:
    """The page shows this text as an element of its own (a headline in <div><b> markup)."""
    wanted = _key(text)
    body = tree.find("body")
    return body is not None and any(
        isinstance(e.tag, str) and len(e) < 4 and _key(element_text(e)) == wanted
        for e in body.iter()
    )


def _headline(meta: PageMetadata, tree: lxml_html.HtmlElement, notes: list[str]) -> str:
    h1s = _h1s(tree, meta.site_name)
    candidates = [(text, source) for text, source in meta.headlines if text]
    for h1 in h1s:
        for text, _source in candidates:
            key, h1_key = _key(text).rstrip("….").strip(), _key(h1)
            if key and (key == h1_key or h1_key.startswith(key) or h1_key in key):
                return h1
    for text, source in candidates:
        if source.startswith("JSON-LD") and not text.endswith(_TRUNCATED):
            return text
    for text, source in candidates:
        # A title carries the site's name at one end; the part the page prints is the headline.
        parts = sorted(_TITLE_SEPARATORS.split(text), key=len, reverse=True)
        printed = next((part for part in [text, *parts] if _printed(tree, part)), None)
        if printed:
            if source != "og:title" and h1s:
                notes.append(f"the headline is from {source}; the page's <h1> says {h1s[0]!r}")
            return squash(printed)
    for text, source in candidates:
        stripped = (
            _strip_site_name(text, meta.site_name) if not source.startswith("JSON-LD") else text
        )
        if stripped:
            if h1s:
                notes.append(f"the headline is from {source}; the page's <h1> says {h1s[0]!r}")
            return stripped
    if h1s:
        notes.append("the headline is the page's <h1>: no metadata names it")
        return h1s[0]
    raise WebpageError("no headline found: the page has no <h1>, title or headline metadata")


def _within(element: lxml_html.HtmlElement, ancestor: lxml_html.HtmlElement) -> bool:
    return any(node is ancestor for node in element.iterancestors()) or element is ancestor


def _on_page_dek(tree: lxml_html.HtmlElement, headline: str) -> str:
    """A standfirst the page prints between its headline and the body."""
    headline_key = _key(headline)
    body = main_text_parent(tree)
    started = False
    for element in tree.iter():
        if not isinstance(element.tag, str):
            continue
        if not started:
            started = (
                element.tag not in {"title", "head", "html", "body"}
                and _key(element_text(element)) == headline_key
            )
            continue
        if element.tag in {"script", "style"} or _key(element_text(element)) == headline_key:
            continue
        if body is not None and _within(element, body):
            return ""  # reached the body
        text = element_text(element)
        tokens = class_tokens(element)
        is_dek = bool(tokens & _DEK_TOKENS) and not tokens & {
            "related",
            "card",
            "comment",
            "author",
            "promo",
        }
        if (element.get("itemprop") or "").lower() in {"description", "alternativeheadline"}:
            is_dek = True
        if (
            element.tag == "h2"
            and (previous := element.getprevious()) is not None
            and previous.tag == "h1"
        ):
            is_dek = True
        if (
            not is_dek
            or element.find(".//img") is not None
            or element.find(".//figure") is not None
        ):
            continue
        if (
            20 <= len(text) <= 500
            and _key(text) != headline_key
            and not element.findall(".//p")[1:]
        ):
            return text
    return ""


def _standfirst(
    meta: PageMetadata,
    tree: lxml_html.HtmlElement,
    headline: str,
    blocks: list[Block],
    notes: list[str],
) -> str:
    on_page = _on_page_dek(tree, headline)
    if on_page:
        return on_page
    first_paragraph = next((b.text for b in blocks if b.kind == "p"), "")
    for text, source in meta.descriptions:
        key = _key(text).rstrip("….[] ")
        if text.endswith(_TRUNCATED) or (key and _key(first_paragraph).startswith(key)):
            notes.append(f"no standfirst: the {source} repeats the first paragraph")
            return ""
        if key and key != _key(headline):
            notes.append(f"the standfirst is the page's {source}")
            return text
    return ""


def _lead_image(
    meta: PageMetadata, figures: list[Figure], blocks: list[Block], notes: list[str]
) -> LeadImage | None:
    image: ImageMeta | None = meta.image
    if image is None:
        first = next((b for b in blocks if b.kind != "h2"), None)
        if first is not None and first.figure is not None:
            notes.append("the lead image is the body's first picture: no metadata names one")
            figure = first.figure
            return LeadImage(figure.src, figure.alt, figure.caption, figure.credit)
        return None
    key = image_key(image.url)
    match = next((f for f in figures if image_key(f.src) == key), None)
    if match is None:
        return LeadImage(image.url, image.alt, image.caption, image.credit)
    return LeadImage(
        image.url,
        image.alt or match.alt,
        image.caption or match.caption,
        image.credit or match.credit,
    )


def _trim_head(blocks: list[Block], headline: str, authors: tuple[str, ...]) -> list[Block]:
    """Drop what the body repeats from the page's head: kicker, headline, byline."""
    headline_key = _key(headline)
    author_keys = {_key(a) for a in authors if a}
    head = 0
    for index, block in enumerate(blocks[:6]):
        if block.kind != "figure" and _key(block.text) == headline_key:
            head = index + 1  # the headline and every label above it
    kept = [b for b in blocks[:head] if b.kind == "figure"]
    for index, block in enumerate(blocks[head:], start=head):
        words = _key(block.text).split()
        if (
            index < head + 4
            and block.kind == "p"
            and len(words) <= 12
            and (
                _BYLINE_LINE.match(block.text)
                or (len(words) <= 6 and any(a in " ".join(words) for a in author_keys))
            )
        ):
            continue
        kept.append(block)
    return kept


_SIGN_OFF = re.compile(
    r"^(?:copyright|©|ⓒ|저작권자|\(c\))|무단\s*전재|재배포\s*금지|all rights reserved",
    re.I,
)
_EMAIL_LINE = re.compile(r"\S+@\S+\.\w+")


def _trim_blocks(
    blocks: list[Block],
    standfirst: str,
    authors: tuple[str, ...],
    lead: LeadImage | None,
    notes: list[str],
) -> list[Block]:
    """Drop the standfirst and the lead image where the body repeats them, and sign-off lines."""
    standfirst_key = _key(standfirst)
    lead_key = image_key(lead.url) if lead else None
    kept: list[Block] = []
    for index, block in enumerate(blocks):
        if block.figure is not None and lead_key and image_key(block.figure.src) == lead_key:
            notes.append("the lead image is not repeated in the body")
            continue
        if index < 3 and standfirst_key and _key(block.text) == standfirst_key:
            continue
        kept.append(block)
    # A copyright line or the reporter's name and address closing the text are not the story.
    while (
        kept
        and kept[-1].kind == "p"
        and len(kept[-1].text.split()) <= 15
        and (
            _SIGN_OFF.search(kept[-1].text)
            or (
                _EMAIL_LINE.search(kept[-1].text)
                and any(_key(a) in _key(kept[-1].text) for a in authors)
            )
        )
    ):
        notes.append(f"a closing line was dropped: {kept.pop().text!r}")
    return kept


def _text_blocks(text: str) -> list[Block]:
    paragraphs = [squash(p) for p in re.split(r"\n\s*\n" if "\n\n" in text else r"\n", text)]
    return [Block("p", f"<p>{html.escape(p, quote=False)}</p>", p) for p in paragraphs if p]


_ALLOWED_TAGS = {
    "p", "h2", "h3", "h4", "ul", "ol", "li", "blockquote", "pre", "figure", "figcaption", "img",
    "small", "a", "strong", "em", "u", "code", "sub", "sup", "br",
}  # fmt: skip
_TRACKING = re.compile(r"^(?:utm_|fbclid$|gclid$|mc_cid$|mc_eid$|ocid$|cmpid$|icid$|at_)", re.I)


def _page_key(url: str) -> str:
    parts = urlsplit(url)
    query = [
        (k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if not _TRACKING.match(k)
    ]
    return urlunsplit((parts.scheme, parts.netloc, parts.path, urlencode(query), ""))


def parse_webpage(data: bytes, *, url: str, declared_charset: str | None = None) -> ExtractedPage:
    """Read one article page. Raises WebpageError with a one-line reason for anything else."""
    _check_bytes(data)
    decoded = decode_html(data, declared_charset)
    _check_text(decoded.text)
    tree = _parse(decoded.text)
    try:
        return _extract(tree, url=url, notes=list(decoded.notes))
    except WebpageError:
        raise
    except RecursionError:
        raise WebpageError("the page is nested too deeply to read") from None
    except (etree.LxmlError, ValueError, TypeError, AttributeError, LookupError) as exc:
        # Hostile markup can trip the extractors in ways no page of a CMS does: one line,
        # never a traceback.
        reason = " ".join(str(exc).split())[:200]
        raise WebpageError(f"the page could not be read ({type(exc).__name__}: {reason})") from None


def _extract(tree: lxml_html.HtmlElement, *, url: str, notes: list[str]) -> ExtractedPage:
    meta = read_metadata(tree, page_url=url)
    notes += meta.notes
    canonical = meta.canonical_url or _page_key(url)
    if not meta.canonical_url:
        notes.append("the page names no canonical URL: its address is the source key")
    body = extract_body(copy.deepcopy(tree), url=canonical)
    notes += body.notes
    blocks = body.blocks
    if not blocks and meta.next_data_html:
        blocks = blocks_from_html(meta.next_data_html, url=canonical)
        notes.append("the body is from the page's __NEXT_DATA__: its HTML has none")
    if not blocks and meta.article_body:
        blocks = _text_blocks(meta.article_body)
        notes.append("the body is JSON-LD's articleBody (plain text): the page's HTML has none")
    if not any(block.kind != "figure" for block in blocks):
        raise WebpageError("no article text found on the page")

    headline = _headline(meta, tree, notes)
    authors = tuple(meta.authors)
    if not authors:
        authors = tuple(byline_names(tree))
        notes.append(
            f"authors read from the byline: {', '.join(authors)}" if authors else "no author found"
        )
    published, modified = _times(meta, tree, canonical, notes)
    section = meta.section or breadcrumb_section(tree, headline)
    if section and not meta.section:
        notes.append("the section is read from the breadcrumb trail")
    tags = tuple(meta.tags)
    if not tags and (tags := tuple(tag_links(tree))):
        notes.append("the tags are read from the page's tag links")
    blocks = _trim_head(blocks, headline, authors)
    standfirst = _standfirst(meta, tree, headline, blocks, notes)
    lead = _lead_image(meta, body.figures, blocks, notes)
    blocks = _trim_blocks(blocks, standfirst, authors, lead, notes)
    if not any(block.kind != "figure" for block in blocks):
        raise WebpageError("no article text found on the page")
    body_html = nh3.clean(
        "".join(block.html for block in blocks),
        tags=_ALLOWED_TAGS,
        attributes={"a": {"href"}, "img": {"src", "alt"}},
        url_schemes={"http", "https", "mailto"},
    )
    return ExtractedPage(
        canonical_url=canonical,
        headline=headline,
        authors=authors,
        published=published,
        modified=modified,
        section=section,
        tags=tags,
        lead_image=lead,
        standfirst=standfirst,
        body_html=body_html,
        notes=tuple(dict.fromkeys(notes)),
    )
