"""What the article page shows of its comments: the same for every reader of a URL, so that a
shared cache may keep it. Per-reader answers live only in the uncached endpoints' responses."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.db.models import Count, QuerySet, Window
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


class CountingPaginator(Paginator):
    """Reads a page and the number of all its rows in one query (``COUNT(*) OVER ()``), where
    a Paginator counts first, then reads. A page past the end falls back to Paginator's way
    (count, then the last page): only a hand-made URL asks for one."""

    def __init__(self, object_list: QuerySet, per_page: int):
        super().__init__(object_list.annotate(rows_in_all=Window(Count("pk"))), per_page)

    def get_page(self, number):
        try:
            if isinstance(number, float) and not number.is_integer():
                raise ValueError
            number = int(number)
        except (TypeError, ValueError):
            number = 1  # as Paginator: not a number, the first page
        if number >= 1:
            start = (number - 1) * self.per_page
            rows = list(self.object_list[start : start + self.per_page])
            if rows or number == 1:
                self.count = rows[0].rows_in_all if rows else 0  # the cached property's place
                return self._get_page(rows, number, self)
        return super().get_page(number)


def comments_context(request: HttpRequest, article: ArticlePage) -> dict:
    """Published comments oldest first, 50 a page, in one query (the site's comment settings
    come from the cache)."""
    site_settings = CommentSettings.for_page(request)
    mode = moderation_for(article, site_settings)
    published = Comment.objects.published().on(article).oldest_first().for_display()
    page = CountingPaginator(published, PAGE_SIZE).get_page(request.GET.get(PAGE_PARAM))
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
