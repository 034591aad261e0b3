"""The newsroom's side of the admin's dashboard: a "New article" button asking only for the
section, the editor's drafts, the scheduled stories and what waits for her review.

Each panel reads a fixed number of queries, whatever the number of stories (asserted in
tests/news/test_dashboard.py). Other features add their own panels (pending comments,
today's most read) from their own ``wagtail_hooks``.
"""

from __future__ import annotations

from django.contrib.contenttypes.models import ContentType
from django.db.models import CharField
from django.db.models.functions import Cast
from django.urls import reverse
from wagtail.admin.ui.components import Component
from wagtail.models import Page, Revision, TaskState
from wagtail.permissions import page_permission_policy

from .models import ArticlePage, SectionPage

PANEL_ROWS = 8


def sections_open_to(user) -> list[SectionPage]:
    """The sections under which ``user`` may start an article, in menu order."""
    sections = SectionPage.objects.all().order_by("path").specific(defer=True)
    return [
        section
        for section in sections
        if section.permissions_for_user(user).can_add_subpage()
        and ArticlePage.can_create_at(section)
    ]


def add_article_url(section: Page) -> str:
    return reverse("wagtailadmin_pages:add", args=["news", "articlepage", section.pk])


def my_drafts(user, *, limit: int = PANEL_ROWS) -> list[ArticlePage]:
    """Articles of ``user`` (she made them or saved them last) that readers do not see yet and
    that are not scheduled, last edited first: one query."""
    return list(
        ArticlePage.objects.filter(live=False, go_live_at__isnull=True, expired=False)
        .filter(owner=user)
        .select_related("section")
        .only("pk", "title", "latest_revision_created_at", "section__title")
        .order_by("-latest_revision_created_at", "-pk")[:limit]
    )


def scheduled_stories(user, *, limit: int = PANEL_ROWS) -> list[Revision]:
    """Article revisions waiting for their go-live time that ``user`` may edit or publish,
    soonest first: one query (the title is the revision's own ``object_str``; the pages she
    may edit are a subquery). An embargoed story's title is not shown to everyone."""
    content_type = ContentType.objects.get_for_model(ArticlePage)  # cached by Django
    editable = page_permission_policy.instances_user_has_any_permission_for(
        user, {"change", "publish"}
    )
    # A revision names its object by a string key.
    editable_keys = editable.annotate(key=Cast("pk", CharField())).values("key")
    return list(
        Revision.objects.filter(content_type=content_type, approved_go_live_at__isnull=False)
        .filter(object_id__in=editable_keys)
        .select_related("user")
        .order_by("approved_go_live_at", "pk")[:limit]
    )


def awaiting_review(user, *, limit: int = PANEL_ROWS) -> list[TaskState]:
    """Article revisions in a workflow task ``user`` may approve, oldest first: one query."""
    content_type = ContentType.objects.get_for_model(ArticlePage)
    return list(
        TaskState.objects.reviewable_by(user)
        .filter(revision__content_type=content_type)
        .select_related("revision", "revision__user")
        .order_by("started_at", "pk")[:limit]
    )


class NewsroomPanel(Component):
    """A dashboard panel of the newsroom, for the user of the request it is rendered for."""

    def user(self, parent_context):
        return parent_context["request"].user


class NewArticlePanel(NewsroomPanel):
    name = "new_article"
    order = 10
    template_name = "news/admin/dashboard_new_article.html"

    def get_context_data(self, parent_context=None):
        return {"new_article_url": reverse("news_new_article")}


class MyDraftsPanel(NewsroomPanel):
    name = "my_drafts"
    order = 20
    template_name = "news/admin/dashboard_my_drafts.html"

    def get_context_data(self, parent_context=None):
        return {"drafts": my_drafts(self.user(parent_context))}


class ScheduledPanel(NewsroomPanel):
    name = "scheduled_stories"
    order = 30
    template_name = "news/admin/dashboard_scheduled.html"

    def get_context_data(self, parent_context=None):
        return {"revisions": scheduled_stories(self.user(parent_context))}


class AwaitingReviewPanel(NewsroomPanel):
    name = "awaiting_my_review"
    order = 40
    template_name = "news/admin/dashboard_awaiting_review.html"

    def get_context_data(self, parent_context=None):
        return {"states": awaiting_review(self.user(parent_context))}
