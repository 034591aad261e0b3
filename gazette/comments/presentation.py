"""What the article page shows of its comments: the same for every reader of a URL, so that a
shared cache may keep it. Per-reader answers live only in the uncached endpoints' responses."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpRequest

from gazette.news.models import ArticlePage, CommentPolicy

from . import rules
from .models import TEXT_LIMIT, Comment, CommentSettings
from .services import moderation_for

PAGE_SIZE = 50
PAGE_PARAM = "comments_page"
STATUS_PARAM = "comment"
# Shown after the no-JavaScript redirect, chosen by the query string alone: the same for every
# reader, never anything a reader wrote.
NOTICES = {
    "published": "Thank you. Your comment is published.",
    "pending": "Thank you. Your comment will appear once a moderator has read it.",
    "reported": "Thank you. A moderator will look at the comment you reported.",
}


def comments_context(request: HttpRequest, article: ArticlePage) -> dict:
    """Published comments oldest first, 50 a page, in a fixed number of queries."""
    site_settings = CommentSettings.for_reader(request)
    mode = moderation_for(article, site_settings)
    published = Comment.objects.published().on(article).oldest_first().for_display()
    page = Paginator(published, PAGE_SIZE).get_page(request.GET.get(PAGE_PARAM))
    return {
        "article": article,
        "page_obj": page,
        "comments": list(page.object_list),
        "count": page.paginator.count,
        "open": mode != CommentPolicy.CLOSED,
        "pre_moderated": mode == CommentPolicy.PRE_MODERATION,
        "links_clickable": site_settings.links_clickable,
        "notice": NOTICES.get(request.GET.get(STATUS_PARAM, "")),
        "stamp": rules.make_stamp(article.pk),
        "limit": TEXT_LIMIT,
        "page_param": PAGE_PARAM,
    }
