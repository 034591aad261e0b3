"""Snippets of a story around the words a reader searched for, with those words marked.

Escape first, then highlight: the text is split at the matches, every piece is escaped on
its own, and only then are the matches wrapped in <mark>. Nothing an author or a reader
typed can reach the page as markup.
"""

from __future__ import annotations

import re

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

SNIPPET_WORDS = 36


def _pattern(terms) -> re.Pattern | None:
    if not terms:
        return None
    # A term marks the words it starts ("soldier" marks "soldiers"), as engines that stem
    # would have matched them.
    alternatives = "|".join(re.escape(term) for term in sorted(terms, key=len, reverse=True))
    return re.compile(rf"\b(?:{alternatives})\w*", re.IGNORECASE)


def highlight(text: str, terms) -> SafeString:
    """The whole text, escaped, with every match of a term marked."""
    pattern = _pattern(terms)
    if pattern is None:
        return escape(text)
    pieces, position = [], 0
    for match in pattern.finditer(text):
        pieces.append(escape(text[position : match.start()]))
        pieces.append(f"<mark>{escape(match.group())}</mark>")
        position = match.end()
    pieces.append(escape(text[position:]))
    return mark_safe("".join(pieces))  # noqa: S308 - every piece escaped above


def snippet(text: str, terms, *, words: int = SNIPPET_WORDS) -> SafeString:
    """About ``words`` words of the text around the first match, marked; the opening words
    when nothing matches (the title may be what matched)."""
    tokens = text.split()
    if not tokens:
        return mark_safe("")
    pattern = _pattern(terms)
    first = 0
    if pattern is not None:
        first = next((i for i, token in enumerate(tokens) if pattern.search(token)), 0)
    start = max(0, first - words // 3)
    end = min(len(tokens), start + words)
    start = max(0, end - words)
    excerpt = " ".join(tokens[start:end])
    marked = highlight(excerpt, terms)
    prefix = "… " if start > 0 else ""
    suffix = " …" if end < len(tokens) else ""
    return mark_safe(f"{prefix}{marked}{suffix}")  # noqa: S308 - highlight() escaped it
