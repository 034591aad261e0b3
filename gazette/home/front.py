"""The front page's stories, lead and per section, with its Must-Reads, as HTML rendered once
per change.

Every reader of the home page sees the same front: finding the lead story and each section's
newest stories, then rendering their cards (a rendition and an address each), was nearly all
of an uncached home page's CPU. It is kept in the shared parts (``gazette.core.shared_parts``),
whose generation every change it could show retires: a page saved, published or moved, an
image, an author, a site or a setting. A preview, or a home page that is not live, renders its
own front uncached.
"""

from __future__ import annotations

from django.template import Context
from django.template.loader import get_template
from django.utils.safestring import SafeString, mark_safe

from gazette.core import shared_parts
from gazette.core.db_routing import reads_from_a_replica
from gazette.news.models import must_reads

FRONT_TEMPLATE = "home/includes/front.html"


def _render(request, home) -> str:
    # The request and the stories alone: the cards read nothing the context processors add.
    lead = home.lead_story()
    values = {
        "request": request,
        "lead_story": lead,
        "sections": home.sections_with_stories(exclude=lead),
        "must_reads": must_reads(),
    }
    return get_template(FRONT_TEMPLATE).template.render(Context(values)).removesuffix("\n")


def part_name(home) -> str:
    return f"home-front:{home.pk}"


def front(request, home) -> SafeString:
    """The front of ``home`` as HTML: cached, else rendered."""
    if not home.live or getattr(request, "is_preview", False) or reads_from_a_replica():
        return mark_safe(_render(request, home))  # noqa: S308 - our own templates' output
    html = shared_parts.shared(request, part_name(home), lambda: _render(request, home))
    return mark_safe(html)  # noqa: S308 - our own templates' output
