from django.utils.functional import SimpleLazyObject
from wagtail.models import Page, Site

from gazette.news import shared_parts
from gazette.news.models import SectionPage


def menu_sections(root_page: Page):
    """The live, public sections of a site's menu, in tree order.

    The query starts from the sections' own table (a dozen rows), not from the page tree: on
    SQLite, filtering and ordering the tree walks the whole path index, every article
    included (120 ms at 100,000 articles, on every page)."""
    sections = SectionPage.objects.filter(pk__in=SectionPage.objects.values("pk"))
    return sections.live().public().in_menu().child_of(root_page).order_by("path")


def site_navigation(request):
    """Sections for the site header and footer, only on pages that show them: the same on
    every page, so cached until a page, a site or a setting changes (one query on a miss)."""

    def sections() -> list[SectionPage]:
        site = Site.find_for_request(request)
        if site is None:
            return []
        return shared_parts.shared(
            request, f"menu:{site.pk}", lambda: list(menu_sections(site.root_page))
        )

    return {"navigation_sections": SimpleLazyObject(sections)}
