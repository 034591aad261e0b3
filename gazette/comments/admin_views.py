"""The moderation queue in the Wagtail admin: a listing of comments to filter and search, and
approve / reject / spam actions that work on one comment or many, each with a reason; and
feature / stop featuring, which puts a comment first on its article.

Every action goes through services.moderate_comments, which writes a Wagtail log entry: the
comment's History, and Reports > Site history, show who did what, when and why.
"""

from __future__ import annotations

import django_filters
from django import forms
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.http import Http404
from django.middleware.csrf import get_token
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.functional import classproperty
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST
from wagtail.admin import messages
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.ui.components import Component
from wagtail.admin.ui.tables import Column, DateColumn
from wagtail.admin.widgets import Button
from wagtail.log_actions import LogFormatter
from wagtail.permission_policies import ModelPermissionPolicy
from wagtail.snippets.bulk_actions.snippet_bulk_action import SnippetBulkAction
from wagtail.snippets.views.snippets import HistoryView, IndexView, SnippetViewSet

from gazette.news.models import ArticlePage

from . import services
from .models import Comment, RejectionReason
from .queries import pending_count


class CommentPermissionPolicy(ModelPermissionPolicy):
    """Readers' words are not the newsroom's to write: nobody adds or edits a comment in the
    admin. Moderators (the 'moderate' permission) see the queue and decide."""

    def user_has_permission(self, user, action):
        if action in ("add", "change"):
            return False
        if action == "view":
            return super().user_has_permission(user, "view") or super().user_has_permission(
                user, "moderate"
            )
        return super().user_has_permission(user, action)

    def user_has_any_permission(self, user, actions):
        return any(self.user_has_permission(user, action) for action in actions)


class CommentFilterSet(WagtailFilterSet):
    status = django_filters.ChoiceFilter(choices=Comment.Status.choices, empty_label="Any")
    article = django_filters.ModelChoiceFilter(
        queryset=lambda request: (
            ArticlePage.objects.filter(comments__isnull=False).distinct().order_by("title")
        ),
        empty_label="Any",
    )

    class Meta:
        model = Comment
        fields = ["status", "article"]


def pending_queue_url() -> str:
    """The moderation queue as a moderator wants it: what waits, oldest first."""
    return reverse("wagtailsnippets_comments_comment:list") + "?status=pending&ordering=created_at"


def pending_label(count: int) -> str:
    return ngettext("%(count)d comment pending", "%(count)d comments pending", count) % {
        "count": count
    }


class PendingCommentsPanel(Component):
    """The dashboard's count of comments waiting for a moderator, linking to the queue: no
    query on a warm cache, one COUNT otherwise."""

    name = "pending_comments"
    order = 50
    template_name = "comments/admin/dashboard_pending.html"

    def get_context_data(self, parent_context=None):
        count = pending_count()
        return {"count": count, "label": pending_label(count), "queue_url": pending_queue_url()}


class CommentIndexView(IndexView):
    def get(self, request, *args, **kwargs):
        # Opened bare (the menu, a bookmark): the queue starts on what waits, oldest first.
        # Any filter chosen, "Any" status included, is kept as chosen.
        if not self.results_only and not request.GET:
            return redirect(pending_queue_url())
        return super().get(request, *args, **kwargs)

    def get_page_title(self):
        return f"Comments: {pending_label(pending_count())}"

    def get_base_queryset(self):
        return (
            super()
            .get_base_queryset()
            .select_related("article")
            .annotate(report_count=Count("reports"))
        )

    def get_list_more_buttons(self, instance):
        buttons = super().get_list_more_buttons(instance)
        if not self.request.user.has_perm("comments.moderate_comment"):
            return buttons
        for action, label, icon in MODERATION_BUTTONS:
            if action in FEATURE_ACTIONS:
                if instance.is_featured == (action == "feature"):
                    continue
            elif instance.status == services.MODERATION_ACTIONS[action]:
                continue
            url = reverse("wagtail_bulk_action", args=("comments", "comment", action))
            buttons.append(
                Button(
                    label,
                    url=f"{url}?id={instance.pk}&next={self.request.get_full_path()}",
                    icon_name=icon,
                    priority=5,
                )
            )
        return buttons


# Approve / Reject / Spam as one click per row (issue 23: as few clicks as WordPress's queue):
# each a small form posting to moderate_one, no reason asked. The row's ⋯ menu keeps the
# confirmation page, for a decision that wants a reason.
ONE_CLICK_ACTIONS = (("approve", "Approve"), ("reject", "Reject"), ("spam", "Spam"))


class ModerateColumn(Column):
    """The row's one-click decisions: the actions that would change the comment's status."""

    cell_template_name = "comments/admin/moderate_cell.html"

    def __init__(self, name="moderate", **kwargs):
        kwargs.setdefault("label", "Moderate")
        super().__init__(name, **kwargs)

    def get_cell_context_data(self, instance, parent_context):
        context = super().get_cell_context_data(instance, parent_context)
        request = parent_context["request"]
        if not request.user.has_perm("comments.moderate_comment"):
            context["actions"] = []
            return context
        context["csrf_token"] = get_token(request)
        context["next_url"] = request.get_full_path()
        context["actions"] = [
            (action, label, reverse("comments_moderate_one", args=[instance.pk, action]))
            for action, label in ONE_CLICK_ACTIONS
            if instance.status != services.MODERATION_ACTIONS[action]
        ]
        context["excerpt"] = instance.excerpt
        return context


@require_POST
def moderate_one(request, comment_id: int, action: str):
    """One comment approved, rejected or marked as spam in one click, without a reason; back
    to the queue where the click was made."""
    if not request.user.has_perm("comments.moderate_comment"):
        raise PermissionDenied
    if action not in services.MODERATION_ACTIONS:
        raise Http404
    comment = get_object_or_404(Comment.objects.select_related("article"), pk=comment_id)
    if comment.status != services.MODERATION_ACTIONS[action]:
        services.moderate_comment(comment=comment, action=action, reason="", user=request.user)
    done = {"approve": "Approved", "reject": "Rejected", "spam": "Marked as spam"}[action]
    messages.success(
        request,
        f"{done}: {comment.author_name}’s comment on “{comment.article.title}”.",
        buttons=[
            messages.button(
                reverse("wagtailsnippets_comments_comment:history", args=[comment.pk]),
                "History",
            )
        ],
    )
    next_url = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(next_url, {request.get_host()}):
        next_url = pending_queue_url()
    return redirect(next_url)


class CommentHistoryView(HistoryView):
    # Moderators read the log of what was decided, though they may not edit a comment.
    any_permission_required = ["view", "moderate", "delete"]


MODERATION_BUTTONS = (  # the row's ⋯ menu: each to its confirmation page, with a reason
    ("approve", "Approve", "check"),
    ("reject", "Reject", "cross"),
    ("spam", "Mark as spam", "warning"),
    ("feature", "Feature", "pick"),
    ("unfeature", "Stop featuring", "pick"),
)
FEATURE_ACTIONS = {"feature": True, "unfeature": False}


class CommentViewSet(SnippetViewSet):
    model = Comment
    icon = "comment"
    menu_label = "Comments"
    menu_order = 230
    add_to_admin_menu = True
    index_view_class = CommentIndexView

    @property
    def menu_item_class(self):
        base = super().menu_item_class

        class PendingCommentsMenuItem(base):
            """ "Comments (3)" for moderators: the label carries what waits (the sidebar
            renders labels as text, so the count is in it, not in a badge; short, as the
            sidebar cuts long labels)."""

            def render_component(self, request):
                component = super().render_component(request)
                if request.user.has_perm("comments.moderate_comment"):
                    count = pending_count()
                    if count:
                        component.label = f"{self.label} ({count})"
                    component.url = pending_queue_url()
                return component

        return PendingCommentsMenuItem

    history_view_class = CommentHistoryView
    filterset_class = CommentFilterSet
    search_fields = ["text", "author_name", "email"]
    search_backend_name = None  # plain database search, no index to keep
    ordering = ["-created_at", "-pk"]
    list_per_page = 50
    list_display = [
        "excerpt",  # the title column: links to the comment, carries the action buttons
        Column("author_name", label="Name"),
        Column("article", label="Article"),
        Column("parent", label="In reply to"),
        Column("status", label="Status", accessor="get_status_display"),
        Column("is_featured", label="Featured", accessor="featured_label"),
        Column("held_for", label="Held for"),
        Column("report_count", label="Reports"),
        DateColumn("created_at", label="Posted", sort_key="created_at"),
        ModerateColumn(),
    ]
    inspect_view_enabled = True
    inspect_view_fields = [
        "article",
        "parent",
        "is_featured",
        "author_name",
        "email",
        "text",
        "status",
        "held_for",
        "created_at",
        "published_at",
    ]


class ModerationForm(forms.Form):
    reason = forms.CharField(
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Kept in the comment's history with your name.",
    )


class CommentBulkAction(SnippetBulkAction):
    """A moderator's action on the selected comments, confirmed on one page."""

    template_name = "comments/admin/confirm_moderation.html"
    done_label = ""  # "Approved", "Featured"...: the success message's verb

    @classproperty
    def models(cls):
        return [Comment]

    def check_perm(self, obj):
        return self.request.user.has_perm("comments.moderate_comment")

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "action_label": self.display_name}

    def get_success_message(self, num_parent_objects, num_child_objects):
        noun = "comment" if num_parent_objects == 1 else "comments"
        return f"{self.done_label} {num_parent_objects} {noun}."


class ModerateBulkAction(CommentBulkAction):
    """Approve / reject / mark as spam the selected comments, with a reason."""

    form_class = ModerationForm
    reason_required = False
    action_priority = 10

    def get_form(self, form_class=None):
        form = super().get_form(form_class)
        form.fields["reason"].required = self.reason_required
        return form

    def get_execution_context(self):
        return {
            "user": self.request.user,
            "reason": self.cleaned_form.cleaned_data["reason"],
            "category": self.cleaned_form.cleaned_data.get("category", ""),
            "action": self.action_type,
        }

    @classmethod
    def execute_action(cls, objects, user=None, reason="", action="", category="", **kwargs):
        done = services.moderate_comments(
            comments=objects, action=action, reason=reason, user=user, category=category
        )
        return len(done), 0


class ApproveBulkAction(ModerateBulkAction):
    display_name = "Approve"
    action_type = "approve"
    aria_label = "Approve the selected comments"
    done_label = "Approved"


class RejectionForm(ModerationForm):
    category = forms.ChoiceField(
        label="Reason readers see",
        choices=[("", "Not given"), *RejectionReason.choices],
        required=False,
        help_text="Counted, never quoted, on the public moderation page (/moderation/). The "
        "reason above stays in the admin.",
    )


class RejectBulkAction(ModerateBulkAction):
    display_name = "Reject"
    action_type = "reject"
    aria_label = "Reject the selected comments"
    done_label = "Rejected"
    reason_required = True
    form_class = RejectionForm


class SpamBulkAction(ModerateBulkAction):
    display_name = "Mark as spam"
    action_type = "spam"
    aria_label = "Mark the selected comments as spam"
    done_label = "Marked as spam"
    reason_required = True


class FeatureBulkAction(CommentBulkAction):
    """Feature the selected comments (shown first on their article) or stop featuring them."""

    action_priority = 20
    featured = True

    def get_execution_context(self):
        return {"user": self.request.user, "featured": self.featured}

    @classmethod
    def execute_action(cls, objects, user=None, featured=True, **kwargs):
        return len(services.feature_comments(comments=objects, featured=featured, user=user)), 0


class FeatureCommentsBulkAction(FeatureBulkAction):
    display_name = "Feature"
    action_type = "feature"
    aria_label = "Feature the selected comments"
    done_label = "Featured"


class UnfeatureCommentsBulkAction(FeatureBulkAction):
    display_name = "Stop featuring"
    action_type = "unfeature"
    aria_label = "Stop featuring the selected comments"
    done_label = "Stopped featuring"
    featured = False


class ModerationLogFormatter(LogFormatter):
    verb = ""

    def format_message(self, log_entry):
        data = log_entry.data or {}
        message = f"{self.verb} (was {data['from']})" if data.get("from") else self.verb
        if data.get("category") in RejectionReason.values:
            message += f" [{RejectionReason(data['category']).label}]"
        return f"{message}: {data['reason']}" if data.get("reason") else message

    def format_comment(self, log_entry):
        return (log_entry.data or {}).get("reason", "")


def register_log_actions(actions) -> None:
    for action, label, verb in (
        ("comments.approve", "Approve comment", "Approved"),
        ("comments.reject", "Reject comment", "Rejected"),
        ("comments.spam", "Mark comment as spam", "Marked as spam"),
    ):
        actions.register_action(action)(
            type("_Formatter", (ModerationLogFormatter,), {"label": label, "verb": verb})
        )

    actions.register_action("comments.feature")(
        type("_Formatter", (LogFormatter,), {"label": "Feature comment", "message": "Featured"})
    )
    actions.register_action("comments.unfeature")(
        type(
            "_Formatter",
            (LogFormatter,),
            {"label": "Stop featuring comment", "message": "Stopped featuring"},
        )
    )

    @actions.register_action("comments.reported")
    class ReportedFormatter(LogFormatter):
        label = "Comment sent back by readers' reports"

        def format_message(self, log_entry):
            reports = (log_entry.data or {}).get("reports", 0)
            return f"Sent back to pending by {reports} readers' reports"
