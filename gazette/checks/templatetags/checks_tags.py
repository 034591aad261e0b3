from django import template

from gazette.checks.services import check_article

register = template.Library()


@register.simple_tag
def preview_failures(article):
    """The checks the previewed article fails (the preview's markers for the checker)."""
    return check_article(article)
