from django import template

from gazette.related.queries import you_may_also_like as _you_may_also_like

register = template.Library()


@register.simple_tag
def you_may_also_like(article):
    """The "You May Also Like" articles of an article: {% you_may_also_like page as articles %}"""
    return _you_may_also_like(article)
