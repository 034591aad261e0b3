from django import template

from gazette.core import editions

register = template.Library()


@register.simple_tag(takes_context=True)
def page_editions(context, page=None):
    """The page's language editions (gazette.core.editions.alternates): empty on a
    one-language site."""
    return editions.alternates(context.get("request"), page)
