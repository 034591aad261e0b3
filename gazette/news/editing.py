"""The article's edit form, open to features: a feature adds its panels here, in its
``AppConfig.ready()``, instead of news importing the feature::

    register_article_panel(EditorsPicksPanel(), order=10)

Each tab of the form is an :class:`ArticlePanels`: news's own panels, then the registered
ones by ``order``. It is read when Wagtail first builds the form, after every app is ready,
so registration order (INSTALLED_APPS) does not matter.
"""

from __future__ import annotations

from collections.abc import Sequence

from wagtail.admin.panels import Panel, PublishingPanel

from gazette.core import compat

_registered: dict[str, list[tuple[int, int, Panel]]] = {}


def register_article_panel(panel: Panel, *, tab: str = "content", order: int = 100) -> None:
    """Add ``panel`` to a tab of the article form ("content", "promote" or "settings")."""
    entries = _registered.setdefault(tab, [])
    entries.append((order, len(entries), panel))


class ArticlePanels(Sequence):
    """One tab's panels: news's own, then the features' by their order."""

    def __init__(self, tab: str, own: Sequence[Panel]):
        self.tab = tab
        self.own = list(own)

    def _panels(self) -> list[Panel]:
        return [*self.own, *(panel for _, _, panel in sorted(_registered.get(self.tab, [])))]

    def __getitem__(self, index):
        return self._panels()[index]

    def __len__(self) -> int:
        return len(self._panels())


class SharePreviewPanel(Panel):
    """How the story looks in a search engine's results and as a social card, drawn from the
    version being edited as last saved (no script: it shows the saved draft, and changes
    appear after the next save)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("heading", "Preview: search result and social card")
        super().__init__(**kwargs)

    @property
    def clean_name(self):
        return super().clean_name or "share_preview"

    class BoundPanel(Panel.BoundPanel):
        template_name = "news/admin/share_preview.html"

        def get_context_data(self, parent_context=None):
            from . import sharing

            context = super().get_context_data(parent_context)
            article = self.instance
            request = self.request
            url = ""
            if article.pk is not None and article.url_path:
                url = article.get_full_url(request) or ""
            context.update(
                url=url,
                search_title=sharing.shortened(
                    sharing.search_title(article), sharing.SEARCH_TITLE_CHARS
                ),
                search_description=sharing.shortened(
                    sharing.description(article), sharing.SEARCH_DESCRIPTION_CHARS
                ),
                social_title=sharing.social_title(article),
                social_description=sharing.shortened(
                    sharing.social_description(article), sharing.SOCIAL_DESCRIPTION_CHARS
                ),
                social_image=sharing.social_image(article),
                host=url.split("/")[2] if url.count("/") >= 2 else "",
            )
            return context


# The schedule dialog's own "Schedule to publish" posts this value (Wagtail's publish action):
# the time is set and the story scheduled in one click, where Wagtail saves the schedule first
# and schedules from the footer after (issue 23: as few steps as WordPress's "Schedule").
SCHEDULE_FROM_DIALOG = "schedule"


class SchedulingPanel(PublishingPanel):
    """Wagtail's go-live and expiry dialog, with a "Schedule to publish" button beside "Save
    schedule" for those who may publish."""

    class BoundPanel(PublishingPanel.BoundPanel):
        template_name = "news/admin/schedule_publishing_panel.html"

        def get_context_data(self, parent_context=None):
            context = super().get_context_data(parent_context)
            context["schedule_value"] = SCHEDULE_FROM_DIALOG
            return context


def with_scheduling_panel(panels):
    """``panels`` with Wagtail's publishing panel replaced by the one that schedules."""
    return [SchedulingPanel() if compat.is_publishing_panel(panel) else panel for panel in panels]
