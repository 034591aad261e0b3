"""Writes on comments: a reader posts, replies to or reports one, or stops the e-mails about
replies; a moderator decides or features; an import brings published ones. Each validates,
writes in one transaction (a post: its one INSERT) and returns what it wrote."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy, ngettext
from wagtail.log_actions import log

from gazette.core.l10n import format_number
from gazette.news.models import ArticlePage, CommentPolicy
from gazette.news.purge import purge_article_page

from . import rules
from .models import (
    NAME_LIMIT,
    TEXT_LIMIT,
    Comment,
    CommentReport,
    CommentSettings,
    RejectionReason,
)
from .queries import forget_pending_count

Status = Comment.Status
REPEAT_WINDOW = timedelta(hours=24)
REPORTS_TO_HOLD = 3
MODERATION_ACTIONS = {
    "approve": Status.PUBLISHED,
    "reject": Status.REJECTED,
    "spam": Status.SPAM,
}


class CommentRefused(Exception):
    """A comment that cannot be taken; ``message`` is for the reader, ``status`` for HTTP."""

    def __init__(self, code: str, message: str, status: int = 400):
        super().__init__(message)
        self.code, self.message, self.status = code, str(message), status


def moderation_for(
    article: ArticlePage, site_settings: CommentSettings, now: datetime | None = None
) -> str:
    """The article's policy now: pre, post or closed (its own, else the site's; closed anyway
    once it is older than the site lets comments run)."""
    policy = article.comment_policy or site_settings.moderation
    days = site_settings.close_after_days
    published = article.first_published_at
    if days and published and (now or timezone.now()) >= published + timedelta(days=days):
        return CommentPolicy.CLOSED
    return policy


def text_problem(text: str) -> str | None:
    """Why a normalised text cannot be posted, in the reader's terms; None when it can."""
    length = rules.char_count(text)
    if length == 0:
        return gettext("Write something before posting: the comment is empty.")
    if length > TEXT_LIMIT:
        over = length - TEXT_LIMIT
        too_long = ngettext(
            "The comment is %(length)s character long; the limit is %(limit)s.",
            "The comment is %(length)s characters long; the limit is %(limit)s.",
            length,
        ) % {"length": format_number(length), "limit": format_number(TEXT_LIMIT)}
        shorten = ngettext(
            "Shorten it by %(count)s character.", "Shorten it by %(count)s characters.", over
        ) % {"count": format_number(over)}
        return f"{too_long} {shorten}"
    return None


def thread_to_join(*, article: ArticlePage, parent: Comment) -> Comment:
    """The comment a reply goes under: ``parent``, or the comment ``parent`` replies to
    (replies are one level deep). Refused unless readers can see it on this article."""
    thread = parent.parent if parent.parent_id else parent
    if (
        parent.article_id != article.pk
        or parent.status != Status.PUBLISHED
        or thread.status != Status.PUBLISHED
    ):
        raise CommentRefused("no_parent", NO_PARENT, status=409)
    return thread


NO_PARENT = gettext_lazy(
    "The comment you are replying to is no longer shown. Your text is kept: you may post it "
    "as a comment of its own."
)


def name_problem(name: str) -> str | None:
    if not name:
        return gettext("Give a name to show with the comment.")
    if len(name) > NAME_LIMIT:
        return ngettext(
            "The name is %(length)s character long; the limit is %(limit)s.",
            "The name is %(length)s characters long; the limit is %(limit)s.",
            len(name),
        ) % {"length": format_number(len(name)), "limit": format_number(NAME_LIMIT)}
    return None


def post_comment(
    *,
    article: ArticlePage,
    site_settings: CommentSettings,
    author_name: str,
    text: str,
    client: str,
    email: str = "",
    notify_replies: bool = False,
    parent: Comment | None = None,
    honeypot: str = "",
    stamp_age: float | None = None,
    now: datetime | None = None,
    request=None,
) -> Comment:
    """Take a reader's comment, or reply to ``parent``: published at once, held for a
    moderator, or kept as spam; replies meet the same limit, rules and moderation.

    ``stamp_age`` is how long ago the form was served (None: unknown or forged stamp).
    ``notify_replies``: e-mail the reader when a reply to this comment is published.
    ``request``: the reader's, for what it has read already (the purge's site and locales).
    Raises CommentRefused when comments are closed or the comment is not acceptable.

    Its one write is the INSERT, atomic by itself: no transaction of its own (BEGIN and
    COMMIT were two of a post's five round trips to the database). What waits for a commit
    (the purge, the e-mails) runs once the INSERT is committed, or the caller's transaction.
    """
    now = now or timezone.now()
    mode = moderation_for(article, site_settings, now)
    if mode == CommentPolicy.CLOSED:
        raise CommentRefused("closed", gettext("Comments on this article are closed."), status=403)
    name, text, email = rules.normalise_name(author_name), rules.normalise_text(text), email.strip()
    problem = name_problem(name) or text_problem(text)
    if problem:
        raise CommentRefused("invalid", problem)
    if email:
        try:
            validate_email(email)
        except ValidationError:
            raise CommentRefused(
                "invalid", gettext("The e-mail address does not look right.")
            ) from None
    if notify_replies and not email:
        raise CommentRefused("invalid", NOTIFY_NEEDS_EMAIL)
    thread = thread_to_join(article=article, parent=parent) if parent is not None else None

    spam, held = [], []
    if honeypot.strip():
        spam.append("filled the hidden field")
    minimum = site_settings.min_seconds_to_submit
    if stamp_age is None:
        held.append("form stamp missing or invalid")
    elif minimum and stamp_age < minimum:
        spam.append(f"sent {max(stamp_age, 0):.0f} s after the form was served")
    if rules.has_link(text):
        held.append("link")
    if watched := rules.watched_words_in(text, site_settings.watched_word_list):
        held.append("watched words: " + ", ".join(watched))
    mark = rules.fingerprint(text)
    since = now - REPEAT_WINDOW
    # A comment to publish checks for a repeat in its INSERT (one round trip); one held or
    # kept as spam anyway checks first, so that its reasons name the repeat too.
    publish = not spam and not held and mode != CommentPolicy.PRE_MODERATION
    if not publish and Comment.objects.posted_since(mark, since):
        held.append("same text posted before")
    fields = {
        "article": article,
        "parent": thread,
        "author_name": name,
        "email": email,
        "notify_replies": notify_replies and thread is None,  # replies go to their thread
        "text": text,
        "created_at": now,
        "client_hash": client,
        "fingerprint": mark,
    }
    comment = Comment(**fields, **_ruling(spam, held, mode, now))
    if (
        publish
        and Comment.objects.insert(comment, unless_posted_since=since, count_shown=True) is None
    ):
        held.append("same text posted before")
        comment = Comment(**fields, **_ruling(spam, held, mode, now))
        publish = False
    if not publish:
        Comment.objects.insert(comment)
    status = comment.status
    if status == Status.PENDING:
        _notify_moderators_on_commit(comment)
    elif status == Status.PUBLISHED:
        # The article's page must show it; no other page shows comments.
        purge_article_page(article, request)
        _notify_thread_on_commit(comment, thread)
    return comment


def _ruling(spam: list[str], held: list[str], mode: str, now: datetime) -> dict:
    """What the rules made of a comment: kept as spam, held (saying why), or published."""
    if spam:
        status = Status.SPAM
    elif held or mode == CommentPolicy.PRE_MODERATION:
        status = Status.PENDING
    else:
        status = Status.PUBLISHED
    return {
        "status": status,
        "received_as": status,
        "held_for": "; ".join(spam or held)[:255],
        "published_at": now if status == Status.PUBLISHED else None,
    }


NOTIFY_NEEDS_EMAIL = gettext_lazy(
    "To get replies by e-mail, give your e-mail address (it is never shown), or untick the box."
)


@transaction.atomic
def moderate_comments(
    *, comments: Iterable[Comment], action: str, reason: str, user, category: str = ""
) -> list[Comment]:
    """Approve, reject or mark as spam; every decision is logged with who, when and why.
    A rejection may give one of the public ``RejectionReason`` categories as well (the
    moderation page counts them; the reason itself stays in the admin)."""
    target = MODERATION_ACTIONS[action]
    if category and (action != "reject" or category not in RejectionReason.values):
        raise ValueError(f"No rejection category {category!r} for {action!r}")
    now = timezone.now()
    done = []
    changed_articles = {}
    for comment in comments:
        previous = comment.status
        comment.status = target
        fields = ["status"]
        if target == Status.PUBLISHED:
            comment.published_at = now
            fields.append("published_at")
        comment.save(update_fields=fields)
        data = {"reason": reason.strip(), "from": previous, "to": target.value}
        if category:
            data["category"] = category
        log(instance=comment, action=f"comments.{action}", user=user, data=data)
        done.append(comment)
        if Status.PUBLISHED in (previous, target) and previous != target:
            changed_articles[comment.article_id] = comment.article
            if target == Status.PUBLISHED and comment.parent_id is not None:
                _notify_thread_on_commit(comment, comment.parent)
    forget_pending_count()
    # A comment that appears on or leaves a page: its cached copies must change.
    for article in changed_articles.values():
        purge_article_page(article)
    return done


def moderate_comment(
    *, comment: Comment, action: str, reason: str, user, category: str = ""
) -> Comment:
    return moderate_comments(
        comments=[comment], action=action, reason=reason, user=user, category=category
    )[0]


@transaction.atomic
def feature_comments(*, comments: Iterable[Comment], featured: bool, user) -> list[Comment]:
    """Feature comments (shown first, marked as featured) or stop featuring them; logged."""
    done, changed_articles = [], {}
    for comment in comments:
        if comment.is_featured == featured:
            continue
        comment.is_featured = featured
        comment.save(update_fields=["is_featured"])
        log(
            instance=comment,
            action="comments.feature" if featured else "comments.unfeature",
            user=user,
        )
        done.append(comment)
        if comment.status == Status.PUBLISHED:
            changed_articles[comment.article_id] = comment.article
    for article in changed_articles.values():
        purge_article_page(article)
    return done


@transaction.atomic
def stop_reply_emails(*, comment: Comment) -> int:
    """The reader of ``comment`` wants no more e-mails about replies: to this comment, and to
    any other they signed with the same address. Returns how many comments it turned off."""
    mine = Comment.objects.filter(pk=comment.pk)
    if comment.email:
        mine = Comment.objects.filter(email__iexact=comment.email)
    return mine.filter(notify_replies=True).update(notify_replies=False)


@transaction.atomic
def report_comment(*, comment: Comment, client: str) -> bool:
    """A reader reports a published comment. Reports by REPORTS_TO_HOLD different readers since
    it was (last) published send it back to the moderators. True when this one did."""
    if comment.status != Status.PUBLISHED:
        return False
    try:
        with transaction.atomic():
            CommentReport.objects.create(comment=comment, client_hash=client)
    except IntegrityError:  # this reader reported it already
        return False
    since = comment.published_at or comment.created_at
    reports = comment.reports.filter(created_at__gte=since).count()
    if reports < REPORTS_TO_HOLD:
        return False
    comment.status = Status.PENDING
    comment.save(update_fields=["status"])
    log(
        instance=comment,
        action="comments.reported",
        user=None,
        data={"reports": reports, "from": Status.PUBLISHED.value, "to": Status.PENDING.value},
    )
    _notify_moderators_on_commit(comment)
    purge_article_page(comment.article)
    return True


def import_comments(
    *, article: ArticlePage, texts: Sequence[str], author_name: str = "Reader"
) -> int:
    """Comments an import found on the article's source page, published as they were there, in
    their order. Idempotent: each is keyed on the article, its place and its text."""
    base = article.first_published_at or timezone.now()
    created = 0
    for position, raw in enumerate(texts):
        text = rules.normalise_text(raw)
        if not text:
            continue
        identity = f"{article.source_key or article.pk}\x00{position}\x00{text}"
        key = hashlib.sha256(identity.encode()).hexdigest()
        when = base + timedelta(seconds=position)
        _, was_created = Comment.objects.get_or_create(
            source_key=key,
            defaults={
                "article": article,
                "author_name": author_name,
                "text": text,
                "status": Status.PUBLISHED,
                "received_as": Status.PUBLISHED,
                "created_at": when,
                "published_at": when,
                "fingerprint": rules.fingerprint(text),
            },
        )
        created += was_created
    return created


def _notify_moderators_on_commit(comment: Comment) -> None:
    from .tasks import notify_moderators

    forget_pending_count()  # one more comment waits
    comment_id = comment.pk
    transaction.on_commit(lambda: notify_moderators.enqueue(comment_id))


def _notify_thread_on_commit(comment: Comment, thread: Comment | None) -> None:
    """A reply was published: e-mail its thread's author if they asked (the task checks
    again, once the reply is committed, and sends at most one e-mail per reply)."""
    if thread is None or not (thread.notify_replies and thread.email):
        return
    from .tasks import notify_reply

    comment_id = comment.pk
    transaction.on_commit(lambda: notify_reply.enqueue(comment_id))
