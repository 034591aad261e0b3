from django import template
from django.utils.html import format_html

from gazette.comments import rules
from gazette.comments.presentation import comments_block, script_messages_json

register = template.Library()


@register.simple_tag(takes_context=True)
def article_comments(context, article):
    """The comments block (comments/comments.html, kept with the list of comments)."""
    return comments_block(context["request"], article)


@register.simple_tag
def comment_body(text: str, links: bool):
    """The comment's text, escaped, line breaks kept; links only when the site allows them."""
    return rules.comment_html(text, links=links)


@register.simple_tag
def comment_script_messages(limit):
    """The words comments.js writes, in the page's language, as one data attribute of the
    form: the page is cached and shared, so they come with it rather than from a per-reader
    request (Django's JavaScriptCatalog view)."""
    return format_html('data-comment-messages="{}"', script_messages_json(limit))
