"""The e-mail a reader asked for ("E-mail me replies"): one per published reply to their
comment, with a signed link that stops them in one click. No reader account: the link names
the comment, signed, and the address it was signed with is never shown, not even to its owner.

The link is also the message's ``List-Unsubscribe`` header, with ``List-Unsubscribe-Post``
(RFC 8058): a mail program stops the e-mails with one POST. A person who follows the link
gets a page with one button, since mail scanners open links and must not unsubscribe anyone.
"""

from __future__ import annotations

from django.conf import settings
from django.core import signing
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext

from gazette.core.newsroom_time import newsroom_zone_name

from .models import Comment

_SALT = "gazette.comments.stop-reply-emails"


def stop_token(comment: Comment) -> str:
    """The comment's id, signed: the same in every e-mail about it, and it never expires (an
    e-mail may be read months later)."""
    return signing.Signer(salt=_SALT).sign(str(comment.pk))


def comment_of_token(token: str) -> Comment | None:
    """The comment a stop link was made for; None for a forged or mangled link."""
    try:
        pk = signing.Signer(salt=_SALT).unsign(token)
    except signing.BadSignature:
        return None
    return Comment.objects.filter(pk=int(pk)).first() if pk.isdigit() else None


def stop_url(comment: Comment) -> str:
    root = settings.WAGTAILADMIN_BASE_URL.rstrip("/")
    site = comment.article.get_site()
    if site is not None:
        root = site.root_url
    return root + reverse("comments:stop_reply_emails", args=[stop_token(comment)])


def reply_email(*, reply: Comment, thread: Comment, reply_url: str) -> EmailMessage:
    """The message to the author of ``thread`` about ``reply``, times in the newsroom's zone."""
    unsubscribe = stop_url(thread)
    context = {
        "reply": reply,
        "thread": thread,
        "article": reply.article,
        "reply_url": reply_url,
        "stop_url": unsubscribe,
    }
    with timezone.override(newsroom_zone_name()):
        body = render_to_string("comments/email/reply.txt", context)
    return EmailMessage(
        subject=(
            gettext("A reply to your comment on “%(title)s”") % {"title": reply.article.title}
        )[:150],
        body=body,
        to=[thread.email],
        headers={
            "List-Unsubscribe": f"<{unsubscribe}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            "Auto-Submitted": "auto-generated",
        },
    )
