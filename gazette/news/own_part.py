"""The article's own part, its lead image and its body, as HTML rendered once per revision.

The body's blocks, their image figures and the lead image were the heaviest template work of
an uncached article render, and the body's images cost two queries of their own. They are the
same for every reader of a live revision, so they are kept as HTML in the shared parts
(``gazette.core.shared_parts``) under the page, its live revision and the page's language,
and read in the round trip that reads the site's parts and the rails. The shared parts'
generation retires them with everything else: any page saved, published or moved (a link in
the body may point to it) and any image saved or deleted (its caption, credit or alt text;
``gazette.images``). A preview, or a page that is not live, renders its own content uncached.
"""

from __future__ import annotations

from django.template import Context
from django.template.loader import get_template
from django.utils.safestring import SafeString, mark_safe

from gazette.core import shared_parts

OWN_PART_TEMPLATE = "news/includes/article_own.html"

# The pieces of news/article_page.html kept per live revision as well, as ``part_name``
# (``{% shared_fragment name page.pk page.live_revision_id|default:0 %}``): the whole of its
# <head> but the language (title, description, feeds, language editions, stylesheets and the
# "article-head" slot), its header (section, headline, standfirst, byline but the "byline"
# slot), what comes before the body (the "before-body" slot) and after it (the "after-body"
# slot and the author boxes). Named here: the page reads them in its round trip.
ARTICLE_FRAGMENTS = (
    "article-page-head",
    "article-header",
    "article-before-body",
    "article-after-body",
)
# And the scripts of the "article-scripts" slot, the same on every article of a site.
ARTICLE_SITE_FRAGMENTS = ("article-scripts",)


def part_name(article) -> str:
    return f"article-own:{article.pk}:{article.live_revision_id or 0}"


def is_shared(request, article) -> bool:
    """Only the live content, served as it is to every reader, is kept."""
    return bool(article.live) and not getattr(request, "is_preview", False)


def part_names(request, article) -> list[str]:
    """What the article page preloads with the site's parts (nothing for a preview)."""
    if not is_shared(request, article):
        return []
    fragments = (
        shared_parts.fragment_name(request, name, article.pk, article.live_revision_id or 0)
        for name in ARTICLE_FRAGMENTS
    )
    site_fragments = (shared_parts.fragment_name(request, name) for name in ARTICLE_SITE_FRAGMENTS)
    kept = [*fragments, *site_fragments]
    return [part_name(article), *(name for name in kept if name is not None)]


def render(request, article) -> str:
    # The request and the page alone: the blocks read nothing the context processors add.
    context = Context({"request": request, "page": article, "self": article})
    return get_template(OWN_PART_TEMPLATE).template.render(context).rstrip("\n")


def own_part(request, article) -> SafeString:
    """The lead image and the body of ``article`` as HTML: cached, else rendered."""
    if not is_shared(request, article):
        return mark_safe(render(request, article))  # noqa: S308 - our own templates' output
    html = shared_parts.shared(request, part_name(article), lambda: render(request, article))
    return mark_safe(html)  # noqa: S308 - our own templates' output
