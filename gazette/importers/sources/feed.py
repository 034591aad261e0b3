"""Read an RSS (0.9x, 1.0, 2.0) or Atom 1.0 feed into ImportItems.

A pure function: bytes in, items out, no database and no network. feedparser reads the
formats and their dialects; this module decides what goes in:

- the bytes are decoded first (``webpage_charset``: a byte-order mark, valid UTF-8, the
  declaration if it fits, detection), whatever the ``<?xml encoding>`` claims, and handed to
  feedparser as UTF-8 with the declaration rewritten to say so; whitespace or a BOM before
  ``<?xml`` is dropped (a common PHP bug that strict XML parsers refuse);
- a feed that declares XML entities is refused before any XML parser sees it (as defusedxml
  refuses them): no entity bomb expands, no external entity is read; feedparser does not
  fetch an external DTD either;
- a whole feed that cannot be read (empty, binary, HTML, truncated) raises ``FeedError``
  with a one-line reason; one bad entry becomes a ``FailedItem`` and the rest go on.

An entry with a body (``content:encoded``, Atom ``content``) becomes an article whose body is
HTML of the blocks an article has (``p``, ``h2``, ``h3``, ``ul``/``ol``, ``blockquote``,
``pre``, ``figure``), sanitised with nh3, links and pictures absolute. An entry with only a
summary becomes a headline-only article with the summary as its standfirst.
"""

from __future__ import annotations

import hashlib
import html
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from time import struct_time
from urllib.parse import urlsplit

import feedparser
import nh3
from lxml import etree
from lxml import html as lxml_html

from ..items import FailedItem, ImportedImage, ImportItem, ParsedEntry
from .webpage_body import split_credit
from .webpage_charset import decode_html
from .webpage_text import image_key, resolve_url, squash

__all__ = ["MAX_FEED_BYTES", "FeedError", "parse_feed"]

# The largest feeds (full-text, a few hundred entries) weigh a few MB; 20 MB refuses dumps.
MAX_FEED_BYTES = 20 * 1024 * 1024
SOURCE_KEY_MAX_LENGTH = 255  # ArticlePage.source_key
STANDFIRST_MAX_LENGTH = 400  # ArticlePage.standfirst
TAG_MAX_LENGTH = 100  # taggit's Tag.name


class FeedError(ValueError):
    """One-line, human-readable reason the feed cannot be read at all."""


_MAGIC = (
    (b"%PDF", "a PDF document"),
    (b"\x89PNG", "a PNG image"),
    (b"GIF8", "a GIF image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"PK\x03\x04", "a ZIP archive"),
    (b"\x1f\x8b", "gzip-compressed data: decompress it first"),
    (b"\x7fELF", "a program"),
)
_XML_DECLARATION = re.compile(r"^<\?xml[^>]*\?>", re.I)
# The root element, with the prefix some feeds give it (<atom:feed>, <rdf:RDF>).
_ROOT = re.compile(r"<((?:[\w.-]+:)?(?:rss|feed|RDF))\b", re.I)
_HTML_DOCUMENT = re.compile(r"^\s*(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html)\b", re.I | re.S)
_ENTITY = re.compile(r"<!ENTITY[^>]*>", re.I)
_EXTERNAL = re.compile(r"\b(?:SYSTEM|PUBLIC)\b")
_MORE_MARKERS = re.compile(
    r"\s*(?:\[(?:…|&hellip;|\.\.\.)\]|…|\.\.\.|continue reading.*|read more.*)$", re.I
)
_URI = re.compile(r"^[a-z][a-z0-9+.-]*:\S", re.I)  # http:, https:, tag:, urn:...
_IMAGE_FILE = re.compile(r"\.(?:jpe?g|png|gif|webp|avif)(?:$|\?)", re.I)


# --- the whole feed ------------------------------------------------------------------------


def _utf8_document(data: bytes, declared_charset: str | None) -> tuple[bytes, list[str]]:
    """The feed as UTF-8 bytes that say so, and what decoding had to guess."""
    if not data.strip():
        raise FeedError("the feed is empty")
    if len(data) > MAX_FEED_BYTES:
        raise FeedError(f"the feed is over {MAX_FEED_BYTES // 1024 // 1024} MB; refused")
    for magic, what in _MAGIC:
        if data.lstrip().startswith(magic):
            raise FeedError(f"not a feed: it is {what}")
    decoded = decode_html(data, declared_charset)
    text = decoded.text.lstrip("\ufeff \t\r\n")
    sample = text[:65536]
    controls = sum(1 for ch in sample if ch < " " and ch not in "\t\n\r") + sample.count("\ufffd")
    if controls > max(8, len(sample) // 50):
        raise FeedError("not a feed: it is binary data or in an unknown encoding")
    if _HTML_DOCUMENT.match(sample):
        raise FeedError("not a feed: it is an HTML page")
    root = _ROOT.search(sample)
    if root is None or "<" in sample[: root.start()].replace("<?", "").replace("<!", ""):
        raise FeedError("not a feed: no <rss>, <feed> or <rdf:RDF> element")
    _refuse_entities(sample[: root.start()])
    closing = f"</{root.group(1)}>"
    if closing.lower() not in text[-4096:].lower():
        raise FeedError(f"the feed is truncated: it ends before {closing}")
    # The text is decoded now: the declaration must not send feedparser back to a wrong codec.
    text = _XML_DECLARATION.sub('<?xml version="1.0" encoding="utf-8"?>', text, count=1)
    # The decoder speaks of pages; here it is a feed.
    notes = [note.replace("the page", "the feed") for note in decoded.notes]
    return text.encode("utf-8"), notes


def _refuse_entities(prolog: str) -> None:
    """No feed needs entities of its own; hostile files use them (as defusedxml refuses them).

    feedparser would drop such declarations and read on, but what it read would be junk.
    """
    declaration = _ENTITY.search(prolog)
    if declaration is None:
        return
    if _EXTERNAL.search(declaration.group(0)):
        raise FeedError("the feed declares an external entity (it could read files): refused")
    raise FeedError("the feed declares XML entities of its own (an entity bomb?): refused")


def parse_feed(
    data: bytes, *, url: str, declared_charset: str | None = None
) -> Iterator[ParsedEntry]:
    """The feed's entries as items, in the feed's order.

    ``url`` is where the feed was fetched from: relative links resolve against it.
    ``declared_charset`` is the HTTP header's, if any. Raises FeedError, at once, when the
    feed as a whole cannot be read.
    """
    document, notes = _utf8_document(data, declared_charset)
    parsed = feedparser.parse(
        # A stream, so that feedparser never takes the data for a path or an address.
        io.BytesIO(document),
        # nh3 sanitises the body below; feedparser's own pass would drop lazy images' data-src.
        sanitize_html=False,
        response_headers={
            "content-type": "application/xml; charset=utf-8",
            "content-location": url,
        },
    )
    if not parsed.version and not parsed.entries:
        reason = _bozo_reason(parsed)
        raise FeedError(f"not a feed: {reason}" if reason else "not an RSS or Atom feed")
    overridden = isinstance(parsed.get("bozo_exception"), feedparser.CharacterEncodingOverride)
    if parsed.bozo and not overridden and (reason := _bozo_reason(parsed)):
        notes.append(f"the feed is not well-formed XML ({reason}); read leniently")
    return _items(parsed, url=url, feed_notes=tuple(notes))


def _bozo_reason(parsed) -> str:
    exception = parsed.get("bozo_exception")
    if exception is None:
        return ""
    return " ".join(str(exception).split())[:200]


def _items(parsed, *, url: str, feed_notes: tuple[str, ...]) -> Iterator[ParsedEntry]:
    feed_authors = _authors(parsed.feed)
    for number, entry in enumerate(parsed.entries, start=1):
        position = f"entry {number}"
        try:
            yield _item(
                entry, position=position, url=url, feed_authors=feed_authors, notes=feed_notes
            )
        except _EntryError as exc:
            yield FailedItem(position=position, source_key=exc.source_key, reason=str(exc))
        except (
            etree.LxmlError, ValueError, TypeError, AttributeError, KeyError, RecursionError
        ) as exc:  # fmt: skip
            # A hostile entry can trip the HTML tools in ways no CMS's entry does: one line,
            # and the entries after it go on.
            reason = " ".join(str(exc).split())[:200]
            yield FailedItem(
                position=position,
                source_key=_source_key(entry, url) or "",
                reason=f"the entry could not be read ({type(exc).__name__}: {reason})",
            )


# --- one entry -----------------------------------------------------------------------------


class _EntryError(ValueError):
    def __init__(self, reason: str, source_key: str = ""):
        super().__init__(reason)
        self.source_key = source_key


def _plain(value: str | None) -> str:
    """Text of a title or a summary: tags dropped, entities (even double-escaped) decoded."""
    if not value:
        return ""
    text = nh3.clean(value, tags=set())  # tags dropped, text kept (escaped)
    # Feeds escape twice ("&amp;#8217;"): unescape until nothing changes (at most thrice).
    for _ in range(3):
        unescaped = html.unescape(text)
        if unescaped == text:
            break
        text = unescaped
    # Whitespace squashed (not squash(): that would unescape once more).
    return " ".join(text.replace("\u200b", "").replace("\ufeff", "").split())


def _source_key(entry, url: str) -> str:
    key = squash(entry.get("id") or "")
    if key and not _URI.match(key):
        # "4812" is unique in its feed, not in the world: another site's feed has one too.
        key = f"feed:{urlsplit(url).netloc.lower()}:{key}"
    key = key or resolve_url(entry.get("link"), url)
    if len(key) > SOURCE_KEY_MAX_LENGTH:
        # Stable and short: some feeds use whole URLs with tracking queries as ids.
        key = "sha256:" + hashlib.sha256(key.encode("utf-8")).hexdigest()
    return key


def _letters(text: str) -> str:
    """Text compared without its spacing: "<br>" runs words together in summaries."""
    return "".join(text.split()).casefold()


def _when(value: struct_time | None) -> datetime | None:
    # feedparser gives UTC struct_times; a bogus one (year 0) is no date.
    if value is None:
        return None
    try:
        return datetime(*value[:6], tzinfo=UTC)
    except (ValueError, TypeError):
        return None


def _authors(holder) -> tuple[tuple[str, str], ...]:
    found: dict[str, tuple[str, str]] = {}
    emails: set[str] = set()
    for detail in holder.get("authors") or (
        [holder["author_detail"]] if holder.get("author_detail") else []
    ):
        name = _plain(detail.get("name") or "")
        email = squash(detail.get("email") or "")
        if email in emails:
            email = ""  # feedparser carries one author's e-mail over to the next
        emails.add(email)
        if not name and email:
            name = email.split("@", 1)[0]
        if name and name.casefold() not in found:
            found[name.casefold()] = (name[:200], email)
    return tuple(found.values())


def _tags(entry) -> tuple[str, ...]:
    tags: dict[str, str] = {}
    for tag in entry.get("tags") or ():
        name = _plain(tag.get("label") or tag.get("term") or "")
        if name and name.casefold() not in tags:
            tags[name.casefold()] = name[:TAG_MAX_LENGTH]
    return tuple(tags.values())


def _body_source(entry) -> str:
    """The entry's full content, in HTML: Atom content or RSS content:encoded."""
    candidates = []
    for content in entry.get("content") or ():
        if content.get("src"):
            continue  # out-of-line content (Atom src=): not in the feed
        value = content.get("value") or ""
        kind = content.get("type") or "text/html"
        if kind == "text/plain":
            value = "".join(f"<p>{html.escape(part)}</p>" for part in value.split("\n\n"))
        candidates.append(value)
    return max(candidates, key=len, default="")


def _lead_image(entry, url: str) -> tuple[ImportedImage | None, bool]:
    """media:content (the widest picture), else an image enclosure, else media:thumbnail.

    Also whether it is only a thumbnail (a copy in the body is then the better picture)."""
    credit = ""
    credits = entry.get("media_credit") or ()
    if credits:
        credit = _plain(credits[0].get("content") or "")
    pictures = []
    for media in entry.get("media_content") or ():
        src = resolve_url(media.get("url"), url)
        is_image = media.get("medium") == "image" or (media.get("type") or "").startswith("image/")
        if src and (is_image or (not media.get("medium") and _IMAGE_FILE.search(src))):
            try:
                width = int(media.get("width") or 0)
            except ValueError:
                width = 0
            pictures.append((width, src))
    if pictures:
        return ImportedImage(source_url=max(pictures)[1], credit=credit), False
    for link in entry.get("links") or ():
        if link.get("rel") != "enclosure":
            continue
        src = resolve_url(link.get("href"), url)
        if src and ((link.get("type") or "").startswith("image/") or _IMAGE_FILE.search(src)):
            return ImportedImage(source_url=src, credit=credit), False
    for thumbnail in entry.get("media_thumbnail") or ():
        if src := resolve_url(thumbnail.get("url"), url):
            return ImportedImage(source_url=src, credit=credit), True
    return None, False


def _item(
    entry,
    *,
    position: str,
    url: str,
    feed_authors: tuple[tuple[str, str], ...],
    notes: tuple[str, ...],
) -> ImportItem:
    notes = list(notes)
    source_key = _source_key(entry, url)
    if not source_key:
        raise _EntryError("the entry has no id and no link: it cannot be told apart from others")
    link = resolve_url(entry.get("link"), url)
    base = link or url
    body = _Body.from_html(_body_source(entry), base=base)
    summary = _plain(entry.get("summary"))

    headline = _plain(entry.get("title"))
    if not headline:
        words = (body.text or summary).split()
        if not words:
            raise _EntryError("the entry has no title, no summary and no content", source_key)
        headline = " ".join(words[:10]) + ("…" if len(words) > 10 else "")
        notes.append("the entry has no title: the headline is its first words")

    # dict.get: feedparser's own get() answers "updated" with "published" (its issue 310).
    published = _when(dict.get(entry, "published_parsed"))
    updated = _when(dict.get(entry, "updated_parsed"))
    raw_dates = (dict.get(entry, "published"), published), (dict.get(entry, "updated"), updated)
    for raw, parsed in raw_dates:
        if raw and parsed is None:
            notes.append(f"the date {squash(raw)[:60]!r} could not be read")
    if published is None and updated is not None:
        published = updated
        notes.append("the entry gives no publication time: its update time is used")

    lead_image, thumbnail = _lead_image(entry, url)
    if lead_image is not None and body.figures:
        first = body.figures[0]
        if image_key(first.source_url) == image_key(lead_image.source_url):
            # The body opens with the picture the feed names as the entry's image.
            lead_image = ImportedImage(
                source_url=first.source_url if thumbnail else lead_image.source_url,
                alt=first.alt,
                caption=first.caption,
                credit=lead_image.credit or first.credit,
            )
            body.drop_first_figure()

    headline_only = not body.has_text
    standfirst = summary
    if headline_only:
        notes.append("the entry has only a summary: imported as a headline-only article")
    elif _letters(_MORE_MARKERS.sub("", summary)) in _letters(body.text):
        # The summary is the body's opening cut short (or feedparser's copy of the content):
        # not a standfirst.
        standfirst = ""
    standfirst = (
        _MORE_MARKERS.sub("…", standfirst) if standfirst.endswith(("[…]", "[...]")) else standfirst
    )
    if len(standfirst) > STANDFIRST_MAX_LENGTH:
        cut = standfirst[: STANDFIRST_MAX_LENGTH - 1].rsplit(" ", 1)[0]
        standfirst = cut.rstrip(",;:") + "…"
        notes.append("the summary is longer than a standfirst: cut short")
    notes.extend(body.notes)

    return ImportItem(
        source_key=source_key,
        position=position,
        headline=headline,
        published=published,
        updated=updated,
        authors=_authors(entry) or feed_authors,
        tags=_tags(entry),
        standfirst=standfirst,
        body_html="" if headline_only else body.html,
        lead_image=lead_image,
        images=() if headline_only else tuple(body.figures),
        notes=tuple(dict.fromkeys(notes)),
        headline_only=headline_only,
        link=link,
    )


# --- the body ------------------------------------------------------------------------------

_BODY_TAGS = {
    "p", "h2", "h3", "ul", "ol", "li", "blockquote", "pre", "figure", "figcaption", "img",
    "small", "a", "strong", "em", "u", "code", "sub", "sup", "br",
}  # fmt: skip
_RENAME = {"b": "strong", "i": "em", "h1": "h2", "h4": "h3", "h5": "h3", "h6": "h3", "cite": "em"}
_BLOCKS = {"p", "h2", "h3", "ul", "ol", "blockquote", "pre"}
# Elements that hold blocks: they end a paragraph, as a browser shows them.
_CONTAINERS = {"div", "section", "article", "main", "header", "footer", "center", "aside", "dl"}
_BLOCK_LIKE = _BLOCKS | _CONTAINERS | {"figure", "table", "h1", "h4", "h5", "h6"}
# WordPress's feed footer, on every entry of millions of sites: not the story.
_FEED_FOOTER = re.compile(r"^<p>The post <a [^>]+>.*</a> appeared first on <a [^>]+>.*</a>\.</p>$")
_DROPPED = {"script", "style", "noscript", "template", "form", "button", "svg", "object", "embed"}
_MEDIA = {"iframe", "video", "audio"}
_PARAGRAPH_BREAK = re.compile(r"(?:<br\s*/?>\s*){2,}")
_EDGE_BREAKS = re.compile(r"^(?:<br\s*/?>\s*)+|(?:<br\s*/?>\s*)+$")
_TAG_TEXT = re.compile(r"<[^>]+>")


@dataclass
class _Body:
    """An entry's HTML cut into the article body's blocks, its pictures made figures."""

    base: str
    blocks: list[str] = field(default_factory=list)
    figures: list[ImportedImage] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    _run: list[str] = field(default_factory=list)  # inline content waiting for its <p>
    _figure_blocks: list[int] = field(default_factory=list)  # each figure's index in blocks

    @classmethod
    def from_html(cls, markup: str, *, base: str) -> _Body:
        body = cls(base=base)
        if markup.strip():
            body._walk(lxml_html.fragment_fromstring(markup, create_parent="div"))
            body._flush()
        return body

    @property
    def html(self) -> str:
        return "".join(self.blocks)

    @property
    def text(self) -> str:
        return squash(html.unescape(_TAG_TEXT.sub(" ", self.html)))

    @property
    def has_text(self) -> bool:
        return any(not block.startswith("<figure") for block in self.blocks)

    def drop_first_figure(self) -> None:
        index = self._figure_blocks.pop(0)
        del self.blocks[index]
        self.figures.pop(0)
        self._figure_blocks = [i - 1 if i > index else i for i in self._figure_blocks]

    # Walking the tree: block elements become blocks, inline content gathers into paragraphs.

    def _walk(self, parent) -> None:
        if parent.text:
            self._run.append(html.escape(parent.text))
        for node in parent:
            tag = _RENAME.get(node.tag, node.tag) if isinstance(node.tag, str) else ""
            if tag in _MEDIA:
                self.notes.append(f"an embedded {tag} was dropped")
            elif not tag or tag in _DROPPED:
                pass  # comments, scripts: nothing a reader saw
            elif tag == "figure":
                self._flush()
                self._figure_element(node)
            elif tag == "img":
                self._flush()
                self._figure(node)
            elif tag == "table":
                self._flush()
                self.notes.append("a table was dropped: an article body has no tables")
            elif tag == "hr":
                self._flush()
            elif tag in ("ul", "ol", "blockquote", "pre"):  # blocks that may hold blocks
                self._flush()
                self._add(tag, _inner(node))
            elif tag in _CONTAINERS or _has_blocks(node):  # or a <p> that wraps blocks
                self._flush()
                self._walk(node)
                self._flush()
            elif tag == "p":  # through the run: <br><br> inside it splits it too
                self._flush()
                self._run.append(_inner(node))
                self._flush()
            elif tag in _BLOCKS:
                self._flush()
                self._add(tag, _inner(node))
            else:  # inline markup, or a container of it
                self._run.append(lxml_html.tostring(node, encoding="unicode", with_tail=False))
            if node.tail:
                self._run.append(html.escape(node.tail))

    def _flush(self) -> None:
        inline = "".join(self._run).strip()
        self._run.clear()
        # Text run together with blank lines (<br><br>) between is paragraphs.
        for part in _PARAGRAPH_BREAK.split(inline):
            if part := _EDGE_BREAKS.sub("", part.strip()):
                self._add("p", part)

    def _add(self, tag: str, inner: str) -> None:
        """One block: its markup normalised and sanitised; its pictures figures after it."""
        holder = lxml_html.fragment_fromstring(f"<{tag}>{inner}</{tag}>", create_parent="div")
        pictures = []
        for node in list(holder.iter()):
            if not isinstance(node.tag, str) or node is holder:
                continue
            if node.tag in _MEDIA:
                self.notes.append(f"an embedded {node.tag} was dropped")
                node.drop_tree()
            elif node.tag in _DROPPED:
                node.drop_tree()
            elif node.tag == "img":
                pictures.append(node)
                node.drop_tree()
            elif node.tag == "a":
                href = resolve_url(node.get("href"), self.base)
                node.attrib.clear()
                if href:
                    node.set("href", href)
                else:
                    node.drop_tag()
            else:
                node.tag = _RENAME.get(node.tag, node.tag)
        for link in holder.iter("a"):
            if not squash(link.text_content()):
                link.drop_tree()  # it wrapped a picture, now a figure of its own
        markup = nh3.clean(
            _inner(holder),
            tags=_BODY_TAGS - {"figure", "figcaption", "img", "small"},
            attributes={"a": {"href"}},
            url_schemes={"http", "https", "mailto"},
            link_rel=None,
        ).strip()
        if _FEED_FOOTER.match(markup):
            self.notes.append("the feed's 'The post ... appeared first on' footer was dropped")
        elif squash(html.unescape(_TAG_TEXT.sub(" ", markup))):
            self.blocks.append(markup)
        for picture in pictures:
            self._figure(picture)

    def _figure_element(self, figure) -> None:
        captions = figure.xpath(".//figcaption")
        caption = squash(captions[0].text_content()) if captions else ""
        images = list(figure.iter("img"))
        if images:
            self._figure(images[0], caption=caption)
        if len(images) > 1:
            self.notes.append("a figure of several pictures: only its first was kept")

    def _figure(self, img, *, caption: str = "") -> None:
        src = img.get("src") or ""
        lazy = img.get("data-src") or img.get("data-lazy-src") or ""
        if lazy and (not src or src.startswith("data:") or re.search("placeholder|blank", src)):
            src = lazy  # a lazy loader's stand-in: the picture is in data-src
        src = resolve_url(src, self.base)
        if not src:
            return
        caption, credit = split_credit(caption)
        alt = squash(img.get("alt"))
        self._figure_blocks.append(len(self.blocks))
        markup = f'<figure><img src="{html.escape(src)}" alt="{html.escape(alt)}">'
        if caption or credit:
            small = f" <small>{html.escape(credit)}</small>" if credit else ""
            markup += f"<figcaption>{html.escape(caption)}{small}</figcaption>"
        self.blocks.append(markup + "</figure>")
        self.figures.append(ImportedImage(source_url=src, alt=alt, caption=caption, credit=credit))


def _inner(element) -> str:
    """An element's content as markup, without the element's own tags."""
    parts = [html.escape(element.text or "")]
    parts.extend(lxml_html.tostring(child, encoding="unicode") for child in element)
    return "".join(parts)


def _has_blocks(element) -> bool:
    return any(
        isinstance(node.tag, str) and node.tag in _BLOCK_LIKE for node in element.iterdescendants()
    )
