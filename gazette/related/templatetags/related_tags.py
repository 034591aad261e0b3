from django import template

from gazette.related.queries import you_may_also_like as _you_may_also_like
from gazette.related.queries import you_may_also_like_html

register = template.Library()


@register.simple_tag
def you_may_also_like(article):
    """The "You May Also Like" articles of an article: {% you_may_also_like page as articles %}"""
    return _you_may_also_like(article)


@register.simple_tag(takes_context=True)
def you_may_also_like_rail(context, article):
    """The "You May Also Like" rail as HTML (kept with the list)."""
    return you_may_also_like_html(context.get("request"), article)
