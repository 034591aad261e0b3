from django import template

from gazette.comments import rules
from gazette.comments.presentation import comments_context

register = template.Library()


@register.inclusion_tag("comments/comments.html", takes_context=True)
def article_comments(context, article):
    return comments_context(context["request"], article)


@register.simple_tag
def comment_body(text: str, links: bool):
    """The comment's text, escaped, line breaks kept; links only when the site allows them."""
    return rules.comment_html(text, links=links)
