from django.utils.functional import SimpleLazyObject
from wagtail.models import Site

from gazette.news.models import SectionPage


def site_navigation(request):
    """Sections for the site header and footer: one query, and only on pages that show them."""

    def sections() -> list[SectionPage]:
        site = Site.find_for_request(request)
        if site is None:
            return []
        return list(
            SectionPage.objects.live().public().in_menu().child_of(site.root_page).order_by("path")
        )

    return {"navigation_sections": SimpleLazyObject(sections)}
