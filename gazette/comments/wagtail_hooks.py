from django.urls import path
from wagtail import hooks
from wagtail.permissions import register_permission_policy
from wagtail.snippets.models import register_snippet

from . import admin_views
from .models import Comment

register_permission_policy(Comment, admin_views.CommentPermissionPolicy(Comment))
register_snippet(admin_views.CommentViewSet)

for bulk_action in (
    admin_views.ApproveBulkAction,
    admin_views.RejectBulkAction,
    admin_views.SpamBulkAction,
    admin_views.FeatureCommentsBulkAction,
    admin_views.UnfeatureCommentsBulkAction,
):
    hooks.register("register_bulk_action", bulk_action)

hooks.register("register_log_actions", admin_views.register_log_actions)


@hooks.register("construct_homepage_panels")
def add_pending_comments_panel(request, panels):
    if request.user.has_perm("comments.moderate_comment"):
        panels.append(admin_views.PendingCommentsPanel())


@hooks.register("register_admin_urls")
def register_one_click_moderation_url():
    return [
        path(
            "comments/<int:comment_id>/<str:action>/",
            admin_views.moderate_one,
            name="comments_moderate_one",
        )
    ]
