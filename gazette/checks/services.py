"""Running the checks on a publish, and publishing despite them."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db import transaction
from wagtail.actions.publish_page_revision import PublishPageRevisionAction
from wagtail.log_actions import log
from wagtail.models import Revision

from gazette.news.models import ArticlePage

from .models import PublishingChecks
from .rules import Failure, blocking, failures

PERMISSION = "checks.publish_despite_checks"


class CannotOverride(Exception):
    """Why an editor may not publish this revision anyway; ``message`` is for them."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def check_article(article: ArticlePage) -> list[Failure]:
    """The checks of the article's site that it fails, as it is about to be published."""
    return failures(article, PublishingChecks.of_site(article.get_site()))


def may_override(user) -> bool:
    return user.has_perm(PERMISSION)


@transaction.atomic
def publish_despite_checks(*, revision: Revision, user, reason: str) -> list[Failure]:
    """Publish ``revision`` of an article whose blocking checks fail: the editor has the
    permission and gives a reason, logged on the page with the failures. Returns them."""
    reason = reason.strip()
    article = revision.content_object.specific
    if not may_override(user) or not article.permissions_for_user(user).can_publish():
        raise PermissionDenied("You may not publish this story despite its checks.")
    if not reason:
        raise CannotOverride("Give a reason: it is kept in the story's history.")
    if article.latest_revision_id != revision.pk:
        raise CannotOverride(
            "A newer version of the story was saved since: open it and publish that one."
        )
    found = check_article(revision.as_object())
    log(
        instance=article,
        action="checks.published_despite",
        user=user,
        revision=revision,
        data={
            "reason": reason,
            "failures": [{"check": f.check, "message": f.message} for f in blocking(found)],
        },
    )
    PublishPageRevisionAction(revision, user=user).execute(skip_permission_checks=True)
    return found
