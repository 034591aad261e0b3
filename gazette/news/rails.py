"""The article page's rails, Latest Stories and Must-Reads, as HTML rendered once per change.

Every article of a section shows the same Latest Stories, every article of a site the same
Must-Reads: rendering their teasers on each uncached render was a tenth of its time. Each rail
is rendered once per generation of the shared parts (``gazette.core.shared_parts``, retired by
every change that could alter it) and kept there as HTML, from the same templates, so pages
read exactly as before. Latest Stories is kept as one row per story, its newest and one more,
so each article leaves itself out without a rendering of its own.
"""

from __future__ import annotations

from django.template import Context
from django.template.loader import get_template
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext
from wagtail.models import Site

from gazette.core import editions, shared_parts

from .models import LATEST_STORIES_COUNT, ArticlePage, shared_must_reads_query

TEASER_TEMPLATE = "news/includes/teaser.html"
RANKED_LIST_TEMPLATE = "news/includes/ranked_list.html"


def _render(template_name: str, request, **values) -> str:
    """The template with these values and the request alone: a teaser reads nothing of what
    the context processors add, and a rebuild runs them for no one."""
    return get_template(template_name).template.render(Context({"request": request, **values}))


def ranked_list(request, *, heading: str, slug: str, articles) -> str:
    """A rail of ranked teasers as HTML (Must-Reads, Popular Now, You May Also Like): kept
    in a cache by whoever owns the list, rendered the same way for all of them."""
    return _render(RANKED_LIST_TEMPLATE, request, heading=heading, slug=slug, articles=articles)


def _latest_name(section_id: int) -> str:
    return f"latest-html:{section_id}"


def _must_reads_name(request) -> str:
    # Per site: a story of another site is linked by its full address.
    site = Site.find_for_request(request) if request is not None else None
    # And per language edition: each has its own.
    return f"must-reads-html:{site.pk if site else 0}:{editions.active_language()}"


def part_names(request, section_id: int | None) -> list[str]:
    """The rails' shared parts an article page reads: preloaded with the site's parts."""
    names = [_must_reads_name(request)]
    if section_id:
        names.append(_latest_name(section_id))
    return names


def latest_stories(request, section_id: int | None, *, excluding: int) -> list[SafeString]:
    """The teasers of the section's newest stories but the one being read, as HTML."""
    if not section_id:
        return []

    def render() -> list[tuple[int, str]]:
        newest = (
            ArticlePage.objects.live()
            .public()
            .filter(section_id=section_id)
            .newest_first()
            .for_rail()[: LATEST_STORIES_COUNT + 1]
        )
        return [
            (story.pk, _render(TEASER_TEMPLATE, request, article=story, show_label=False))
            for story in newest
        ]

    rows = shared_parts.shared(request, _latest_name(section_id), render)
    shown = [html for pk, html in rows if pk != excluding][:LATEST_STORIES_COUNT]
    return [mark_safe(html) for html in shown]  # noqa: S308 - our own templates' output


def must_reads(request) -> SafeString:
    """The Must-Reads rail, heading and ranked teasers, as HTML ("" when it is empty)."""

    def render() -> str:
        stories = list(shared_must_reads_query())
        return ranked_list(
            request, heading=gettext("Must-Reads"), slug="must-reads", articles=stories
        )

    html = shared_parts.shared(request, _must_reads_name(request), render)
    return mark_safe(html)  # noqa: S308 - our own templates' output
