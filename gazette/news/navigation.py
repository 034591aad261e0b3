"""The site's menu: its live, public sections, for the header and footer of every page."""

from __future__ import annotations

from django.utils.functional import SimpleLazyObject
from wagtail.models import Page

from gazette.core.editions import edition_root
from gazette.core.shared_parts import SitePart

from .models import SectionPage


def menu_sections(root_page: Page):
    """The live, public sections of a site's menu, in tree order.

    The query starts from the sections' own table (a dozen rows), not from the page tree: on
    SQLite, filtering and ordering the tree walks the whole path index, every article
    included (120 ms at 100,000 articles, on every page)."""
    sections = SectionPage.objects.filter(pk__in=SectionPage.objects.values("pk"))
    return sections.live().public().in_menu().child_of(root_page).order_by("path")


def _menu(site) -> list[SectionPage]:
    if site is None:
        return []
    sections = list(menu_sections(edition_root(site)))
    for section in sections:
        # The address as ``{% pageurl %}`` writes it on a page of this site (the part is per
        # site and language), worked out once with the menu: the header and the footer
        # asked Wagtail for it on every render, a reverse() each, a tenth of an article's CPU.
        url_parts = section.get_url_parts()
        section.menu_url = url_parts[2] if url_parts else None
    return sections


# The same on every page of a site: cached until a page, a site or a setting changes. Not read
# with the site's other parts: the header and footer that show it are kept as HTML
# (base.html's fragments), and unpickling its sections on every render cost more than reading
# it on their rare rebuild.
MENU = SitePart("menu", _menu, preload=False)


def site_navigation(request):
    """Context processor: the menu's sections, read only on pages that show them (one query
    on a cache miss)."""
    return {"navigation_sections": SimpleLazyObject(lambda: MENU.get(request))}
