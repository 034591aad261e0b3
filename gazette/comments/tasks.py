"""Background work of the comments app: telling moderators that a comment waits for them, and
a reader that a reply to their comment is published."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django_tasks import task

from .models import Comment, CommentSettings


def moderator_addresses(site_settings: CommentSettings) -> list[str]:
    """The site's own list, else every active administrator and comment moderator."""
    if site_settings.notify_email_list:
        return site_settings.notify_email_list
    permission = Permission.objects.filter(
        content_type__app_label="comments", codename="moderate_comment"
    ).first()
    who = Q(is_superuser=True)
    if permission is not None:
        who |= Q(user_permissions=permission) | Q(groups__permissions=permission)
    users = get_user_model().objects.filter(who, is_active=True).exclude(email="")
    return sorted(set(users.values_list("email", flat=True)))


@task()
def notify_moderators(comment_id: int) -> int:
    """E-mail the moderators about one comment that waits; returns how many were told."""
    comment = Comment.objects.select_related("article").filter(pk=comment_id).first()
    if comment is None or comment.status != Comment.Status.PENDING:
        return 0
    site_settings = CommentSettings.for_article(comment.article)
    recipients = moderator_addresses(site_settings)
    if not recipients:
        return 0
    queue_url = settings.WAGTAILADMIN_BASE_URL.rstrip("/") + reverse(
        "wagtailsnippets_comments_comment:list"
    )
    context = {
        "comment": comment,
        "article": comment.article,
        "waiting": Comment.objects.pending().count(),
        "queue_url": f"{queue_url}?status=pending",
    }
    send_mail(
        subject=f"A comment waits for moderation: {comment.article.title}"[:150],
        message=render_to_string("comments/email/pending.txt", context),
        from_email=None,
        recipient_list=recipients,
    )
    return len(recipients)


@task()
def notify_reply(reply_id: int) -> bool:
    """E-mail the author of the comment a published reply answers, if they asked for it:
    once per reply, however often this runs (a retry, a reply approved again). The claim and
    the sending share a transaction: a failed send leaves the reply unclaimed for a retry.
    True when an e-mail went."""
    from .presentation import location_of
    from .reply_emails import reply_email

    reply = Comment.objects.select_related("article", "parent").filter(pk=reply_id).first()
    if reply is None or reply.parent is None or reply.status != Comment.Status.PUBLISHED:
        return False
    thread = reply.parent
    if not (thread.notify_replies and thread.email) or thread.status != Comment.Status.PUBLISHED:
        return False
    if reply.email and reply.email.casefold() == thread.email.casefold():
        return False  # a reader answering themselves
    article_url = reply.article.get_full_url()
    if article_url is None:  # no longer on a site
        return False
    with transaction.atomic():
        claimed = Comment.objects.filter(pk=reply.pk, reply_notified_at__isnull=True).update(
            reply_notified_at=timezone.now()
        )
        if not claimed:
            return False
        reply_email(reply=reply, thread=thread, reply_url=article_url + location_of(reply)).send()
    return True
