"""Article bodies as self-contained HTML for feed readers and API clients.

Readers elsewhere get absolute links, plain ``<img>`` tags with the image credit, and
embeds as links (no third-party frame). However many articles and blocks there are, this
takes a fixed number of queries: the images of every body in one query with their
renditions, and every paragraph's links expanded in one pass of Wagtail's rich-text
rewriter. It only reads: a missing rendition falls back to the original file.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Iterable

from django.db.models import Prefetch
from django.utils.html import escape, linebreaks
from wagtail.images import get_image_model
from wagtail.rich_text import expand_db_html

from gazette.news.text import body_blocks

from .links import SiteLinks

FEED_RENDITION = "width-800"
RELATIVE_URL_ATTRIBUTE = re.compile(r'(\s(?:href|src))="(/(?!/)[^"]*)"')


def _images_by_id(blocks_by_article: dict[int, list[dict]]):
    from gazette.images.models import CustomRendition

    ids = {
        block["value"].get("image")
        for blocks in blocks_by_article.values()
        for block in blocks
        if block.get("type") == "image" and isinstance(block.get("value"), dict)
    }
    ids.discard(None)
    if not ids:
        return {}
    renditions = CustomRendition.objects.filter(filter_spec=FEED_RENDITION)
    images = get_image_model().objects.filter(pk__in=ids)
    return {
        image.pk: image
        for image in images.prefetch_related(Prefetch("renditions", queryset=renditions))
    }


def image_source(image, links: SiteLinks) -> tuple[str, int, int]:
    """URL, width and height of an image's feed rendition if it was made, else the original."""
    for rendition in image.renditions.all():
        if rendition.filter_spec == FEED_RENDITION:
            return links.absolute(rendition.url), rendition.width, rendition.height
    return links.absolute(image.file.url), image.width, image.height


def _figure(image, caption: str, links: SiteLinks) -> str:
    src, width, height = image_source(image, links)
    caption = caption or image.caption
    parts = [escape(caption)] if caption else []
    if image.credit:
        parts.append(f"Image: {escape(image.credit)}")
    figcaption = f"<figcaption>{' — '.join(parts)}</figcaption>" if parts else ""
    return (
        f'<figure><img src="{escape(src)}" width="{width}" height="{height}" '
        f'alt="{escape(image.default_alt_text)}">{figcaption}</figure>'
    )


def _quote(value: dict) -> str:
    attribution = value.get("attribution") or ""
    footer = f"<footer>— {escape(attribution)}</footer>" if attribution else ""
    return f"<blockquote>{linebreaks(escape(value.get('text') or ''))}{footer}</blockquote>"


def _embed(url) -> str:
    url = str(url or "")
    if not url.startswith(("http://", "https://")):
        return ""
    return f'<p><a href="{escape(url)}">{escape(url)}</a></p>'


def render_bodies(articles: Iterable, links: SiteLinks) -> dict[int, str]:
    """The body of each article as HTML, keyed by article id, its lead image first.

    The articles come from ``for_syndication()``: lead images and their feed renditions are
    already loaded.
    """
    articles = {article.pk: article for article in articles}
    blocks_by_article = {pk: body_blocks(article.body) for pk, article in articles.items()}
    images = _images_by_id(blocks_by_article)

    # Every paragraph of every article goes through the rich-text rewriter in one call, so
    # links to pages cost one query in all; a boundary no editor can type splits them again.
    boundary = f"<!--gazette-{secrets.token_hex(8)}-->"
    paragraphs = [
        str(block.get("value") or "")
        for blocks in blocks_by_article.values()
        for block in blocks
        if block.get("type") == "paragraph"
    ]
    expanded = iter(expand_db_html(boundary.join(paragraphs)).split(boundary))

    bodies = {}
    for article_id, blocks in blocks_by_article.items():
        article = articles[article_id]
        html = [_figure(article.lead_image, "", links)] if article.lead_image else []
        for block in blocks:
            kind, value = block.get("type"), block.get("value")
            if kind == "paragraph":
                html.append(next(expanded))
            elif kind == "image" and isinstance(value, dict):
                image = images.get(value.get("image"))
                if image is not None:
                    html.append(_figure(image, value.get("caption") or "", links))
            elif kind == "quote" and isinstance(value, dict):
                html.append(_quote(value))
            elif kind == "embed":
                html.append(_embed(value))
        bodies[article_id] = RELATIVE_URL_ATTRIBUTE.sub(
            lambda m: f'{m.group(1)}="{links.absolute(m.group(2))}"', "\n".join(html)
        )
    return bodies
