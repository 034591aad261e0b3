"""A section's page of stories, with its pagination, as HTML rendered once per change.

Every reader of ``/world/?page=2`` sees the same stories: counting the section, reading its
page of stories and rendering their cards (a rendition and an address each) was nearly all of
an uncached section page's CPU. The HTML is kept in the shared parts
(``gazette.core.shared_parts``), whose generation every change it could show retires (a page
saved, published or moved, an image, an author, a site or a setting), per section and page
number. Only plain page numbers are kept (``?page=abc`` or a huge number renders uncached: no
one fills the cache with addresses of their own); a preview renders uncached too.
"""

from __future__ import annotations

import re

from django.template import Context
from django.template.loader import get_template
from django.utils.safestring import SafeString, mark_safe

from gazette.core import shared_parts
from gazette.core.db_routing import reads_from_a_replica

STORIES_TEMPLATE = "news/includes/section_stories.html"
KEPT_PAGE_NUMBER = re.compile(r"[1-9][0-9]{0,3}")


def _render(request, section, number) -> str:
    # The request and the stories alone: the cards read nothing the context processors add.
    values = {"request": request, "articles": section.stories_page(number)}
    return get_template(STORIES_TEMPLATE).template.render(Context(values)).removesuffix("\n")


def part_name(request, section) -> str | None:
    """The shared part of the page of stories the request asks for (None: not kept)."""
    number = request.GET.get("page")
    if number is None or KEPT_PAGE_NUMBER.fullmatch(number):
        return f"section-stories:{section.pk}:{number or 1}"
    return None


def stories(request, section) -> SafeString:
    """The stories of the page of ``section`` the request asks for, as HTML."""
    number = request.GET.get("page")
    name = part_name(request, section)
    uncached = not section.live or getattr(request, "is_preview", False) or reads_from_a_replica()
    if name is None or uncached:
        return mark_safe(_render(request, section, number))  # noqa: S308 - our templates' output
    html = shared_parts.shared(request, name, lambda: _render(request, section, number))
    return mark_safe(html)  # noqa: S308 - our own templates' output
