"""An article's words, without markup: the one reading of the body that site search, You May
Also Like, feeds, the API and e-mails share. Read from the stored blocks, never the rendered
page: no block is loaded and no query is made (images are not text; their captions are)."""

from __future__ import annotations

import re
from html import unescape

from django.utils.html import strip_tags

# Where one block of text ends inside a paragraph's HTML: a space, so words never run together.
_BLOCK_END = re.compile(r"</(?:p|h[1-6]|li|blockquote)>|<br\s*/?>", re.IGNORECASE)


def body_blocks(body) -> list[dict]:
    """The stored blocks of a body (a StreamValue or its raw list): dicts with ``type`` and
    ``value``."""
    return list(getattr(body, "raw_data", body) or [])


def _block_text(block: dict) -> str:
    kind, value = block.get("type"), block.get("value")
    if kind == "paragraph":
        return unescape(strip_tags(_BLOCK_END.sub(" ", str(value or ""))))
    if kind == "quote" and isinstance(value, dict):
        return str(value.get("text") or "")
    if kind == "image" and isinstance(value, dict):
        return str(value.get("caption") or "")
    return ""


def body_text(body) -> str:
    """The words of an article body: its paragraphs, quotes and image captions."""
    return " ".join(" ".join(_block_text(block) for block in body_blocks(body)).split())


def article_text(article) -> str:
    """The standfirst and the words of the body."""
    return " ".join(f"{article.standfirst or ''} {body_text(article.body)}".split())
