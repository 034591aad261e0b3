"""The article's edit form (Wagtail's page form, with what news needs of it)."""

from wagtail.admin.forms import WagtailAdminPageForm


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
