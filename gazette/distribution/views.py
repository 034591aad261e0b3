"""Sitemaps and robots.txt. Thin: gather, render, answer."""

from django.conf import settings
from django.http import Http404, HttpResponse
from django.urls import reverse
from django.views.decorators.http import require_GET

from gazette.core.models import SiteIdentity

from . import sitemaps
from .links import SiteLinks

XML = "application/xml; charset=utf-8"


@require_GET
def sitemap_index(request):
    entries = sitemaps.index_entries(SiteLinks.for_request(request))
    return HttpResponse(sitemaps.render_index(entries), content_type=XML)


@require_GET
def sitemap_articles(request, number: int):
    if number > sitemaps.max_bucket():
        raise Http404("No such sitemap page.")
    entries = sitemaps.article_entries(number, SiteLinks.for_request(request))
    if not entries:
        raise Http404("No such sitemap page.")
    return HttpResponse(sitemaps.render_urlset(entries), content_type=XML)


@require_GET
def sitemap_section(request, name: str):
    entries = sitemaps.section_entries(name, SiteLinks.for_request(request))
    if entries is None:
        raise Http404("No such sitemap.")
    return HttpResponse(sitemaps.render_urlset(entries), content_type=XML)


@require_GET
def sitemap_pages(request):
    entries = sitemaps.page_entries(SiteLinks.for_request(request))
    return HttpResponse(sitemaps.render_urlset(entries), content_type=XML)


@require_GET
def sitemap_news(request):
    rows = sitemaps.news_entries(SiteLinks.for_request(request))
    xml = sitemaps.render_news(
        rows,
        publication=SiteIdentity.for_request(request).name,
        language=settings.LANGUAGE_CODE.split("-")[0],
    )
    return HttpResponse(xml, content_type=XML)


@require_GET
def robots_txt(request):
    links = SiteLinks.for_request(request)
    lines = [
        "User-agent: *",
        "Disallow: /admin/",
        # Result pages of site search are endless and thin; the articles are in the sitemaps.
        "Disallow: /search/",
        "Disallow: /api/",
        "",
        f"Sitemap: {links.absolute(reverse('distribution:sitemap-index'))}",
        f"Sitemap: {links.absolute(reverse('distribution:sitemap-news'))}",
        "",
    ]
    return HttpResponse("\n".join(lines), content_type="text/plain; charset=utf-8")
