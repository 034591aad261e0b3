"""Template tags for the article page: its view count and Popular Now."""

from django import template

from gazette.analytics.queries import popular_now, popular_now_html
from gazette.analytics.services import shown_views

register = template.Library()


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
