"""WordPress eXtended RSS (WXR 1.1 and 1.2), streamed: one ``ImportItem`` per post.

An export can be hundreds of megabytes, so it is never read whole. Two passes of lxml's
``iterparse``, each element cleared as soon as it is read: the first collects the small
things posts refer to (authors, categories' ids, attachments: address, alt text, caption,
credit), the second yields the posts, one at a time. Memory grows with the number of
attachments and authors, not with the size of the posts.

Safety: the file is refused with a one-line reason when it declares a DTD (entity expansion
bombs and external entities both need one; a WordPress export never has one), and lxml runs
with entities unresolved, no network and ``huge_tree`` off. Bytes that are not UTF-8 in a
file that says it is (the common lie: Windows-1252 pasted into posts) are read as
Windows-1252; characters XML forbids are dropped; both are noted.

What a post becomes is in ``_post``; the body's HTML in ``wordpress_body``.
"""

from __future__ import annotations

import html
import json
import re
import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, tzinfo
from io import BytesIO
from pathlib import Path
from typing import BinaryIO
from urllib.parse import urlsplit

from lxml import etree
from lxml import html as lxml_html

from ..body import embed_url
from ..items import (
    FailedItem,
    ImportedComment,
    ImportedImage,
    ImportItem,
    ParsedEntry,
    SkippedItem,
    Status,
)
from .webpage_body import split_credit

__all__ = ["WxrError", "parse_wxr", "wordpress_body"]

HEAD_BYTES = 64 * 1024
CHUNK_BYTES = 256 * 1024
TITLE_WORDS = 8


class WxrError(ValueError):
    """The export cannot be read at all; one line, no file name (the caller adds it)."""


# --- the byte stream ---------------------------------------------------------------------------

_DECLARATION = re.compile(rb"^(\s*<\?xml[^>]*?encoding\s*=\s*[\"'])([A-Za-z0-9._-]+)([\"'])")
# XML 1.0 forbids these characters even as references; exports carry them from pasted text.
_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_ESCAPED_BYTES = re.compile("[\udc80-\udcff]+")


class _CleanReader:
    """The export's bytes as clean UTF-8 for lxml, read a chunk at a time.

    Decodes with the declared encoding (UTF-8 when none), reads bytes that are not UTF-8 as
    Windows-1252, drops characters XML forbids, and rewrites the declaration to UTF-8."""

    def __init__(self, raw: BinaryIO, *, on_read: Callable[[int], None] | None = None):
        self.raw = raw
        self.on_read = on_read
        self.read_bytes = 0
        self.first = True
        self.encoding = "utf-8"
        self.decoder = None
        self.pending = b""
        self.notes: set[str] = set()
        self.lines = 1  # lines read so far; all of them once the file is read to its end
        self.at_end = False

    def read(self, size: int = -1) -> bytes:
        """At most ``size`` bytes, as a file's read does."""
        while not self.pending and not self.at_end:
            self.pending = self._next()
        if size is None or size < 0:
            size = len(self.pending)
        data, self.pending = self.pending[:size], self.pending[size:]
        return data

    def _next(self) -> bytes:
        while True:
            chunk = self.raw.read(CHUNK_BYTES)
            if not chunk:
                self.at_end = True
            self.read_bytes += len(chunk)
            if self.on_read is not None:
                self.on_read(self.read_bytes)
            if self.first:
                chunk = self._start(chunk)
            text = self.decoder.decode(chunk, final=not chunk)
            if self.encoding == "utf-8" and _ESCAPED_BYTES.search(text):
                text = _ESCAPED_BYTES.sub(_as_windows_1252, text)
                self.notes.add("bytes that are not UTF-8 were read as Windows-1252")
            if _FORBIDDEN.search(text):
                text = _FORBIDDEN.sub("", text)
                self.notes.add("control characters XML does not allow were dropped")
            self.lines += text.count("\n")
            if text or not chunk:
                return text.encode("utf-8")

    def _start(self, chunk: bytes) -> bytes:
        import codecs

        self.first = False
        if chunk.startswith(codecs.BOM_UTF8):
            chunk = chunk[len(codecs.BOM_UTF8) :]
        match = _DECLARATION.match(chunk)
        if match:
            declared = match.group(2).decode("ascii").lower()
            try:
                self.encoding = codecs.lookup(declared).name
            except LookupError:
                self.notes.add(f"the declared encoding {declared!r} is unknown: read as UTF-8")
                self.encoding = "utf-8"
            chunk = match.group(1) + b"UTF-8" + match.group(3) + chunk[match.end() :]
        errors = "surrogateescape" if self.encoding == "utf-8" else "replace"
        self.decoder = codecs.getincrementaldecoder(self.encoding)(errors=errors)
        return chunk


def _as_windows_1252(match: re.Match) -> str:
    raw = bytes(ord(char) - 0xDC00 for char in match.group(0))
    return raw.decode("cp1252", errors="replace")


def _check_head(head: bytes) -> None:
    """Refuse what is not an export before lxml sees a byte of it."""
    if not head.strip():
        raise WxrError("the file is empty")
    if b"\x00" in head[:8192]:
        raise WxrError("binary data, not a WordPress export")
    start = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    if not start.startswith(b"<"):
        raise WxrError("not XML: a WordPress export starts with <?xml or <rss")
    lowered = head.lower()
    # Only the prologue can declare entities: a post about XML may quote "<!ENTITY" safely.
    prologue = lowered.split(b"<rss", 1)[0]
    if b"<!doctype" in prologue or b"<!entity" in prologue:
        raise WxrError(
            "refused: the file declares a DTD or entities (a WordPress export has none; "
            "entity expansion and external entities are not read)"
        )
    if b"wordpress.org/export/" not in lowered:
        raise WxrError("not a WordPress export (no WXR namespace)")


# --- names in the export -------------------------------------------------------------------------


def _local(element: etree._Element) -> str:
    return etree.QName(element).localname


def _space(element: etree._Element) -> str:
    return etree.QName(element).namespace or ""


def _is_wp(element: etree._Element) -> bool:
    return _space(element).startswith("http://wordpress.org/export/") and (
        "/excerpt/" not in _space(element)
    )


def _wp(element: etree._Element, name: str) -> str:
    for child in element:
        if isinstance(child.tag, str) and _local(child) == name and _is_wp(child):
            return (child.text or "").strip()
    return ""


def _plain(element: etree._Element, name: str) -> str:
    """A child of the item without a namespace (title, link, guid)."""
    for child in element:
        if isinstance(child.tag, str) and child.tag == name:
            return child.text or ""
    return ""


def _encoded(element: etree._Element, space_part: str) -> str:
    for child in element:
        if (
            isinstance(child.tag, str)
            and _local(child) == "encoded"
            and space_part in _space(child)
        ):
            return child.text or ""
    return ""


def _postmeta(item: etree._Element) -> dict[str, str]:
    meta: dict[str, str] = {}
    for child in item:
        if isinstance(child.tag, str) and _local(child) == "postmeta" and _is_wp(child):
            key = _wp(child, "meta_key")
            if key and key not in meta:
                meta[key] = _wp(child, "meta_value")
    return meta


def _release(element: etree._Element) -> None:
    """Forget an element once read: its content, and the siblings read before it."""
    element.clear(keep_tail=False)
    parent = element.getparent()
    if parent is not None:
        while element.getprevious() is not None:
            del parent[0]


class _BrokenExport(Exception):
    """The XML breaks off or goes wrong at some point; the message is one line."""


def _reading(parser, reader: _CleanReader):
    try:
        yield from parser
    except etree.XMLSyntaxError as exc:
        message = str(getattr(exc, "msg", "") or exc).split("\n")[0].strip()
        line = exc.position[0] if getattr(exc, "position", None) else exc.lineno
        if reader.at_end and line >= reader.lines - 1:
            reason = f"the export ends early at line {line} (truncated?): {message}"
        elif "entity" in message.lower():
            reason = f"refused at line {line}: {message}"
        else:
            reason = f"malformed XML at line {line}: {message}"
        raise _BrokenExport(reason) from None


def _iterate(opener: Callable[[], BinaryIO], tags, reader_notes: set[str], on_read=None):
    """(element) for each tag, cleared after the caller is done with it."""
    with opener() as raw:
        reader = _CleanReader(raw, on_read=on_read)
        parser = etree.iterparse(
            reader,
            events=("end",),
            tag=tags,
            resolve_entities=False,
            no_network=True,
            load_dtd=False,
            huge_tree=False,
            remove_comments=True,
            remove_pis=True,
        )
        try:
            for _, element in _reading(parser, reader):
                yield element
                parent = element.getparent()
                # What is inside an item goes with the item; the item and the channel's own
                # elements go as soon as they are read.
                if _local(element) == "item" or parent is None or _local(parent) == "channel":
                    _release(element)
        finally:
            reader_notes |= reader.notes


# --- the first pass: what posts refer to ------------------------------------------------------


@dataclass(frozen=True)
class _Attachment:
    url: str
    alt: str
    caption: str
    credit: str


@dataclass
class _Index:
    home: str = ""  # the blog's address: ?p=ID links are under it
    authors: dict[str, tuple[str, str]] = field(default_factory=dict)  # login -> (name, email)
    categories: dict[str, str] = field(default_factory=dict)  # term id -> name
    attachments: dict[str, _Attachment] = field(default_factory=dict)  # post id -> picture
    by_url: dict[str, str] = field(default_factory=dict)  # attachment address -> post id
    version: str = ""
    error: str = ""


_CREDIT_META = ("_media_credit", "media_credit", "_credit", "credit", "_wp_attachment_credit")
_SERIALIZED_CREDIT = re.compile(r's:6:"credit";s:\d+:"([^"]*)"')


def _index(opener: Callable[[], BinaryIO], notes: set[str]) -> _Index:
    index = _Index()
    tags = ("item", "{*}author", "{*}category", "{*}base_blog_url", "{*}base_site_url",
            "{*}wxr_version", "link")  # fmt: skip
    try:
        for element in _iterate(opener, tags, notes):
            name, parent = _local(element), element.getparent()
            in_channel = parent is not None and _local(parent) == "channel"
            if name == "item":
                _index_item(index, element)
            elif not in_channel:
                continue
            elif name == "author" and _is_wp(element):
                login = _wp(element, "author_login")
                display = _wp(element, "author_display_name") or login
                index.authors[login] = (_text_of(display), _wp(element, "author_email"))
            elif name == "category" and _is_wp(element):
                index.categories[_wp(element, "term_id")] = _text_of(_wp(element, "cat_name"))
            elif name in {"base_blog_url", "base_site_url", "link"}:
                # The blog's own address (base_blog_url) wins over the site's and the link.
                if name == "base_blog_url" or not index.home:
                    index.home = (element.text or "").strip()
            elif name == "wxr_version":
                index.version = (element.text or "").strip()
    except _BrokenExport as exc:
        index.error = str(exc)
    return index


def _index_item(index: _Index, item: etree._Element) -> None:
    if _wp(item, "post_type") != "attachment":
        return
    post_id = _wp(item, "post_id")
    url = _wp(item, "attachment_url") or _plain(item, "guid").strip()
    if not post_id or not url:
        return
    meta = _postmeta(item)
    caption = _text_of(_encoded(item, "/excerpt/"))
    credit = next((meta[key].strip() for key in _CREDIT_META if meta.get(key, "").strip()), "")
    if not credit and (found := _SERIALIZED_CREDIT.search(meta.get("_wp_attachment_metadata", ""))):
        credit = found.group(1).strip()
    if not credit and caption:
        caption, credit = split_credit(caption)
    alt = _text_of(meta.get("_wp_attachment_image_alt", ""))
    index.attachments[post_id] = _Attachment(url=url, alt=alt, caption=caption, credit=credit)
    index.by_url[_unsized(url)] = post_id


_SIZE_SUFFIX = re.compile(r"-\d+x\d+(?=\.\w+$)")


def _unsized(url: str) -> str:
    """An upload's address without its size suffix (photo-300x200.jpg -> photo.jpg)."""
    parts = urlsplit(url)
    return f"{parts.netloc}{_SIZE_SUFFIX.sub('', parts.path)}".lower()


# --- text ------------------------------------------------------------------------------------


def _text_of(markup: str) -> str:
    """Plain text of a title or caption as WordPress stores it: entities (even escaped twice)
    decoded, tags gone, whitespace collapsed, composed (NFC)."""
    text = html.unescape(html.unescape(markup)) if "&amp;" in markup else html.unescape(markup)
    if "<" in text:
        text = lxml_html.fragment_fromstring(text, create_parent="div").text_content()
    return unicodedata.normalize("NFC", " ".join(text.split()))


def _wp_time(value: str, zone: tzinfo | None) -> datetime | None:
    """A WordPress time ("2024-03-04 09:15:30"); None when the export leaves it unset.
    ValueError for one that is set but is no time: the item fails, with that reason."""
    value = value.strip()
    if not value or value.startswith("0000-00-00"):
        return None
    try:
        moment = datetime.strptime(value, "%Y-%m-%d %H:%M:%S")
    except ValueError:
        raise ValueError(f"the date {value[:40]!r} is not a time") from None
    return moment.replace(tzinfo=zone or UTC)


# --- the body --------------------------------------------------------------------------------

_EMBED_BLOCK = re.compile(
    r"<!--\s*wp:(?:core-)?embed(?:/[\w-]+)?\s*(\{.*?\})?\s*-->(.*?)<!--\s*/wp:(?:core-)?embed"
    r"(?:/[\w-]+)?\s*-->",
    re.S,
)
_CAPTION = re.compile(r"\[(caption|wp_caption)([^\]]*)\](.*?)\[/\1\]", re.S | re.I)
_EMBED_SHORTCODE = re.compile(r"\[embed[^\]]*\](.*?)\[/embed\]", re.S | re.I)
_SHORTCODE = re.compile(r"\[(/?)([a-z][a-z0-9_-]*)((?:\s[^\]]*)?)\]")
_KNOWN_SHORTCODES = {
    "gallery", "audio", "video", "playlist", "contact-form-7", "contact-form", "vc_row",
    "vc_column", "vc_column_text", "et_pb_section", "et_pb_row", "et_pb_text", "fusion_builder",
    "wpforms", "ninja_form", "gravityform", "shortcode", "ad", "adsense", "related",
}  # fmt: skip
_URL_LINE = re.compile(r"^[ \t]*(https?://[^\s<>\"]+)[ \t]*$", re.M)
_BLOCK_START = re.compile(
    r"^\s*<(?:p|h[1-6]|ul|ol|li|blockquote|figure|div|table|pre|hr|iframe|section|dl|address)\b",
    re.I,
)
_ATTACHMENT_ID = re.compile(r"(?:attachment_|wp-image-)(\d+)")


def _embed_block(match: re.Match, notes: list[str]) -> str:
    url = ""
    if match.group(1):
        try:
            url = str(json.loads(match.group(1)).get("url", ""))
        except (ValueError, AttributeError):
            url = ""
    if not url:
        found = re.search(r"https?://[^\s<>\"]+", match.group(2))
        url = found.group(0) if found else ""
    if url and embed_url(url):
        return f"\n\n<p>{html.escape(url)}</p>\n\n"
    if url:
        notes.append(f"an embed of {url} became a link (Gazette embeds YouTube, Vimeo and X)")
        return f'\n\n<p><a href="{html.escape(url)}">{html.escape(url)}</a></p>\n\n'
    return ""


def _caption_shortcode(match: re.Match, index: _Index) -> str:
    attributes, inner = match.group(2), match.group(3)
    fragment = lxml_html.fragment_fromstring(inner, create_parent="div")
    image = next(fragment.iter("img"), None)
    if image is None:
        return inner
    text = _text_of(fragment.text_content())
    caption_attribute = re.search(r'caption\s*=\s*"([^"]*)"', attributes)
    if not text and caption_attribute:
        text = _text_of(caption_attribute.group(1))
    found = _ATTACHMENT_ID.search(attributes) or _ATTACHMENT_ID.search(image.get("class") or "")
    attachment = index.attachments.get(found.group(1)) if found else None
    caption, credit = split_credit(text)
    if attachment is not None and attachment.credit and not credit:
        credit = attachment.credit
    src = html.escape(image.get("src") or "")
    alt = html.escape(image.get("alt") or "")
    small = f" <small>{html.escape(credit)}</small>" if credit else ""
    caption_html = (
        f"<figcaption>{html.escape(caption)}{small}</figcaption>" if caption or credit else ""
    )
    classes = f' class="wp-image-{found.group(1)}"' if found else ""
    return f'\n\n<figure><img src="{src}" alt="{alt}"{classes}>{caption_html}</figure>\n\n'


def _other_shortcodes(markup: str, notes: list[str]) -> str:
    """Shortcodes Gazette has no use for are dropped, each named in the notes once. Enclosing
    ones keep their content; words in brackets that are not shortcodes ("[sic]") stay."""
    closing = {m.group(2).lower() for m in _SHORTCODE.finditer(markup) if m.group(1)}
    dropped: list[str] = []

    def replace(match: re.Match) -> str:
        slash, name, attributes = match.groups()
        name = name.lower()
        if not (slash or attributes.strip() or name in closing or name in _KNOWN_SHORTCODES):
            return match.group(0)
        if name not in dropped:
            dropped.append(name)
        return ""

    markup = _SHORTCODE.sub(replace, markup)
    notes += [f"shortcode [{name}] dropped" for name in dropped]
    return markup


def _autop(markup: str) -> str:
    """WordPress's paragraphs for classic content: blank lines part paragraphs, a single
    line break is a <br>; block-level markup is left as it is."""
    chunks = re.split(r"\n\s*\n", markup.replace("\r\n", "\n").replace("\r", "\n"))
    out = []
    for chunk in chunks:
        chunk = chunk.strip()
        if not chunk:
            continue
        if _BLOCK_START.match(chunk):
            out.append(chunk)
        else:
            out.append("<p>" + chunk.replace("\n", "<br>\n") + "</p>")
    return "\n".join(out)


def _point_at_attachments(markup: str, index: _Index, used: dict[str, _Attachment]) -> str:
    """Pictures in the body point at their attachment (its full-size address), and carry its
    alt text and credit where the body's copy has none."""
    if "<img" not in markup:
        return markup
    container = lxml_html.fragment_fromstring(markup, create_parent="div")
    for image in container.iter("img"):
        found = _ATTACHMENT_ID.search(image.get("class") or "")
        post_id = found.group(1) if found else index.by_url.get(_unsized(image.get("src") or ""))
        attachment = index.attachments.get(post_id or "")
        if attachment is None:
            continue
        used[attachment.url] = attachment
        image.set("src", attachment.url)
        if not (image.get("alt") or "").strip() and attachment.alt:
            image.set("alt", attachment.alt)
        figure = next(image.iterancestors("figure"), None)
        if figure is None or not attachment.credit:
            continue
        caption = next(figure.iter("figcaption"), None)
        if caption is None:
            caption = etree.SubElement(figure, "figcaption")
        if next(caption.iter("small"), None) is None:
            etree.SubElement(caption, "small").text = attachment.credit
    return "".join(
        [html.escape(container.text or "", quote=False)]
        + [lxml_html.tostring(child, encoding="unicode") for child in container]
    )


def wordpress_body(
    content: str, *, index: _Index | None = None, notes: list[str] | None = None
) -> tuple[str, tuple[ImportedImage, ...]]:
    """A post's content (Gutenberg blocks or classic HTML) as the HTML of Gazette's blocks,
    with the attachments it shows. Still to be sanitised by the importer."""
    index = index or _Index()
    notes = notes if notes is not None else []
    markup = _EMBED_BLOCK.sub(lambda match: _embed_block(match, notes), content)
    markup = _EMBED_SHORTCODE.sub(lambda match: f"\n\n{match.group(1).strip()}\n\n", markup)
    markup = _CAPTION.sub(lambda match: _caption_shortcode(match, index), markup)
    markup = _other_shortcodes(markup, notes)
    # A bare address of a post on its own line is an embed, as WordPress shows it.
    markup = _URL_LINE.sub(
        lambda match: f"\n\n{match.group(1)}\n\n" if embed_url(match.group(1)) else match.group(0),
        markup,
    )
    markup = re.sub(r"<!--.*?-->", "\n\n", markup, flags=re.S)  # Gutenberg's block comments
    markup = _autop(markup)
    used: dict[str, _Attachment] = {}
    markup = _point_at_attachments(markup, index, used)
    images = tuple(
        ImportedImage(source_url=url, alt=a.alt, caption=a.caption, credit=a.credit)
        for url, a in used.items()
    )
    return markup, images


# --- the second pass: posts --------------------------------------------------------------------

_STATUSES = {
    "publish": Status.LIVE,
    "draft": Status.DRAFT,
    "pending": Status.DRAFT,
    "future": Status.SCHEDULED,
    "private": Status.PRIVATE,
}
_SKIPPED_STATUSES = {
    "trash": "in the trash",
    "auto-draft": "an empty auto-draft",
    "inherit": "a revision",
}
_SKIPPED_TYPES = {
    "page": "a page, not a post",
    "nav_menu_item": "a menu item",
    "revision": "a revision",
    "wp_block": "a reusable block",
    "wp_navigation": "a navigation menu",
    "wp_template": "a theme template",
    "wp_template_part": "a theme template part",
    "wp_global_styles": "the theme's styles",
    "custom_css": "custom CSS",
}


def parse_wxr(
    source: Path | bytes,
    *,
    time_zone: tzinfo | None = None,
    on_progress: Callable[[int, int], None] | None = None,
) -> Iterator[ParsedEntry]:
    """The posts of an export, in its order. ``time_zone`` is the site's, for posts that have
    no GMT time. Raises WxrError (one line) when the file cannot be read at all; a file that
    breaks off ends with a FailedItem after the posts read before the break."""
    if isinstance(source, bytes):
        size = len(source)

        def opener() -> BinaryIO:
            return BytesIO(source)
    else:
        size = source.stat().st_size

        def opener() -> BinaryIO:
            return source.open("rb")

    with opener() as stream:
        _check_head(stream.read(HEAD_BYTES))
    reader_notes: set[str] = set()
    index = _index(opener, reader_notes)
    if not index.version and not index.attachments and index.error:
        raise WxrError(index.error)
    return _posts(opener, index, time_zone, reader_notes, size, on_progress)


def _posts(opener, index: _Index, zone, reader_notes, size, on_progress) -> Iterator[ParsedEntry]:
    number = 0
    read = (lambda done: on_progress(done, size)) if on_progress else None
    posts = _iterate(opener, ("item",), reader_notes, on_read=read)
    try:
        for element in posts:
            number += 1
            post_id = _wp(element, "post_id")
            position = f"item {number}" + (f" (post {post_id})" if post_id else "")
            try:
                entry = _post(element, index=index, zone=zone, position=position)
            except (ValueError, TypeError, etree.LxmlError) as exc:
                key = _plain(element, "guid").strip() or f"post {post_id}"
                reason = " ".join(str(exc).split())[:200] or type(exc).__name__
                entry = FailedItem(position=position, source_key=key, reason=reason)
            if entry is not None:
                if isinstance(entry, ImportItem) and reader_notes:
                    entry = _with_notes(entry, sorted(reader_notes))
                yield entry
    except _BrokenExport as exc:
        yield FailedItem(position=f"after item {number}", source_key="", reason=str(exc))


def _with_notes(item: ImportItem, notes: list[str]) -> ImportItem:
    from dataclasses import replace

    return replace(item, notes=tuple(dict.fromkeys((*item.notes, *notes))))


def _post(item: etree._Element, *, index: _Index, zone, position: str) -> ParsedEntry | None:
    post_type = _wp(item, "post_type") or "post"
    post_id = _wp(item, "post_id")
    key = _plain(item, "guid").strip() or f"wxr:{index.home}:post:{post_id}"
    if post_type == "attachment":
        return None  # read in the first pass: a picture, not an article
    if post_type != "post":
        reason = _SKIPPED_TYPES.get(post_type, f"a {post_type} (not a post)")
        return SkippedItem(position=position, source_key=key, reason=reason)
    raw_status = _wp(item, "status") or "publish"
    if raw_status in _SKIPPED_STATUSES:
        return SkippedItem(position, key, _SKIPPED_STATUSES[raw_status])
    notes: list[str] = []
    status = _STATUSES.get(raw_status)
    if status is None:
        notes.append(f"unknown status {raw_status!r}: imported as a draft")
        status = Status.DRAFT
    published = _wp_time(_wp(item, "post_date_gmt"), UTC) or _wp_time(_wp(item, "post_date"), zone)

    content = _encoded(item, "purl.org/rss/1.0/modules/content")
    body_html, images = wordpress_body(content, index=index, notes=notes)
    headline = _text_of(_plain(item, "title"))
    if not headline:
        words = _text_of(body_html).split()
        headline = " ".join(words[:TITLE_WORDS]) + ("…" if len(words) > TITLE_WORDS else "")
        headline = headline or f"Untitled post {post_id}"
        notes.append("the post has no title: its first words stand in")

    categories, tags, coauthors = [], [], []
    for element in item:
        if not isinstance(element.tag, str) or element.tag != "category":
            continue
        name = _text_of(element.text or "")
        domain = element.get("domain", "")
        if domain == "category" and name:
            categories.append(name)
        elif domain == "post_tag" and name:
            tags.append(name)
        elif domain == "author":
            coauthors.append((element.get("nicename", ""), name))
    meta = _postmeta(item)
    primary = index.categories.get(
        meta.get("_yoast_wpseo_primary_category") or meta.get("rank_math_primary_category") or ""
    )
    section = primary or (categories[0] if categories else "")

    authors = _authors(item, coauthors, index)
    lead = None
    if thumbnail := index.attachments.get(meta.get("_thumbnail_id", "")):
        lead = ImportedImage(
            source_url=thumbnail.url, alt=thumbnail.alt, caption=thumbnail.caption,
            credit=thumbnail.credit,
        )  # fmt: skip
    elif meta.get("_thumbnail_id"):
        notes.append(
            f"the featured image (attachment {meta['_thumbnail_id']}) is not in the export"
        )

    comments, left_out = _comments(item, zone)
    if left_out:
        notes.append(f"{left_out} comment(s) left out (spam, trash, unapproved or pingbacks)")

    old_urls = [_plain(item, "link").strip()]
    if post_id:
        old_urls.append(f"{index.home.rstrip('/')}/?p={post_id}")
    return ImportItem(
        source_key=key,
        position=position,
        headline=headline,
        status=status,
        published=published,
        section=section,
        authors=authors,
        tags=tuple(dict.fromkeys(tags)),
        standfirst=_text_of(_encoded(item, "/excerpt/")),
        body_html=body_html,
        lead_image=lead,
        images=images,
        comments=comments,
        old_urls=tuple(url for url in dict.fromkeys(old_urls) if url),
        notes=tuple(notes),
        slug=_wp(item, "post_name"),
    )


def _authors(item, coauthors, index: _Index) -> tuple[tuple[str, str], ...]:
    """Co-authors (Co-Authors Plus terms) in their order, else the post's creator."""
    found: list[tuple[str, str]] = []
    for nicename, name in coauthors:
        login = nicename.removeprefix("cap-")
        known = index.authors.get(login) or index.authors.get(name)
        found.append((name or (known[0] if known else login), known[1] if known else ""))
    if not found:
        for child in item:
            if isinstance(child.tag, str) and _local(child) == "creator":
                login = _text_of(child.text or "")
                if login:
                    found.append(index.authors.get(login, (login, "")))
    return tuple(dict.fromkeys(found))


def _comments(item, zone) -> tuple[tuple[ImportedComment, ...], int]:
    kept, left_out = [], 0
    for child in item:
        if not (isinstance(child.tag, str) and _local(child) == "comment" and _is_wp(child)):
            continue
        approved = _wp(child, "comment_approved")
        kind = _wp(child, "comment_type")
        if approved != "1" or kind in {"pingback", "trackback"}:
            left_out += 1
            continue
        try:
            posted = _wp_time(_wp(child, "comment_date_gmt"), UTC) or _wp_time(
                _wp(child, "comment_date"), zone
            )
        except ValueError:
            posted = None
        text = _text_of(_wp(child, "comment_content").replace("\n", " \n"))
        if not text or posted is None:
            left_out += 1
            continue
        kept.append(ImportedComment(_text_of(_wp(child, "comment_author")), posted, text))
    return tuple(kept), left_out
