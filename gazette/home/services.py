from django.db import transaction
from wagtail.models import Page, Site

from gazette.core.compat import index_updates_batched

from .models import HomePage


@transaction.atomic
def ensure_home_page(*, title: str = "Gazette") -> HomePage:
    """Return the site's HomePage, creating it (and pointing the default site at it) once.

    Wagtail's first migration leaves a placeholder "Welcome" page as the site root; a fresh
    install replaces it with our HomePage.
    """
    home = HomePage.objects.first()
    if home is not None:
        return home
    with index_updates_batched():  # the new page is saved three times: indexed once
        return _make_home_page(title)


def _make_home_page(title: str) -> HomePage:
    root = Page.get_first_root_node()
    home = root.add_child(instance=HomePage(title=title, slug="gazette-home", live=True))
    site = Site.objects.filter(is_default_site=True).first()
    if site is None:
        Site.objects.create(
            hostname="localhost", port=80, root_page=home, is_default_site=True, site_name=title
        )
    else:
        placeholder = site.root_page
        site.root_page = home
        site.site_name = site.site_name or title
        site.save()
        if placeholder.specific_class is Page and not placeholder.get_children().exists():
            placeholder.delete()
    home.save_revision().publish()
    return home
