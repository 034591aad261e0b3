"""The article's edit form (Wagtail's page form, with what news needs of it)."""

from django.utils import timezone
from wagtail.admin.forms import WagtailAdminPageForm

from .editing import SCHEDULE_FROM_DIALOG


class ArticlePageForm(WagtailAdminPageForm):
    def clean_first_published_at(self):
        """Keep the seconds of the stored first-published time. The admin's date widget shows
        and posts minutes only, so every republish turned 13:15:18 into 13:15:00 in the feeds,
        the news sitemap and article:published_time; a time posted in the stored minute is the
        stored time, left as it was. A time in another minute is the editor's change."""
        posted = self.cleaned_data.get("first_published_at")
        stored = self.instance.first_published_at if self.instance.pk else None
        if posted and stored and posted == stored.replace(second=0, microsecond=0):
            return stored
        return posted

    def clean(self):
        cleaned = super().clean()
        # The schedule dialog's "Schedule to publish" with no time ahead would publish at once.
        if self.data.get("action-publish") == SCHEDULE_FROM_DIALOG:
            go_live = cleaned.get("go_live_at")
            if "go_live_at" not in self.errors and (not go_live or go_live <= timezone.now()):
                self.add_error(
                    "go_live_at",
                    "To schedule, choose a go-live time ahead of now. To publish now, use "
                    "More actions, then Publish.",
                )
        return cleaned
