from django.contrib.auth.models import Permission
from django.urls import path, reverse
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from . import admin_views
from .models import FeedSource


class FeedSourceViewSet(SnippetViewSet):
    """Editors with the feed source permissions (add/change/delete/view) manage the feeds;
    the listing shows how each one's last poll went."""

    model = FeedSource
    icon = "link-external"
    menu_label = "Feed sources"
    add_to_admin_menu = True
    menu_order = 230
    list_display = ["name", "url", "section", "status_summary", "last_polled_at", "next_poll_at"]
    list_filter = ["last_status", "enabled"]

    def get_queryset(self, request):
        # The section column: one query for the page, not one per row.
        return FeedSource.objects.select_related("section")


register_snippet(FeedSourceViewSet)


@hooks.register("register_admin_urls")
def register_import_urls():
    return [
        path("imports/", admin_views.ImportRunsView.as_view(), name="importers_runs"),
        path("imports/new/", admin_views.ImportFormView.as_view(), name="importers_new"),
        path("imports/<int:pk>/", admin_views.ImportRunView.as_view(), name="importers_run"),
        path(
            "imports/<int:pk>/import/",
            admin_views.start_import_view,
            name="importers_start_import",
        ),
        path("imports/<int:pk>/again/", admin_views.run_again_view, name="importers_run_again"),
    ]


class ImportMenuItem(MenuItem):
    def is_shown(self, request):
        return admin_views.may_import(request.user)


@hooks.register("register_admin_menu_item")
def register_import_menu_item():
    return ImportMenuItem(
        "Import", reverse("importers_new"), name="import", icon_name="download", order=235
    )


@hooks.register("register_permissions")
def register_import_permission():
    # Settings > Groups lists it, so an administrator can give the Import to a group.
    return Permission.objects.filter(content_type__app_label="importers", codename="run_import")
