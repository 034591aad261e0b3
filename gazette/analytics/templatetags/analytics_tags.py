"""Template tags for the article page: its view count and Popular Now."""

from functools import lru_cache

from django import template
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import get_language, ngettext

from gazette.analytics.queries import popular_now, popular_now_html
from gazette.analytics.services import shown_views
from gazette.core.l10n import format_count

register = template.Library()

# An article id no article has, reversed once and replaced by the article's in the address.
_ANY_ARTICLE = 987654321


@lru_cache(maxsize=64)
def _beacon_addresses(urlconf, script_prefix: str, language: str | None) -> tuple[str, str]:
    # What an address depends on: the URLconf, the script prefix and the language.
    return tuple(
        reverse(name, args=[_ANY_ARTICLE], urlconf=urlconf)
        for name in ("analytics:beacon", "analytics:pixel")
    )


def beacon_addresses(article_id: int) -> tuple[str, str]:
    """The article's view beacon and no-script pixel, as ``{% url %}`` gives them, without
    a URL reversal per render."""
    addresses = _beacon_addresses(get_urlconf(), get_script_prefix(), get_language())
    return tuple(a.replace(str(_ANY_ARTICLE), str(int(article_id)), 1) for a in addresses)


VIEW_COUNT = (
    '<span class="byline__views" data-views-endpoint="{}"{}>{}</span><noscript>'
    '<img class="visually-hidden" src="{}" alt="" width="1" height="1"></noscript>'
)


@register.simple_tag(takes_context=True)
def view_count(context, article):
    """The byline's view count and its beacons (hidden until the article has a view): built
    here rather than by a template, as it is rendered on every uncached article page."""
    request = context.get("request")
    if getattr(request, "is_preview", False):
        return ""
    views = shown_views(article.pk, request)
    beacon, pixel = beacon_addresses(article.pk)
    shown = ""
    if views:
        # As {% blocktranslate count views=views %}view{% plural %}views{% endblocktranslate %}.
        words = ngettext("view", "views", views) % {"views": views}
        shown = format_html(
            '<data value="{}">{}</data> {}', f"{views:d}", format_count(views), words
        )
    hidden = "" if views else mark_safe(" hidden")
    return format_html(VIEW_COUNT, beacon, hidden, shown, pixel)


@register.simple_tag(takes_context=True)
def article_views(context, article) -> int:
    """Views of the article so far, flushed or not (the stored total kept until the next
    flush: no query on a warm cache)."""
    return shown_views(article.pk, context.get("request"))


@register.simple_tag
def popular_now_for(article) -> list:
    """Popular Now without the article being read (no query on a warm cache)."""
    return popular_now(excluding=article)


@register.simple_tag(takes_context=True)
def popular_now_rail(context, article):
    """The Popular Now rail as HTML, without the article being read (kept with the list)."""
    return popular_now_html(context.get("request"), excluding=article)
