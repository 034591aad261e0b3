"""What the article page shows of its comments: the same for every reader of a URL, so that a
shared cache may keep it. Per-reader answers live only in the uncached endpoints' responses.

Comments come in threads: a comment and the replies to it (one level deep), featured ones
first, then oldest first, at both levels. A page holds 50 threads with all their replies,
read in two queries whatever their number."""

from __future__ import annotations

import json
import re
from collections import defaultdict
from datetime import UTC, datetime
from functools import lru_cache

from django.core.paginator import Paginator
from django.db.models import Count, IntegerField, QuerySet, Subquery, Value, Window
from django.db.models.functions import Coalesce
from django.http import HttpRequest
from django.template import Context
from django.template.loader import get_template, render_to_string
from django.urls import get_script_prefix, get_urlconf
from django.utils import timezone
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language, gettext, ngettext, pgettext
from django.utils.translation import gettext_lazy as _

from gazette.core import l10n
from gazette.core.templatetags.local_times import local_time
from gazette.news.models import ArticlePage, CommentPolicy

from . import fragments, rules
from .models import TEXT_LIMIT, Comment, CommentSettings
from .services import moderation_for

PAGE_SIZE = 50
PAGE_PARAM = "comments_page"
STATUS_PARAM = "comment"
# Shown after the no-JavaScript redirect, chosen by the query string alone: the same for every
# reader, never anything a reader wrote.
NOTICES = {
    "published": _("Thank you. Your comment is published."),
    "pending": _("Thank you. Your comment will appear once a moderator has read it."),
    "reported": _("Thank you. A moderator will look at the comment you reported."),
}
REPLY_NOTICES = {
    "published": _("Thank you. Your reply is published."),
    "pending": _("Thank you. Your reply will appear once a moderator has read it."),
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


def _cached_page_number(request: HttpRequest) -> str | None:
    """The comments page the request asks for, when its list is cached (plain numbers)."""
    requested = request.GET.get(PAGE_PARAM) or "1"
    return requested if requested.isdigit() and len(requested) <= 6 else None


def article_page_reads(request: HttpRequest, article: ArticlePage) -> list[tuple]:
    """What the comments block reads of the cache (``news.slots.register_reads``)."""
    number = _cached_page_number(request)
    if article.pk is None or number is None:
        return []
    return [(None, fragments.keys_to_preload(article.pk, number))]


def comments_block(request: HttpRequest, article: ArticlePage) -> SafeString:
    """The comments block as HTML: the page of threads with their replies, the form and the
    block around them are rendered once per change (fragments.py; two queries when not
    cached); each render puts in its own stamp and the notice its address asks for."""
    site_settings = CommentSettings.for_page(request)
    mode = moderation_for(article, site_settings)
    is_open = mode != CommentPolicy.CLOSED
    links = site_settings.links_clickable
    shown = {"open": is_open, "links_clickable": links, "page_param": PAGE_PARAM}
    requested = request.GET.get(PAGE_PARAM) or "1"

    pre_moderated = mode == CommentPolicy.PRE_MODERATION

    def build() -> dict:
        listing = comments_listing(article, requested)
        html = render_to_string("comments/list.html", {**listing, **shown}, request=request)
        form = form_html(article, pre_moderated) if is_open else ""
        return {"list_html": html, **block_around(listing["count"], form, is_open)}

    if article.pk is None:  # the preview of an article never saved has none
        form = form_html(article, pre_moderated) if is_open else ""
        listed = {"list_html": "", **block_around(0, form, is_open)}
    elif _cached_page_number(request) is not None:
        variant = f"{int(is_open)}{int(links)}{int(pre_moderated)}"
        listed = fragments.cached_list(request, article.pk, requested, variant, build)
    else:  # a hand-made page number: answered, never cached
        listed = build()
    notice = NOTICES.get(request.GET.get(STATUS_PARAM, ""))
    notice_html = format_html(NOTICE_HTML, notice) if notice else ""
    # The placeholders are in the part before the list only: a reader's words never go
    # through the replacements.
    before = listed["before_list"].replace(STAMP_PLACEHOLDER, rules.make_stamp(article.pk))
    before = before.replace(NOTICE_PLACEHOLDER, notice_html)
    return mark_safe(before + listed["list_html"] + listed["after_list"])  # noqa: S308


# The notice shown after the no-JavaScript redirect, put in by each render (its address says
# which): comments/comments.html has ``NOTICE_PLACEHOLDER`` in its place in the kept block.
NOTICE_HTML = '<p class="notice comments__notice" role="status">{}</p>'
NOTICE_PLACEHOLDER = "gazette-comments-notice"
# Where the list goes in the kept block, split there.
LIST_PLACEHOLDER = "gazette-comments-list"


def block_around(count: int, form: str, is_open: bool) -> dict:
    """comments/comments.html, the same for every reader of the article in a language, as
    the HTML before the list (the stamp and the notice still to put in) and after it."""
    context = {
        "count": count,
        "open": is_open,
        "form_html": mark_safe(form),  # noqa: S308 - our own template's output
        "list_html": LIST_PLACEHOLDER,
        "notice_html": NOTICE_PLACEHOLDER,
    }
    html = get_template("comments/comments.html").render(context)
    before, _, after = html.partition(LIST_PLACEHOLDER)
    return {"before_list": before, "after_list": after}


# Stands for the stamp in the kept form: letters and dashes, which escaping leaves alone and a
# signed stamp never holds in this order.
STAMP_PLACEHOLDER = "gazette-comment-form-stamp"


def form_html(article: ArticlePage, pre_moderated: bool) -> str:
    """The article's empty comment form, with ``STAMP_PLACEHOLDER`` for its stamp: it is the
    same for every reader in a language, and was half of the comments block's template work.
    What comments/comments.html gives comments/form.html, without the request: the form
    reads nothing the context processors add."""
    context = Context(
        {
            "article": article,
            "pre_moderated": pre_moderated,
            "stamp": STAMP_PLACEHOLDER,
            "limit": TEXT_LIMIT,
        }
    )
    return get_template("comments/form.html").template.render(context)


def posted_comment_html(comment: Comment, *, links: bool) -> str:
    """A comment just posted as the list shows it (comments/comment.html), for the answer to
    JavaScript: the template's markup is kept per language, zone, address prefix, links
    setting and kind (comment or reply), and each post fills in its own id, name, time and
    text. Rendering the template was the largest piece of a post's CPU in the app."""
    if comment.is_featured or getattr(comment, "shown_replies", None):
        return _comment_template_html(comment, links)  # never so when just posted
    parts = _posted_comment_skeleton(
        get_language() or "",
        # By name: the active zone is a new object per request (newsroom_time.SiteZone).
        str(timezone.get_current_timezone()),
        get_script_prefix(),
        get_urlconf(),
        links,
        comment.parent_id is not None,
    )
    slots = {
        _ID_SLOT: str(comment.pk),
        _NAME_SLOT: conditional_escape(comment.author_name),
        _TIME_SLOT: local_time(comment.created_at),
        _TEXT_SLOT: rules.comment_html(comment.text, links=links),
    }
    # One pass over the kept markup: a reader's words are put in, never searched again.
    return "".join(slots.get(part, part) for part in parts)


def _comment_template_html(comment: Comment, links: bool) -> str:
    # Without the request: the template reads nothing the context processors add.
    context = Context({"comment": comment, "links_clickable": links, "open": True})
    return get_template("comments/comment.html").template.render(context)


# What the kept markup of a posted comment holds in place of its own values: an id, a name,
# a text and a time no real comment has (letters only, which escaping leaves as they are).
_SENTINEL_ID = 918_273_645_546_372_819
_SENTINEL_TIME = datetime(2001, 2, 3, 4, 5, 6, 789012, tzinfo=UTC)
_ID_SLOT = "gazette-posted-comment-id"
_NAME_SLOT = "gazettepostedcommentname"
_TEXT_SLOT = "gazettepostedcommenttext"
_TIME_SLOT = "gazette-posted-comment-time"
_SLOTS = re.compile(f"({_ID_SLOT}|{_NAME_SLOT}|{_TEXT_SLOT}|{_TIME_SLOT})")


@lru_cache(maxsize=64)
def _posted_comment_skeleton(
    language: str, zone: str, script_prefix: str, urlconf, links: bool, is_reply: bool
) -> tuple[str, ...]:
    """comments/comment.html of a comment made of slots, split at them. The arguments are
    what its markup depends on besides the comment (the active ones, read again inside)."""
    stand_in = Comment(
        pk=_SENTINEL_ID,
        author_name=_NAME_SLOT,
        text=_TEXT_SLOT,
        created_at=_SENTINEL_TIME,
        parent_id=_SENTINEL_ID if is_reply else None,
    )
    html = _comment_template_html(stand_in, links)
    html = html.replace(str(local_time(_SENTINEL_TIME)), _TIME_SLOT)
    html = html.replace(str(_SENTINEL_ID), _ID_SLOT)
    return tuple(_SLOTS.split(html))


def comments_listing(article: ArticlePage, page_number) -> dict:
    """A page of threads with their replies, in two queries."""
    replies_shown = (
        Comment.objects.shown()
        .on(article)
        .exclude(parent=None)
        .values("article_id")
        .annotate(count=Count("pk"))
        .values("count")
    )
    threads = (
        Comment.objects.published()
        .on(article)
        .threads()
        .featured_first()
        .for_display()
        .annotate(
            replies_in_all=Coalesce(Subquery(replies_shown), Value(0), output_field=IntegerField())
        )
    )
    page = CountingPaginator(threads, PAGE_SIZE).get_page(page_number)
    comments = list(page.object_list)
    attach_replies(comments)
    replies_in_all = comments[0].replies_in_all if comments else 0
    return {
        "page_obj": page,
        "comments": comments,
        "count": page.paginator.count + replies_in_all,
    }


def attach_replies(threads: list[Comment]) -> None:
    """Set ``shown_replies`` on each thread: its published replies, featured first, then
    oldest first. One query for all of them (none without threads)."""
    by_thread: dict[int, list[Comment]] = defaultdict(list)
    if threads:
        replies = Comment.objects.published().replies_to(t.pk for t in threads)
        for reply in replies.featured_first().for_display():
            by_thread[reply.parent_id].append(reply)
    for thread in threads:
        thread.shown_replies = by_thread.get(thread.pk, [])


def thread_page_number(thread: Comment) -> int:
    """The page of the article's comments that shows ``thread``."""
    before = (
        Comment.objects.published()
        .filter(article_id=thread.article_id)
        .threads()
        .before_in_thread_order(thread)
        .count()
    )
    return before // PAGE_SIZE + 1


def location_of(comment: Comment) -> str:
    """Where a comment is on its article's page: ``?comments_page=2#comment-7``."""
    thread = comment.parent if comment.parent_id else comment
    page = thread_page_number(thread)
    query = f"?{PAGE_PARAM}={page}" if page > 1 else ""
    return f"{query}#comment-{comment.pk}"


def script_messages(limit: int) -> dict:
    """What comments.js says, in the active language. Counted phrases come in each of the
    language's CLDR plural categories ("one", "few", "many", "other"...), with ``{n}`` where
    the number goes: the script picks the category with ``Intl.PluralRules`` for ``locale``
    and writes the number in ``digits``, the locale's own (Western or Arabic-Indic)."""
    locale = l10n.current_locale()
    samples = _plural_samples(locale)

    def counted(phrase) -> dict[str, str]:
        # ``phrase(n)`` calls ngettext with its literal strings, so that makemessages finds them.
        return {category: phrase(number) % {"count": "{n}"} for category, number in samples.items()}

    return {
        "locale": str(locale).replace("_", "-"),
        "digits": l10n.current_digits(),
        "left": counted(lambda n: ngettext("character left", "characters left", n)),
        "over": counted(lambda n: ngettext("character too many", "characters too many", n)),
        "near": counted(
            lambda n: ngettext("%(count)s character left.", "%(count)s characters left.", n)
        ),
        "longer": ngettext(
            "The comment is longer than %(limit)s character.",
            "The comment is longer than %(limit)s characters.",
            limit,
        )
        % {"limit": l10n.format_number(limit)},
        "too_long": counted(
            lambda n: ngettext(
                "The comment is %(count)s character long;",
                "The comment is %(count)s characters long;",
                n,
            )
        ),
        "the_limit": gettext("the limit is %(limit)s.") % {"limit": l10n.format_number(limit)},
        "shorten": counted(
            lambda n: ngettext(
                "Shorten it by %(count)s character.", "Shorten it by %(count)s characters.", n
            )
        ),
        "posting": gettext("Posting…"),
        "kept": gettext("Your text is kept."),
        "failed": gettext(
            "The comment could not be sent. Check the connection and try again; your text is kept."
        ),
        "replies": gettext("Replies"),
        "reply_to": gettext("Your reply to %(name)s") % {"name": "{name}"},
        "post_reply": gettext("Post reply"),
        "cancel": pgettext("close the reply form", "Cancel"),
    }


def script_messages_json(limit: int) -> str:
    """``script_messages(limit)`` as JSON. They are the same on every page of a language, and
    working them out (200 plural rules, twenty translations) was a tenth of an uncached
    article render: done once per process, language and limit."""
    return _script_messages_json(get_language() or "en", int(limit))


@lru_cache(maxsize=64)
def _script_messages_json(language: str, limit: int) -> str:
    # ``language`` is the active one: it is the key, script_messages reads it.
    return json.dumps(script_messages(limit), ensure_ascii=False)


def _plural_samples(locale) -> dict[str, int]:
    """A number of each of the locale's plural categories: {"one": 1, "other": 0} in English."""
    samples: dict[str, int] = {}
    for number in range(0, 200):
        samples.setdefault(locale.plural_form(number), number)
    return samples
