"""The article's edit form, open to features: a feature adds its panels here, in its
``AppConfig.ready()``, instead of news importing the feature::

    register_article_panel(EditorsPicksPanel(), order=10)

Each tab of the form is an :class:`ArticlePanels`: news's own panels, then the registered
ones by ``order``. It is read when Wagtail first builds the form, after every app is ready,
so registration order (INSTALLED_APPS) does not matter.
"""

from __future__ import annotations

from collections.abc import Sequence

from wagtail.admin.panels import Panel

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
