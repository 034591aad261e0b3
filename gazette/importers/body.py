"""An imported body's HTML mapped into the article body's blocks.

Parsers hand over HTML (``ImportItem.body_html``); the article stores StreamField blocks,
never that HTML. Everything passes through nh3 first, whatever the parser did. Then each
top-level element becomes one block:

- ``p``, ``h2``-``h4``, ``ul``, ``ol``, ``pre`` -> a paragraph (rich text: headings and lists
  are rich-text features of the paragraph block; a ``pre``'s lines become line breaks);
- ``blockquote`` -> a quote, its ``cite``/``footer`` the attribution;
- ``figure`` or a lone ``img`` -> an image, the figcaption its caption and the figcaption's
  ``<small>`` its credit (the convention of every parser here);
- a paragraph that is only the address of a YouTube, Vimeo or X post, or an ``iframe`` of
  one -> an embed (a link card: the page itself makes no third-party request).

Images are resolved by a callback (the caller finds, fetches or makes the picture), so this
module stays free of storage.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from dataclasses import dataclass

import nh3
from lxml import etree
from lxml import html as lxml_html

__all__ = ["BodyImage", "body_blocks", "embed_url", "sanitise"]

_INLINE = {"a", "b", "strong", "i", "em", "sup", "sub", "br", "code", "small", "u"}
_BLOCK = {"p", "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "li", "blockquote", "pre"}
_FIGURE = {"figure", "figcaption", "img", "iframe", "cite", "footer"}
ALLOWED_TAGS = _INLINE | _BLOCK | _FIGURE
ALLOWED_ATTRIBUTES = {"a": {"href"}, "img": {"src", "alt"}, "iframe": {"src"}}

_EMBED_HOSTS = re.compile(
    r"^https?://(?:www\.|m\.)?(?:"
    r"youtube\.com/(?:watch\?|shorts/|embed/)|youtu\.be/"
    r"|vimeo\.com/(?:video/)?\d|player\.vimeo\.com/video/\d"
    r"|(?:twitter|x)\.com/[^/]+/status(?:es)?/\d"
    r")",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class BodyImage:
    """A picture of the body as the HTML gives it, before it is resolved to an image."""

    src: str
    alt: str
    caption: str
    credit: str


def sanitise(markup: str) -> str:
    """Only the tags and attributes the body's blocks can hold; links and pictures on
    http(s) only; comments and scripts gone."""
    return nh3.clean(
        markup,
        tags=ALLOWED_TAGS,
        clean_content_tags={"script", "style"},
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel=None,
        strip_comments=True,
    )


def embed_url(text: str) -> str | None:
    """The address, if the text is nothing but the address of a post a site embeds."""
    text = text.strip()
    if " " in text or not _EMBED_HOSTS.match(text):
        return None
    return text


def _inner_html(element: etree._Element) -> str:
    parts = [html.escape(element.text or "", quote=False)]
    parts += [lxml_html.tostring(child, encoding="unicode") for child in element]
    return "".join(parts).strip()


def _text(element: etree._Element) -> str:
    return " ".join(element.text_content().split())


_RICH_INLINE = {"strong": "b", "em": "i"}


def _rich_text(element: etree._Element) -> str:
    """The element as Wagtail's rich text stores it: ``<b>``/``<i>``, ``h2``-``h4`` kept
    (``h1`` is the headline's, ``h5``/``h6`` read as ``h4``), links as plain ``<a href>``.
    A ``pre`` keeps its lines, as line breaks of a paragraph."""
    if element.tag == "pre":
        lines = [html.escape(line, quote=False) for line in element.text_content().splitlines()]
        return f"<p>{'<br/>'.join(lines)}</p>"
    for child in element.iter():
        if child.tag in _RICH_INLINE:
            child.tag = _RICH_INLINE[child.tag]
        elif child.tag in {"small", "u", "cite", "footer"}:
            child.drop_tag()
    tag = element.tag
    if tag == "h1":
        tag = "h2"
    elif tag in {"h5", "h6"}:
        tag = "h4"
    element.tag = tag
    return lxml_html.tostring(element, encoding="unicode").strip()


def _figure_image(element: etree._Element) -> BodyImage | None:
    image = element if element.tag == "img" else next(element.iter("img"), None)
    if image is None or not (image.get("src") or "").strip():
        return None
    caption, credit = "", ""
    figcaption = next(element.iter("figcaption"), None) if element.tag != "img" else None
    if figcaption is not None:
        smalls = list(figcaption.iter("small"))
        credit = " ".join(_text(small) for small in smalls)
        for small in smalls:
            small.drop_tree()
        caption = _text(figcaption)
    return BodyImage(
        src=image.get("src").strip(), alt=(image.get("alt") or "").strip(), caption=caption,
        credit=credit,
    )  # fmt: skip


def _quote(element: etree._Element) -> dict:
    attribution = ""
    for tag in ("cite", "footer"):
        found = next(element.iter(tag), None)
        if found is not None:
            attribution = _text(found)
            found.drop_tree()
            break
    else:
        # A feed's sanitiser may turn the <cite> into <em>: a line after the quote's
        # paragraphs that is not a paragraph of its own still names who said it.
        loose = [child for child in element if child.tag != "p"]
        if loose and element.find("p") is not None:
            attribution = " ".join(_text(child) for child in loose)
            for child in loose:
                child.drop_tree()
    paragraphs = [_text(p) for p in element.iter("p")] or [_text(element)]
    text = "\n\n".join(p for p in paragraphs if p)
    return {"text": text, "attribution": attribution[:200]}


def body_blocks(
    markup: str, *, image_block: Callable[[BodyImage], dict | None], notes: list[str]
) -> list[dict]:
    """Raw StreamField data (what the database stores) for the body's HTML.

    ``image_block`` turns a picture into an image block's value (``{"image": pk, "caption":
    ...}``) or None when it cannot; ``notes`` collects what was dropped, for the report."""
    clean = sanitise(markup)
    if not clean.strip():
        return []
    container = lxml_html.fragment_fromstring(clean, create_parent="div")
    blocks: list[dict] = []
    loose: list[str] = []  # text and inline elements between blocks, kept as a paragraph

    def flush_loose() -> None:
        text = "".join(loose).strip()
        loose.clear()
        if text and lxml_html.fragment_fromstring(text, create_parent="p").text_content().strip():
            add_paragraph(lxml_html.fragment_fromstring(text, create_parent="p"))

    def add_paragraph(element: etree._Element) -> None:
        if not _text(element) and not element.findall(".//br"):
            return
        url = embed_url(_text(element)) if element.tag == "p" else None
        if url:
            blocks.append({"type": "embed", "value": url})
        elif _text(element):
            blocks.append({"type": "paragraph", "value": _rich_text(element)})

    if container.text and container.text.strip():
        loose.append(html.escape(container.text, quote=False))
    for element in list(container):
        tail = element.tail or ""
        element.tail = None
        tag = element.tag if isinstance(element.tag, str) else ""
        inline = tag in _INLINE and tag != "br"
        if tag == "a":
            inline = not embed_url(_text(element))
        if inline:
            loose.append(lxml_html.tostring(element, encoding="unicode"))
        else:
            flush_loose()
            if tag in {"figure", "img"}:
                embed = _figure_embed(element)
                if embed:
                    blocks.append({"type": "embed", "value": embed})
                else:
                    picture = _figure_image(element)
                    value = image_block(picture) if picture else None
                    if value is not None:
                        blocks.append({"type": "image", "value": value})
                    elif picture is None and _text(element):
                        # A figure of text only (a pull quote, a table's caption): keep its words.
                        add_paragraph(lxml_html.fragment_fromstring(_inner_html(element), "p"))
            elif tag == "iframe":
                url = embed_url(_iframe_url(element.get("src") or ""))
                if url:
                    blocks.append({"type": "embed", "value": url})
                else:
                    source = element.get("src") or "no src"
                    notes.append(f"an embedded frame was dropped ({source})")
            elif tag == "a":
                blocks.append({"type": "embed", "value": embed_url(_text(element))})
            elif tag == "blockquote":
                quote = _quote(element)
                if quote["text"]:
                    blocks.append({"type": "quote", "value": quote})
            elif tag in {"ul", "ol"}:
                if _text(element):
                    blocks.append({"type": "paragraph", "value": _rich_text(element)})
            elif tag in _BLOCK:
                # Rich text holds no pictures: a paragraph's pictures follow it as blocks.
                pictures = [_figure_image(img) for img in element.iter("img")]
                for img in list(element.iter("img")):
                    img.drop_tree()
                add_paragraph(element)
                for picture in pictures:
                    value = image_block(picture) if picture else None
                    if value is not None:
                        blocks.append({"type": "image", "value": value})
            elif tag == "figcaption" or tag in {"cite", "footer"}:
                add_paragraph(lxml_html.fragment_fromstring(_inner_html(element), "p"))
        if tail.strip():
            loose.append(html.escape(tail, quote=False))
    flush_loose()
    return blocks


def _iframe_url(src: str) -> str:
    """A player's frame address as the post's own address, where the two differ."""
    match = re.match(r"^https?://(?:www\.)?youtube(?:-nocookie)?\.com/embed/([\w-]+)", src)
    if match:
        return f"https://www.youtube.com/watch?v={match.group(1)}"
    match = re.match(r"^https?://player\.vimeo\.com/video/(\d+)", src)
    if match:
        return f"https://vimeo.com/{match.group(1)}"
    return src


def _figure_embed(element: etree._Element) -> str | None:
    """A figure that holds an embed (``<figure><iframe>`` or a figure of a bare address)."""
    frame = next(element.iter("iframe"), None)
    if frame is not None:
        return embed_url(_iframe_url(frame.get("src") or ""))
    if next(element.iter("img"), None) is None:
        return embed_url(_text(element))
    return None
