from django import template

from gazette.news.tagging import tags_of

register = template.Library()


@register.simple_tag
def topics_of(article) -> list:
    """The article's topics, from the tags the article page loaded with it (no query)."""
    return tags_of(article)
