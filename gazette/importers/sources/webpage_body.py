"""An article page's body: what the reader came for, without the page around it.

trafilatura finds the main text; this module prepares the page for it and maps its result
into the few blocks an article body has. Before trafilatura runs:

- images are made plain ``<img src>`` (AMP's ``<amp-img>``, lazy loaders' ``data-src`` and
  placeholders, ``<noscript>`` copies);
- every picture's caption and credit are read from its container (``<figure>``,
  WordPress's ``.wp-caption``, a photo table) and the caption removed, the ``<img>`` tagged
  so that the figure can be rebuilt around trafilatura's ``graphic`` later;
- boilerplate the page names as such is removed: navigation, ads, "related" and "most read"
  boxes, newsletter prompts, cookie banners, share bars, comments; never an element that
  holds the article's own text;
- text that runs in ``<br>``-separated lines (common on Korean and older sites) is cut into
  paragraphs at the blank lines.

Embedded players and posts are not kept: each is named in the notes.
"""

from __future__ import annotations

import html
import re
from collections import Counter
from dataclasses import dataclass, field

import trafilatura
from lxml import etree
from lxml import html as lxml_html

from .webpage_text import class_tokens, class_words, element_text, resolve_url, squash

__all__ = ["Block", "Body", "Figure", "extract_body", "main_text_parent", "split_credit"]


@dataclass(frozen=True)
class Figure:
    src: str
    alt: str = ""
    caption: str = ""
    credit: str = ""


@dataclass(frozen=True)
class Block:
    kind: str  # p, h2, h3, h4, ul, ol, blockquote, pre, figure
    html: str  # unsanitised; the caller sanitises the whole body
    text: str
    figure: Figure | None = None


@dataclass
class Body:
    blocks: list[Block]
    figures: list[Figure]  # every captioned picture of the page, in page order
    notes: list[str] = field(default_factory=list)


_MARKER = "gazette-figure-"

_DROP_TAGS = {
    "script", "style", "noscript", "template", "svg", "form", "button", "select", "input",
    "textarea", "dialog", "nav", "aside", "footer", "iframe", "object", "embed", "video",
    "audio", "canvas", "amp-ad", "amp-embed", "amp-sticky-ad", "amp-consent", "amp-sidebar",
    "amp-analytics", "amp-social-share", "amp-iframe", "amp-youtube", "amp-twitter",
    "amp-instagram", "amp-geo", "amp-user-notification", "amp-auto-ads",
}  # fmt: skip
_DROP_ROLES = {"navigation", "complementary", "contentinfo", "dialog", "alertdialog", "search"}
_DROP_TOKENS = {
    "newsletter", "newsletters", "related", "recommended", "recommendations", "outbrain",
    "taboola", "advert", "advertisement", "advertising", "ad", "ads", "adslot", "adunit",
    "dfp", "sponsored", "promo", "cookie", "cookies", "consent", "gdpr", "cmp", "share",
    "sharing", "sharedaddy", "social", "comments", "comment", "disqus", "breadcrumb",
    "breadcrumbs", "paywall", "signup", "subscribe", "subscription", "donate", "trending",
    "popular", "sidebar", "widget", "navbar", "toc", "pagination", "modal", "popup",
    "arcad", "upsell", "bio", "tags", "taglist", "byline",
}  # fmt: skip
_DROP_WORDS = (
    " read-more", " more-stories", " most-read", " most-viewed", " also-read", " see-also",
    " author-box", " post-navigation", " nav-links", " table-of-contents",
)  # fmt: skip
_AD_LABELS = {
    "advertisement", "advertising", "ad", "sponsored", "sponsored content", "anzeige",
    "publicité", "publicidad", "pubblicità", "광고", "story continues below advertisement",
    "story continues below", "continue reading below", "skip advertisement",
    "article continues below", "scroll to continue with content",
}  # fmt: skip
_LINK_LINE = re.compile(
    r"^(?:related|read more|read also|also read|see also|more|recommended|watch|listen|"
    r"related stories|related articles|관련기사|함께 보면 좋은 기사|lesen sie auch|à lire aussi)\b",
    re.I,
)
# A membership or donation appeal: short, with a link, in the words such boxes use.
_APPEAL = re.compile(
    r"become a (?:member|subscriber|supporter)|support (?:our|independent|local) journalism|"
    r"\bdonate (?:now|today)\b|make a (?:donation|contribution)|unterstützen sie|abonnez-vous",
    re.I,
)
_EMBED_HOSTS = re.compile(
    r"(youtube(?:-nocookie)?\.com|youtu\.be|vimeo\.com|twitter\.com|x\.com|instagram\.com|"
    r"tiktok\.com|facebook\.com|soundcloud\.com|spotify\.com|dailymotion\.com|datawrapper\.dwcdn\.net|"
    r"flourish\.studio|google\.com/maps)",
    re.I,
)
_EMBED_CLASSES = {"twitter-tweet", "instagram-media", "tiktok-embed", "fb-post"}
_PLACEHOLDER = re.compile(r"placeholder|blank|spacer|transparent|lazy|pixel|1x1|grey\.gif", re.I)
_CAPTION_TOKENS = {"caption", "figcaption", "cutline", "photocaption", "imgcaption", "legende",
                   "legend", "bildunterschrift", "bildtext"}  # fmt: skip
_CREDIT_TOKENS = {"credit", "credits", "copyright", "attribution", "photographer", "photocredit"}
_CREDIT_ITEMPROPS = {"credittext", "copyrightholder", "author", "creator"}
_CREDIT_PREFIX = re.compile(
    r"^(?:\(|\[)?\s*(?:photo(?:graph)?s?|pictures?|images?|credits?|foto(?:s)?|bild|"
    r"illustration|graphic|source|사진|자료사진)(?:\s*[:=/]\s*|\s+by\s+|\s+)",
    re.I,
)
# A caption's last parenthesis that names a photographer or agency is the credit.
_TRAILING_CREDIT = re.compile(
    r"\s*[\(\[]\s*((?:[^()\[\]]*?)(?:photo|foto|image|picture|credit|©|ⓒ|getty|reuters|afp|\bap\b|"
    r"/|사진|courtesy|file)[^()\[\]]*)[\)\]]\s*$",
    re.I,
)
_TRAILING_SIGNED = re.compile(
    r"\s*(?:(?:photo(?:graph)?s?|pictures?|images?|credit|foto|illustration)\s*"
    r"(?::|by\b|courtesy(?:\s+of)?\b)|courtesy(?:\s+of)?\b|[©ⓒ])\s*([^.!?]+?)\.?\s*$",
    re.I,
)
_UNSPLASH = re.compile(r"^(?:photo|image) by (.+?)(?: on | / )(unsplash|pexels|pixabay)\s*$", re.I)
_CAPTION_MARK = re.compile(r"^[▲△▶►■●]\s*")
_BLOCK_TAGS = {"p", "div", "section", "article", "figure", "table", "ul", "ol", "blockquote",
               "h1", "h2", "h3", "h4", "h5", "h6", "pre", "header", "main"}  # fmt: skip
_INLINE = {"hi", "ref", "lb", "del"}
_HI_TAGS = {"#b": "strong", "#i": "em", "#u": "u", "#t": "code", "#sub": "sub", "#sup": "sup"}


# --- credits -------------------------------------------------------------------------------


def clean_credit(text: str) -> str:
    text = squash(text).strip()
    text = _CREDIT_PREFIX.sub("", text).strip()
    return text.strip("()[] ").strip()


def split_credit(caption: str) -> tuple[str, str]:
    """(caption, credit) from a caption that carries its credit in its text."""
    caption = _CAPTION_MARK.sub("", squash(caption))
    if match := _UNSPLASH.match(caption):
        return "", f"{match.group(1)} / {match.group(2)}"
    for pattern in (_TRAILING_CREDIT, _TRAILING_SIGNED):
        if match := pattern.search(caption):
            return caption[: match.start()].strip(), clean_credit(match.group(1))
    return caption, ""


# --- preparing the page --------------------------------------------------------------------


def _is_element(node: object) -> bool:
    return isinstance(node, lxml_html.HtmlElement) and isinstance(node.tag, str)


def main_text_parent(tree: lxml_html.HtmlElement) -> lxml_html.HtmlElement | None:
    """The element whose own paragraphs hold the most text: the article body, nearly always."""
    weights: Counter[lxml_html.HtmlElement] = Counter()
    for paragraph in tree.iter("p"):
        parent = paragraph.getparent()
        if parent is not None:
            weights[parent] += len(element_text(paragraph))
    if not weights:
        return None
    return weights.most_common(1)[0][0]


def _contains(ancestor: lxml_html.HtmlElement, node: lxml_html.HtmlElement | None) -> bool:
    while node is not None:
        if node is ancestor:
            return True
        node = node.getparent()
    return False


def _image_src(img: lxml_html.HtmlElement) -> str:
    src = img.get("src") or ""
    if src and not src.startswith("data:") and not _PLACEHOLDER.search(src.rsplit("/", 1)[-1]):
        return src
    for attribute in ("data-src", "data-lazy-src", "data-original", "data-url", "data-hi-res-src"):
        if img.get(attribute):
            return img.get(attribute)
    for attribute in ("data-srcset", "srcset", "data-lazy-srcset"):
        if srcset := img.get(attribute):
            # The largest candidate is the last one by convention; take any we can read.
            candidates = [part.strip().split()[0] for part in srcset.split(",") if part.strip()]
            if candidates:
                return candidates[-1]
    return "" if src.startswith("data:") else src


def _normalise_images(tree: lxml_html.HtmlElement, base: str) -> None:
    for amp in list(tree.iter("amp-img")):
        amp.tag = "img"
        for child in list(amp):
            amp.remove(child)
    for noscript in list(tree.iter("noscript")):
        # A lazy loader's real <img> often sits in <noscript> beside a placeholder.
        inner = noscript.find(".//img")
        if inner is None and noscript.text and "<img" in noscript.text:
            fragment = lxml_html.fragment_fromstring(noscript.text, create_parent="div")
            inner = fragment.find(".//img")
        previous = noscript.getprevious()
        if (
            inner is not None
            and previous is not None
            and previous.tag == "img"
            and not resolve_url(_image_src(previous), base)
        ):
            previous.set("src", inner.get("src", ""))
    for img in list(tree.iter("img")):
        src = resolve_url(_image_src(img), base)
        tiny = any(img.get(dim, "").strip() in {"0", "1", "2"} for dim in ("width", "height"))
        if not src or tiny:
            img.drop_tree()
            continue
        img.set("src", src)


def _caption_elements(container: lxml_html.HtmlElement) -> list[lxml_html.HtmlElement]:
    found = []
    for element in container.iter():
        if not _is_element(element) or element is container:
            continue
        is_caption = (
            element.tag == "figcaption"
            or class_tokens(element) & _CAPTION_TOKENS
            or (element.get("itemprop") or "").lower() == "caption"
        )
        if is_caption and not any(_contains(outer, element) for outer in found):
            found.append(element)
    return found


def _credit_elements(container: lxml_html.HtmlElement) -> list[lxml_html.HtmlElement]:
    found = []
    for element in container.iter():
        if not _is_element(element) or element is container:
            continue
        itemprop = (element.get("itemprop") or "").lower()
        is_credit = (
            class_tokens(element) & _CREDIT_TOKENS
            or itemprop in _CREDIT_ITEMPROPS
            or element.tag in {"small", "cite"}
        )
        if is_credit and not any(_contains(outer, element) for outer in found):
            found.append(element)
    return found


def _only_picture(node: lxml_html.HtmlElement, parts: list[lxml_html.HtmlElement]) -> bool:
    """The element holds the picture and its caption, not paragraphs of the article."""
    residual = len(element_text(node)) - sum(
        len(element_text(p))
        for p in parts
        if not any(q is not p and _contains(q, p) for q in parts)
    )
    return (residual <= 40 and node.find(".//p") is None) or residual <= 0


def _figure_container(img: lxml_html.HtmlElement) -> lxml_html.HtmlElement | None:
    node = img.getparent()
    for _ in range(5):
        if node is None or node.tag in {"body", "main"}:
            return None
        if node.tag == "figure":
            return node
        if len(node.findall(".//img")) > 1:
            return None
        captions, credits = _caption_elements(node), _credit_elements(node)
        if (captions or (credits and node.tag != "p")) and _only_picture(node, captions + credits):
            return node
        node = node.getparent()
    return None


def _read_figures(tree: lxml_html.HtmlElement) -> list[Figure]:
    """Read each picture's caption and credit, then leave a bare tagged <figure><img>."""
    figures: list[Figure] = []
    for img in list(tree.iter("img")):
        container = _figure_container(img)
        captions = _caption_elements(container) if container is not None else []
        credits = _credit_elements(container) if container is not None else []
        credit = " ".join(clean_credit(element_text(c)) for c in credits if element_text(c))
        for element in credits:
            if any(_contains(caption, element) for caption in captions):
                element.drop_tree()  # its text is the credit, not part of the caption
        caption = " ".join(element_text(c) for c in captions if element_text(c))
        if not captions and container is not None and container.tag == "figure":
            # A <figure> whose caption is a bare <p> or text beside the picture.
            caption = element_text(container)
            for element in credits:
                caption = caption.replace(element_text(element), "").strip()
        if not credit:
            caption, credit = split_credit(caption)
        else:
            caption = _CAPTION_MARK.sub("", caption)
        figure = Figure(
            src=img.get("src"), alt=squash(img.get("alt")), caption=caption, credit=credit
        )
        marker = f"{_MARKER}{len(figures)}"
        figures.append(figure)
        clean = lxml_html.Element("img", src=figure.src, alt=figure.alt, title=marker)
        if container is None:
            # A picture with no caption: tag it where it stands.
            for attribute in list(img.attrib):
                del img.attrib[attribute]
            img.attrib.update(clean.attrib)
            continue
        replacement = lxml_html.Element("figure")
        replacement.append(clean)
        replacement.tail = container.tail
        container.getparent().replace(container, replacement)
    return figures


def _unwrap_layout_tables(tree: lxml_html.HtmlElement) -> None:
    """Tables that lay out a page (paragraphs or other tables in their cells) become <div>s."""
    for table in list(tree.iter("table")):
        cells_hold_blocks = table.find(".//p") is not None or table.find(".//table") is not None
        long_text = any(len(element_text(cell)) > 400 for cell in table.iter("td"))
        if not (cells_hold_blocks or long_text):
            continue
        for element in [table, *table.iter("tbody", "thead", "tfoot", "tr", "td", "th")]:
            element.tag = "div"
            for attribute in (
                "width",
                "height",
                "valign",
                "align",
                "cellpadding",
                "cellspacing",
                "border",
                "colspan",
            ):
                element.attrib.pop(attribute, None)


def _is_boilerplate(element: lxml_html.HtmlElement) -> bool:
    if element.tag in _DROP_TAGS:
        return True
    if (element.get("role") or "").lower() in _DROP_ROLES:
        return True
    if element.get("hidden") is not None or element.get("aria-hidden") == "true":
        return True
    style = (element.get("style") or "").replace(" ", "").lower()
    if "display:none" in style:
        return True
    tokens = class_tokens(element)
    if tokens & _DROP_TOKENS or (element.get("data-ad") or element.get("data-ad-slot")):
        return True
    words = class_words(element)
    return any(word in words for word in _DROP_WORDS)


def _embed_url(element: lxml_html.HtmlElement) -> str:
    if element.tag in {"iframe", "amp-iframe", "amp-youtube", "embed", "object"}:
        src = element.get("src") or element.get("data-src") or ""
        if element.tag == "amp-youtube" and element.get("data-videoid"):
            src = f"https://www.youtube.com/watch?v={element.get('data-videoid')}"
        return src if _EMBED_HOSTS.search(src) else ""
    if class_tokens(element) & {"twitter", "instagram", "tiktok"} or (
        (element.get("class") or "").split()
        and set((element.get("class") or "").split()) & _EMBED_CLASSES
    ):
        links = [
            a.get("href", "") for a in element.iter("a") if _EMBED_HOSTS.search(a.get("href", ""))
        ]
        return links[-1] if links else "(embedded post)"
    return ""


def _strip_boilerplate(tree: lxml_html.HtmlElement, notes: list[str]) -> None:
    main = main_text_parent(tree)
    h1 = tree.find(".//h1")
    embeds: list[str] = []
    dropped: Counter[str] = Counter()

    def protected(element: lxml_html.HtmlElement) -> bool:
        return _contains(element, main) or (h1 is not None and _contains(element, h1))

    for element in list(tree.iter()):
        if not _is_element(element) or element.getparent() is None:
            continue
        if not _contains(tree, element):  # already removed with an ancestor
            continue
        if url := _embed_url(element):
            embeds.append(url)
            element.drop_tree()
            continue
        if element.tag in {"head", "html", "body"} or protected(element):
            continue
        if _is_boilerplate(element):
            tokens = class_tokens(element)
            for kind in (
                "related",
                "newsletter",
                "comments",
                "cookie",
                "ad",
                "ads",
                "advertisement",
            ):
                if kind in tokens:
                    dropped[kind] += 1
            element.drop_tree()
            continue
        if element.tag in _BLOCK_TAGS | {"span", "strong", "b"} and not protected(element):
            text = element_text(element)
            lowered = text.casefold().strip(" .:-—–")
            if lowered in _AD_LABELS:
                element.drop_tree()
                continue
            words = len(text.split())
            if (
                words
                and words <= 60
                and "newsletter" in lowered
                and ("sign up" in lowered or "subscribe" in lowered or "inbox" in lowered)
            ):
                dropped["newsletter"] += 1
                element.drop_tree()
                continue
            has_link = element.find(".//a") is not None
            if words and words <= 60 and _APPEAL.search(lowered) and has_link:
                dropped["appeal"] += 1
                element.drop_tree()
                continue
            if element.tag in {"p", "div", "li"} and _LINK_LINE.match(text) and words <= 40:
                link_text = sum(len(element_text(a)) for a in element.iter("a"))
                if link_text >= 0.4 * len(text):
                    dropped["related"] += 1
                    element.drop_tree()
    for url in dict.fromkeys(embeds):
        notes.append(f"an embed was not kept: {url}")


def _flush_run(run: list[object], items: list[lxml_html.HtmlElement]) -> None:
    """Close the run of text and inline elements collected so far as one <p>."""
    if any(squash(part) if isinstance(part, str) else True for part in run):
        paragraph = lxml_html.Element("p")
        for part in run:
            if not isinstance(part, str):
                paragraph.append(part)
            elif len(paragraph):
                paragraph[-1].tail = (paragraph[-1].tail or "") + part
            else:
                paragraph.text = (paragraph.text or "") + part
        items.append(paragraph)
    run.clear()


def _split_br_text(tree: lxml_html.HtmlElement) -> None:
    """Text run in <br>-separated lines becomes paragraphs, cut at blank lines and at blocks."""
    for element in list(tree.iter("div", "td", "section", "article")):
        brs = element.findall("br")
        own_text = (element.text or "") + "".join(child.tail or "" for child in element)
        if len(brs) < 2 or len(squash(own_text)) < 200:
            continue
        # Where the page uses <br><br> between paragraphs, a single <br> is a line break.
        double = any(
            (after := br.getnext()) is not None and after.tag == "br" and not squash(br.tail)
            for br in brs
        )
        items: list[lxml_html.HtmlElement] = []
        run: list[object] = [element.text] if element.text else []
        for child in list(element):
            tail, child.tail = child.tail, None
            if child.tag == "br":
                after = child.getnext()
                if not double or (after is not None and after.tag == "br" and not squash(tail)):
                    _flush_run(run, items)
                elif run:
                    run.append(child)
            elif child.tag in _BLOCK_TAGS:
                _flush_run(run, items)
                items.append(child)
            else:
                run.append(child)
            if tail:
                run.append(tail)
        _flush_run(run, items)
        for child in list(element):
            element.remove(child)
        element.text = None
        element.extend(items)


# --- trafilatura's result to blocks --------------------------------------------------------


def _inline_html(element: etree._Element, base: str) -> str:
    """The inner HTML of one of trafilatura's text elements."""
    parts = [html.escape(element.text or "", quote=False)]
    for child in element:
        if child.tag == "hi":
            tag = _HI_TAGS.get(child.get("rend", ""), "")
            inner = _inline_html(child, base)
            parts.append(f"<{tag}>{inner}</{tag}>" if tag else inner)
        elif child.tag == "ref":
            href = html.escape(resolve_url(child.get("target"), base), quote=True)
            inner = _inline_html(child, base)
            parts.append(f'<a href="{href}">{inner}</a>' if href else inner)
        elif child.tag == "lb":
            parts.append("<br>")
        elif child.tag == "graphic":
            pass  # hoisted into its own figure by the caller
        else:
            parts.append(_inline_html(child, base))
        parts.append(html.escape(child.tail or "", quote=False))
    return "".join(parts).strip()


def _text(element: etree._Element) -> str:
    """Plain text of one of trafilatura's elements; line breaks become spaces."""

    def pieces(node: etree._Element) -> list[str]:
        out = [node.text or ""]
        for child in node:
            if child.tag == "lb":
                out.append(" ")
            elif child.tag != "graphic":
                out += pieces(child)
            out.append(child.tail or "")
        return out

    return squash("".join(pieces(element)))


def _figure_block(graphic: etree._Element, figures: list[Figure]) -> Block | None:
    marker = graphic.get("title") or ""
    if marker.startswith(_MARKER) and marker[len(_MARKER) :].isdigit():
        figure = figures[int(marker[len(_MARKER) :])]
    else:
        figure = Figure(src=graphic.get("src", ""), alt=squash(graphic.get("alt")))
    if not figure.src:
        return None
    caption = html.escape(figure.caption, quote=False)
    if figure.credit:
        caption = f"{caption} <small>{html.escape(figure.credit, quote=False)}</small>".strip()
    figcaption = f"<figcaption>{caption}</figcaption>" if caption else ""
    markup = (
        f'<figure><img src="{html.escape(figure.src)}" alt="{html.escape(figure.alt)}">'
        f"{figcaption}</figure>"
    )
    return Block("figure", markup, squash(f"{figure.caption} {figure.credit}"), figure)


def _list_html(element: etree._Element, base: str) -> str:
    tag = "ol" if (element.get("rend") or "").startswith("ol") else "ul"
    items = []
    for item in element.iter("item"):
        if item.getparent() is not element:
            continue
        nested = "".join(_list_html(child, base) for child in item if child.tag == "list")
        for child in list(item):
            if child.tag == "list":
                child.tail, tail = None, child.tail
                item.remove(child)
                if tail:
                    item.text = (item.text or "") + tail
        inner = _inline_html(item, base) + nested
        if squash(inner):
            items.append(f"<li>{inner}</li>")
    return f"<{tag}>{''.join(items)}</{tag}>" if items else ""


def _to_blocks(
    body: etree._Element, figures: list[Figure], notes: list[str], base: str
) -> list[Block]:
    blocks: list[Block] = []
    flattened_rows = 0

    def paragraph(element: etree._Element) -> None:
        markup, text = _inline_html(element, base), _text(element)
        if text:
            blocks.append(Block("p", f"<p>{markup}</p>", text))

    def walk(element: etree._Element) -> None:
        nonlocal flattened_rows
        for child in element:
            tag = child.tag
            if tag == "p":
                paragraph(child)
                for graphic in child.iter("graphic"):
                    if block := _figure_block(graphic, figures):
                        blocks.append(block)
            elif tag == "head":
                level = min(max(int((child.get("rend") or "h2")[1:] or 2), 2), 4)
                if text := _text(child):
                    blocks.append(
                        Block(
                            f"h{level}", f"<h{level}>{_inline_html(child, base)}</h{level}>", text
                        )
                    )
            elif tag == "list":
                markup = _list_html(child, base)
                if markup:
                    blocks.append(
                        Block("ol" if markup.startswith("<ol") else "ul", markup, _text(child))
                    )
            elif tag == "quote":
                inner = [p for p in child if p.tag == "p"]
                paragraphs = inner or [child]
                markup = "".join(f"<p>{_inline_html(p, base)}</p>" for p in paragraphs if _text(p))
                if markup:
                    blocks.append(
                        Block("blockquote", f"<blockquote>{markup}</blockquote>", _text(child))
                    )
            elif tag == "code":
                if text := _text(child):
                    blocks.append(
                        Block("pre", f"<pre>{html.escape(child.xpath('string()'))}</pre>", text)
                    )
            elif tag == "graphic":
                if block := _figure_block(child, figures):
                    blocks.append(block)
            elif tag == "table":
                for row in child.iter("row"):
                    cells = [_text(cell) for cell in row.iter("cell")]
                    cells = [cell for cell in cells if cell]
                    if cells:
                        text = " | ".join(cells)
                        blocks.append(Block("p", f"<p>{html.escape(text, quote=False)}</p>", text))
                        flattened_rows += 1
            elif tag in _INLINE:
                paragraph(child)
            else:
                walk(child)

    walk(body)
    if flattened_rows:
        notes.append(f"a table was flattened into {flattened_rows} paragraphs")
    return blocks


def extract_body(tree: lxml_html.HtmlElement, *, url: str) -> Body:
    """The body's blocks from a parsed page. The tree is changed: pass a copy."""
    notes: list[str] = []
    _normalise_images(tree, url)
    _split_br_text(tree)
    figures = _read_figures(tree)
    _unwrap_layout_tables(tree)
    _strip_boilerplate(tree, notes)
    document = trafilatura.bare_extraction(
        tree,
        url=url,
        include_comments=False,
        include_tables=True,
        include_images=True,
        include_formatting=True,
        include_links=True,
        with_metadata=False,
        deduplicate=False,
    )
    body = getattr(document, "body", None)
    blocks = _to_blocks(body, figures, notes, url) if body is not None else []
    _restore_figures(tree, blocks, figures)
    return Body(blocks=blocks, figures=figures, notes=notes)


def _paragraph_key(text: str) -> str:
    return squash(text)[:60].casefold()


def _restore_figures(
    tree: lxml_html.HtmlElement, blocks: list[Block], figures: list[Figure]
) -> None:
    """Put back the pictures trafilatura left out that stand between two body paragraphs.

    trafilatura's fallback extractors keep text only; a picture whose neighbours on both
    sides are paragraphs of the body belongs to the body.
    """
    kept = {id(block.figure) for block in blocks if block.figure is not None}
    where = {_paragraph_key(b.text): i for i, b in enumerate(blocks) if b.kind == "p"}
    inserts: list[tuple[int, Block]] = []
    for img in tree.iter("img"):
        marker = img.get("title") or ""
        if not marker.startswith(_MARKER):
            continue
        figure = figures[int(marker[len(_MARKER) :])]
        if id(figure) in kept:
            continue
        before = img.xpath("preceding::p[normalize-space()][1]")
        after = img.xpath("following::p[normalize-space()][1]")
        if not before or not after:
            continue
        position = where.get(_paragraph_key(element_text(before[0])))
        if position is None or _paragraph_key(element_text(after[0])) not in where:
            continue
        block = _figure_block(lxml_html.Element("graphic", src=figure.src, title=marker), figures)
        if block is not None:
            inserts.append((position + 1, block))
    for position, block in sorted(inserts, key=lambda item: item[0], reverse=True):
        blocks.insert(position, block)


def blocks_from_html(markup: str, *, url: str) -> list[Block]:
    """Blocks from a bare HTML body (JSON data's ``body`` field), through the same steps."""
    wrapper = lxml_html.document_fromstring(
        f"<html><body><article>{markup}</article></body></html>"
    )
    return extract_body(wrapper, url=url).blocks
