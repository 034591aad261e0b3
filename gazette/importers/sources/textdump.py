"""Parse the text of an article page as a reader's browser copies it (a "text dump").

The format
----------
Select-all and copy on an article page gives one line per block element, in page order::

    Quick access to main page (top) ...     skip links (site furniture, ignored)
    <headline>                              the page's <h1>, one line
    <author name> Views <count>             byline; the count may be blank
    <credit>                                lead image credit, a short line (optional)
    <paragraph> ... <credit> ... <paragraph> body: one line per paragraph, with short
                                            image-credit lines between paragraphs
    <author name>                           author box: the name, then
    <e-mail>                                the author's address
    Comments<N>  300  • <comment> ...       comment count, box limit, published comments
    [SECTION] Latest Stories  • <headline>  latest stories of the article's section
    You May Also Like  • <rank> <headline> <SECTION LABEL>   (ranked, 5 items)
    Popular Now        (same shape)
    Must-Reads         (same shape)

The site prints some blocks twice (desktop and mobile copies), and the copy carries the
scars of the page: non-breaking spaces, HTML entities left as text (``LIFESTYLE&nbsp``),
``•`` bullets.

The approach
------------
Every line is cleaned first (entities decoded, whitespace collapsed, a leading bullet split
off into a flag) and blank lines are dropped; nothing after that looks at raw characters.
The head is read by position: the first line that is not a skip link is the headline and
the next one must be the byline. The body runs from the byline to the author box. The rest
is cut into blocks at the known headings, and the bullet items of each block are read;
blocks printed more than once are merged so that every item comes out once.

Typographic quotes and dashes are kept as written; only :func:`headline_key` folds them.
"""

from __future__ import annotations

import html
import re
import unicodedata
from collections import Counter
from collections.abc import Callable, Hashable, Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TypeVar

__all__ = [
    "InlineImage",
    "ParsedArticle",
    "Teaser",
    "TextdumpError",
    "decode_textdump",
    "headline_key",
    "parse_textdump",
]


class TextdumpError(ValueError):
    """One-line, human-readable reason (no filename; the caller adds it)."""


@dataclass(frozen=True)
class Teaser:
    headline: str
    section: str  # section name in title case, e.g. "Lifestyle"


@dataclass(frozen=True)
class InlineImage:
    credit: str
    after_paragraph: int  # 1-based; 0 would mean "before the first paragraph"


@dataclass(frozen=True)
class ParsedArticle:
    headline: str
    author_name: str
    author_email: str | None
    section: str
    lead_image_credit: str | None
    paragraphs: tuple[str, ...]
    inline_images: tuple[InlineImage, ...]
    view_count: int | None
    comment_count: int | None
    comments: tuple[str, ...]
    latest_stories: tuple[Teaser, ...]
    you_may_also_like: tuple[Teaser, ...]
    popular_now: tuple[Teaser, ...]
    must_reads: tuple[Teaser, ...]

    @property
    def source_key(self) -> str:
        return headline_key(self.headline)


# --- cleaning --------------------------------------------------------------------------------

# Entities the page left as text. Named ones are decoded only with their semicolon, except the
# few common ones the site is known to print without it: decoding every bare "&name" the way
# html.unescape does would turn "&notice" into "¬ice".
_ENTITY = re.compile(
    r"&(?:"
    r"\#[0-9]+;?|\#[xX][0-9a-fA-F]+;?"  # numeric references
    r"|[A-Za-z][A-Za-z0-9]*;"  # any named reference with its semicolon
    r"|(?:nbsp|amp|quot|lt|gt|apos)(?![A-Za-z0-9])"  # common names, semicolon lost
    r")"
)
# Zero-width characters travel with copied text but are not content.
_INVISIBLE = str.maketrans("", "", "\u200b\u2060\ufeff")
_BULLET = "\u2022"

_ASCII_FOLD = str.maketrans(
    {
        **dict.fromkeys("\u2018\u2019\u201a\u201b\u2032", "'"),
        **dict.fromkeys("\u201c\u201d\u201e\u201f\u2033", '"'),
        **dict.fromkeys("\u2010\u2011\u2012\u2013\u2014\u2015\u2212", "-"),
    }
)


def _decode_entity(match: re.Match[str]) -> str:
    entity = match.group()
    # html.unescape knows most names only with the semicolon the page may have dropped.
    return html.unescape(entity if entity.endswith(";") else entity + ";")


def _clean(text: str) -> str:
    """Decode left-over entities, drop invisible characters, collapse whitespace."""
    text = _ENTITY.sub(_decode_entity, text).translate(_INVISIBLE)
    # str.split() without arguments splits on every Unicode space, U+00A0 and U+202F included.
    return " ".join(text.split())


def headline_key(headline: str) -> str:
    """Stable identity of a headline across dumps.

    NFKC, typographic quotes/dashes mapped to ASCII, casefold, whitespace collapsed.
    Left-over entities are decoded first, so a raw and a cleaned copy of a headline agree.
    """
    text = unicodedata.normalize("NFKC", _clean(headline)).translate(_ASCII_FOLD)
    return " ".join(text.casefold().split())


def decode_textdump(data: bytes) -> str:
    """bytes -> str, with a UTF-8 BOM stripped and CRLF/CR normalised to LF.

    Raises TextdumpError for empty or whitespace-only input ("the file is empty") and for
    binary input, i.e. NUL bytes or invalid UTF-8 ("not a text file (binary or not UTF-8)").
    """
    data = data.removeprefix(b"\xef\xbb\xbf")
    # UTF-16 and other binary data show NUL bytes long before an invalid UTF-8 sequence.
    if b"\x00" in data:
        raise TextdumpError("not a text file (binary or not UTF-8)")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise TextdumpError("not a text file (binary or not UTF-8)") from None
    if not text.strip():
        raise TextdumpError("the file is empty")
    return text.replace("\r\n", "\n").replace("\r", "\n")


# --- lines -----------------------------------------------------------------------------------

_SKIP_LINKS = re.compile(
    r"(?:(?:Quick access to main page \((?:top|bottom)\)|Direct access to main contents)\s*)+",
    re.IGNORECASE,
)
_NUMBER = re.compile(r"[0-9]+")
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[A-Za-z]{2,}")
# A sentence ends with one of these; image credits and section labels do not.
_TERMINAL_PUNCTUATION = tuple('.!?"\u201d\u2019\u2026')
_MAX_CREDIT_WORDS = 8
_MAX_LABEL_WORDS = 4


@dataclass(frozen=True)
class _Line:
    text: str  # cleaned, without the bullet
    bullet: bool  # the line started with "•": a list item


def _split_lines(text: str) -> list[_Line]:
    """Clean every line, split a leading bullet off, drop blank lines."""
    lines = []
    for raw in text.splitlines():  # splitlines also takes CRLF and CR
        cleaned = _clean(raw)
        bullet = cleaned.startswith(_BULLET)
        if bullet:
            cleaned = cleaned.removeprefix(_BULLET).lstrip()
        if cleaned or bullet:
            lines.append(_Line(cleaned, bullet))
    return lines


def _is_short_unpunctuated(text: str, max_words: int) -> bool:
    """A credit or a label: a few words, not ending the way a sentence does."""
    is_sentence = text.endswith(_TERMINAL_PUNCTUATION)
    return bool(text) and len(text.split()) <= max_words and not is_sentence


def _shorten(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "\u2026"


# --- head --------------------------------------------------------------------------------------

# "1,204", "12.3K", "1.2M": the site formats the real number for humans.
_COUNT = r"(?P<number>\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?)\s?(?P<suffix>[KMB])?"
_BYLINE = re.compile(rf"(?P<author>\S.*?)\s+Views(?:\s+{_COUNT})?", re.IGNORECASE)
_SUFFIX_FACTOR = {"": 1, "K": 1_000, "M": 1_000_000, "B": 1_000_000_000}


@dataclass(frozen=True)
class _Byline:
    author: str
    view_count: int | None  # None when the page printed no number: never guess one


def _parse_byline(text: str) -> _Byline | None:
    match = _BYLINE.fullmatch(text)
    if match is None:
        return None
    view_count = None
    if match["number"]:
        # Decimal, not float: 12.3 * 1000 must be 12300, not 12299.999...
        number = Decimal(match["number"].replace(",", ""))
        view_count = int(number * _SUFFIX_FACTOR[(match["suffix"] or "").upper()])
    return _Byline(match["author"], view_count)


def _read_head(lines: Sequence[_Line]) -> tuple[int, _Byline]:
    """Index of the headline, and the byline that must follow it."""
    headline_at = _find_headline(lines)
    headline = lines[headline_at].text
    after = lines[headline_at + 1] if headline_at + 1 < len(lines) else None
    byline = _parse_byline(after.text) if after is not None and not after.bullet else None
    if byline is not None:
        return headline_at, byline
    # Only now is "<words> Views" taken for a misplaced byline: it is also a fine headline
    # ("Trump Defends His Views") when a real byline follows it.
    if _parse_byline(headline) is not None:
        raise TextdumpError(f"no headline found: the text starts with a byline ({headline!r})")
    found = f"found {_shorten(after.text)!r}" if after is not None else "the text ends there"
    raise TextdumpError(f"no byline ('<author> Views <count>') after the headline: {found}")


def _find_headline(lines: Sequence[_Line]) -> int:
    """Index of the headline: the first line that is not a skip link, if it can be one."""
    for index, line in enumerate(lines):
        if not line.bullet and _SKIP_LINKS.fullmatch(line.text):
            continue
        reason = _why_not_a_headline(line)
        if reason:
            raise TextdumpError(f"no headline found: the text starts with {reason}")
        return index
    raise TextdumpError("no headline found")


def _why_not_a_headline(line: _Line) -> str | None:
    if line.bullet:
        return f"a list item ({_shorten(line.text)!r})"
    spec = _heading_spec(line.text)
    if spec is not None:
        return f"the heading of the {spec.label} ({line.text!r})"
    if _NUMBER.fullmatch(line.text) or _EMAIL.fullmatch(line.text):
        return repr(line.text)
    return None


# --- body --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Body:
    lead_image_credit: str | None
    paragraphs: tuple[str, ...]
    inline_images: tuple[InlineImage, ...]


def _find_author_box(lines: Sequence[_Line], start: int, author: str) -> int | None:
    """Index of the author box's name line: the byline's author, then an e-mail line."""
    wanted = headline_key(author)  # names compare like headlines: case, spaces, typography
    # The box stands before the first heading: past it the body is over.
    for index in range(start, _first_heading(lines, start) - 1):
        if headline_key(lines[index].text) == wanted and _EMAIL.fullmatch(lines[index + 1].text):
            return index
    return None


def _read_body(lines: Sequence[_Line]) -> _Body:
    """Paragraphs and image credits: a credit is a short line that is not a sentence."""
    lead_image_credit = None
    paragraphs: list[str] = []
    images: list[InlineImage] = []
    for position, line in enumerate(lines):
        if not _is_short_unpunctuated(line.text, _MAX_CREDIT_WORDS):
            paragraphs.append(line.text)
        elif position == 0:  # right under the byline: the lead image
            lead_image_credit = line.text
        else:  # the image stands where its credit is: after the paragraphs read so far
            images.append(InlineImage(credit=line.text, after_paragraph=len(paragraphs)))
    return _Body(lead_image_credit, tuple(paragraphs), tuple(images))


# --- blocks after the body ---------------------------------------------------------------------


@dataclass(frozen=True)
class _BlockSpec:
    label: str  # as named in error messages
    heading: re.Pattern[str]
    ranked: bool = False  # items are "• <rank>", a headline, a section label


_COMMENTS = _BlockSpec("comments", re.compile(r"Comments\s*(?P<count>\d[\d,]*)?", re.I))
_LATEST = _BlockSpec(
    "Latest Stories list", re.compile(r"(?:\[(?P<section>[^\]]*)\]\s*)?Latest Stories", re.I)
)
_ALSO_LIKE = _BlockSpec("You May Also Like list", re.compile(r"You May Also Like", re.I), True)
_POPULAR = _BlockSpec("Popular Now list", re.compile(r"Popular Now", re.I), True)
_MUST_READS = _BlockSpec("Must-Reads list", re.compile(r"Must[- ]?Reads", re.I), True)
# In page order: the completeness check names the first one missing.
_BLOCK_SPECS = (_COMMENTS, _LATEST, _ALSO_LIKE, _POPULAR, _MUST_READS)

# str.title() would give "World'S": capitalise whole words, apostrophes included.
_WORD = re.compile(r"[^\W\d_]+(?:['\u2019][^\W\d_]+)?")


@dataclass
class _Block:
    spec: _BlockSpec
    heading: re.Match[str]
    lines: list[_Line] = field(default_factory=list)

    def items(self) -> list[list[str]]:
        """The block's list items: a bullet line and the lines under it, up to the next one.

        Lines before the first bullet (the comment box's "300") belong to no item.
        """
        items: list[list[str]] = []
        for line in self.lines:
            if line.bullet:
                items.append([line.text])
            elif items:
                items[-1].append(line.text)
        return items


def _heading_spec(text: str) -> _BlockSpec | None:
    for spec in _BLOCK_SPECS:
        if spec.heading.fullmatch(text):
            return spec
    return None


def _first_heading(lines: Sequence[_Line], start: int) -> int:
    for index in range(start, len(lines)):
        if not lines[index].bullet and _heading_spec(lines[index].text) is not None:
            return index
    return len(lines)


def _split_blocks(lines: Sequence[_Line]) -> list[_Block]:
    blocks: list[_Block] = []
    for line in lines:
        spec = None if line.bullet else _heading_spec(line.text)
        if spec is not None:
            blocks.append(_Block(spec, spec.heading.fullmatch(line.text)))
        elif blocks:
            blocks[-1].lines.append(line)
        # Lines before the first heading (the author box) belong to no block.
    return blocks


def _check_complete(has_author_box: bool, blocks: Sequence[_Block]) -> None:
    """Every complete page has the author box and all five blocks (see parse_textdump)."""
    parts = ("author box", *(spec.label for spec in _BLOCK_SPECS))
    present = (has_author_box, *(any(b.spec is spec for b in blocks) for spec in _BLOCK_SPECS))
    if all(present):
        return
    first_missing = present.index(False)
    if any(present[first_missing + 1 :]):  # a later part is there: a gap, not a cut
        raise TextdumpError(f"the page has no {parts[first_missing]}")
    raise TextdumpError(f"text is truncated: it ends before the {parts[first_missing]}")


def _section_name(label: str) -> str:
    """ "LIFESTYLE" -> "Lifestyle", "[TECH & SCIENCE]" -> "Tech & Science"."""
    return _WORD.sub(lambda word: word.group().capitalize(), label.strip("[] "))


def _ranked_teaser(item: Sequence[str]) -> Teaser | None:
    """ "• 1", headline, section label -> Teaser; None when the item is incomplete."""
    parts = [part for part in item if part]
    if parts and _NUMBER.fullmatch(parts[0]):
        parts = parts[1:]  # the rank: the order of the list already says it
    if len(parts) < 2 or not _is_short_unpunctuated(parts[-1], _MAX_LABEL_WORDS):
        return None
    return Teaser(headline=" ".join(parts[:-1]), section=_section_name(parts[-1]))


def _read_teasers(block: _Block, section: str, is_last: bool) -> list[Teaser]:
    """Teasers of one copy of a list; unranked ones (Latest Stories) are in `section`."""
    items = block.items()
    if is_last and not items:
        raise TextdumpError(f"text is truncated: it ends inside the {block.spec.label}")
    if not block.spec.ranked:
        return [Teaser(" ".join(filter(None, item)), section) for item in items]
    teasers = []
    for position, item in enumerate(items, start=1):
        teaser = _ranked_teaser(item)
        if teaser is None:
            if is_last and position == len(items):
                raise TextdumpError(f"text is truncated: it ends inside the {block.spec.label}")
            raise TextdumpError(
                f"item {position} of the {block.spec.label} lacks a headline or a section label"
            )
        teasers.append(teaser)
    return teasers


def _read_comments(block: _Block) -> list[str]:
    comments = []
    for bullet_text, *under in block.items():
        # A bare number under a comment is the comment box's limit, not part of the comment.
        under = [part for part in under if not _NUMBER.fullmatch(part)]
        text = " ".join(filter(None, (bullet_text, *under)))
        if text:
            comments.append(text)
    return comments


_T = TypeVar("_T")


def _merge_copies(copies: Iterable[Sequence[_T]], key: Callable[[_T], Hashable]) -> tuple[_T, ...]:
    """Union of the copies of a block printed more than once, in first-seen order.

    An item comes out as often as the copy holding it most often has it: the desktop and
    mobile copies repeat the same items, while one copy may hold two readers' equal comments.
    """
    merged: list[_T] = []
    taken: Counter[Hashable] = Counter()
    for copy in copies:
        in_copy: Counter[Hashable] = Counter()
        for item in copy:
            item_key = key(item)
            in_copy[item_key] += 1
            if in_copy[item_key] > taken[item_key]:
                merged.append(item)
                taken[item_key] += 1
    return tuple(merged)


def _first_group(blocks: Sequence[_Block], spec: _BlockSpec, group: str) -> str | None:
    """A named group of the first heading of kind `spec` that has it."""
    for block in blocks:
        if block.spec is spec and block.heading[group]:
            return block.heading[group]
    return None


def _article_section(blocks: Sequence[_Block]) -> str:
    label = _first_group(blocks, _LATEST, "section")
    if label is None or not label.strip():
        raise TextdumpError("the Latest Stories heading names no section: expected '[SECTION]'")
    return _section_name(label)


def _comment_count(blocks: Sequence[_Block]) -> int | None:
    count = _first_group(blocks, _COMMENTS, "count")
    return int(count.replace(",", "")) if count else None


def _comments(blocks: Sequence[_Block]) -> tuple[str, ...]:
    copies = [_read_comments(block) for block in blocks if block.spec is _COMMENTS]
    return _merge_copies(copies, key=lambda comment: comment)


def _teasers(blocks: Sequence[_Block], spec: _BlockSpec, section: str) -> tuple[Teaser, ...]:
    copies = [
        _read_teasers(block, section, is_last=block is blocks[-1])
        for block in blocks
        if block.spec is spec
    ]
    return _merge_copies(copies, key=lambda teaser: headline_key(teaser.headline))


# --- the whole page ----------------------------------------------------------------------------


def parse_textdump(text: str) -> ParsedArticle:
    """Parse the text of an article page into its parts.

    Raises TextdumpError with a one-line message when the text is empty, has no headline
    (the first line after the skip links is a heading, list item, number, e-mail, or a byline
    with no other byline after it), has no byline right after the headline, is truncated, or
    has no body paragraph.

    Truncation rule: a complete page has, in this order, the author box (the byline's author
    name on a line, then an e-mail line), a "Comments" heading, a "[SECTION] Latest Stories"
    list, and the "You May Also Like", "Popular Now" and "Must-Reads" lists. If parts are
    missing and nothing after the first missing one is present, the text is truncated: "text
    is truncated: it ends before the <part>". If a later part is present the page has a gap
    instead: "the page has no <part>". The text is also truncated when its last block is a
    list with no items, or whose last ranked item lacks its headline or section label: "text
    is truncated: it ends inside the <list>". A cut inside a paragraph or inside a single
    headline line cannot be seen and is not detected. The second copy of "Popular Now" that
    follows "Must-Reads" on the reference page is a duplicate and is not required.
    """
    if not text.strip():
        raise TextdumpError("the text is empty")
    lines = _split_lines(text)
    headline_at, byline = _read_head(lines)

    body_start = headline_at + 2
    box_at = _find_author_box(lines, body_start, byline.author)
    body_end = box_at if box_at is not None else _first_heading(lines, body_start)
    blocks = _split_blocks(lines[body_end:])
    _check_complete(box_at is not None, blocks)

    body = _read_body(lines[body_start:body_end])
    if not body.paragraphs:
        raise TextdumpError("no body paragraphs between the byline and the author box")

    section = _article_section(blocks)
    return ParsedArticle(
        headline=lines[headline_at].text,
        author_name=byline.author,
        # Never None here in practice: _check_complete raised if there was no author box.
        author_email=lines[box_at + 1].text if box_at is not None else None,
        section=section,
        lead_image_credit=body.lead_image_credit,
        paragraphs=body.paragraphs,
        inline_images=body.inline_images,
        view_count=byline.view_count,
        comment_count=_comment_count(blocks),
        comments=_comments(blocks),
        latest_stories=_teasers(blocks, _LATEST, section),
        you_may_also_like=_teasers(blocks, _ALSO_LIKE, section),
        popular_now=_teasers(blocks, _POPULAR, section),
        must_reads=_teasers(blocks, _MUST_READS, section),
    )
