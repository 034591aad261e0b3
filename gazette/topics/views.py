"""The topic pages readers see. Thin: find, gather, render."""

from __future__ import annotations

from django.conf import settings
from django.core.paginator import Paginator
from django.http import Http404, HttpResponsePermanentRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.views.decorators.http import require_safe
from wagtail.models import Site

from gazette.core.shared_parts import preload_site_parts
from gazette.news.syndication import FeedLink

from .models import TopicSettings
from .purge import FEED_KIND
from .queries import Moved, active_topics, description_of, find_topic, stories_on

STORIES_PER_PAGE = 20
TOPICS_PER_PAGE = 120


@require_safe
def topic_page(request, slug: str):
    found = find_topic(slug)
    if isinstance(found, Moved):
        target = reverse("topics:topic", kwargs={"slug": found.slug})
        query = request.META.get("QUERY_STRING")
        return HttpResponsePermanentRedirect(f"{target}?{query}" if query else target)
    if found is None:
        raise Http404("No such topic.")
    preload_site_parts(request)
    stories = Paginator(stories_on(found).newest_first().for_listing(), STORIES_PER_PAGE)
    if stories.count == 0:  # only drafts or private stories carry it: not a page yet
        raise Http404("No published story on this topic.")
    page = stories.get_page(request.GET.get("page"))
    path = reverse("topics:topic", kwargs={"slug": found.slug})
    return TemplateResponse(
        request,
        "topics/topic_page.html",
        {
            "canonical": _absolute(
                request, path + (f"?page={page.number}" if page.number > 1 else "")
            ),
            "topic": found,
            "description": description_of(found),
            "articles": page,
            "noindex": not TopicSettings.for_page(request).indexes(stories.count),
            "feed_subject": FeedLink(kind=FEED_KIND, slug=found.slug, title=found.name),
        },
    )


@require_safe
def topic_index(request):
    preload_site_parts(request)
    topics = Paginator(active_topics(), TOPICS_PER_PAGE).get_page(request.GET.get("page"))
    return TemplateResponse(request, "topics/index.html", {"topics": topics})


def _absolute(request, path: str) -> str:
    # The address the editors gave the site, never the Host header of whoever asked: the page
    # is cached and shared.
    site = Site.find_for_request(request)
    root = site.root_url if site is not None else settings.WAGTAILADMIN_BASE_URL
    return root.rstrip("/") + path
