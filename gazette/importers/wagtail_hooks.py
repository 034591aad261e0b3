from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

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
