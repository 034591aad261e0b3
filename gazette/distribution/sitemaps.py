"""Sitemaps: an index, article sitemaps in stable pages, the other pages, a Google News
sitemap of the last 48 hours, and the sections features add through news
(``gazette.news.syndication``: the topic pages).

Article sitemaps are cut by id range rather than by offset: page N lists the articles whose
id falls in [N*size, (N+1)*size). A new story only changes the last page, an edit or an
unpublish only the page the story is on (so a purge knows which one), and reading any page
is a range scan on the primary key however many articles there are, where an OFFSET would
walk past every earlier row. The index finds the pages that have articles, and each page's
newest change, in one grouped query.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.db.models import F, Max
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from wagtail.models import Page

from gazette.core import editions
from gazette.news.authors import credited_on
from gazette.news.models import SectionPage
from gazette.news.syndication import all_sitemap_sections, sitemap_path, sitemap_section

from .links import SiteLinks
from .queries import syndicated_articles
from .xml import xml_escape as escape

NEWS_WINDOW = timedelta(hours=48)
NEWS_LIMIT = 1000  # Google News reads at most 1,000 URLs from one news sitemap.
XML_DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>\n'
SITEMAP_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"
XHTML_NS = "http://www.w3.org/1999/xhtml"
NEWS_NS = "http://www.google.com/schemas/sitemap-news/0.9"


def bucket_size() -> int:
    return getattr(settings, "GAZETTE_SITEMAP_PAGE_SIZE", 10_000)


def max_bucket() -> int:
    # Beyond this an id range would overflow a 64-bit integer: no such page exists.
    return (2**62) // bucket_size()


def bucket_of(article_id: int) -> int:
    return article_id // bucket_size()


def _news_language(code: str) -> str:
    """Google News's language: ISO 639 ("ko", "en"), but "zh-cn" and "zh-tw" for Chinese."""
    code = code.lower()
    return code if code in ("zh-cn", "zh-tw") else code.split("-")[0]


def w3c(moment: datetime | None) -> str:
    return moment.astimezone(UTC).isoformat(timespec="seconds") if moment else ""


@dataclass(frozen=True)
class SitemapEntry:
    location: str
    lastmod: datetime | None = None
    # (language code, URL) of each live edition of the page, itself included: xhtml:link.
    alternates: tuple[tuple[str, str], ...] = ()


def article_pages() -> list[tuple[int, datetime | None]]:
    """(page number, newest change in it) for every article sitemap page that has articles."""
    rows = (
        syndicated_articles()
        .annotate(bucket=F("pk") / bucket_size())
        .values("bucket")
        .annotate(lastmod=Max(Coalesce("last_published_at", "first_published_at")))
        .order_by("bucket")
    )
    return [(row["bucket"], row["lastmod"]) for row in rows]


def index_entries(links: SiteLinks) -> list[SitemapEntry]:
    entries = [
        SitemapEntry(links.absolute(reverse("distribution:sitemap-pages"))),
        SitemapEntry(links.absolute(reverse("distribution:sitemap-news"))),
    ]
    for number, lastmod in article_pages():
        url = reverse("distribution:sitemap-articles", kwargs={"number": number})
        entries.append(SitemapEntry(links.absolute(url), lastmod))
    for section in all_sitemap_sections():
        entries.append(SitemapEntry(links.absolute(sitemap_path(section.name))))
    return entries


def section_entries(name: str, links: SiteLinks) -> list[SitemapEntry] | None:
    """The pages of a section a feature added, or None if no feature added one so named."""
    section = sitemap_section(name)
    if section is None:
        return None
    return [
        SitemapEntry(
            links.absolute(location.path),
            location.lastmod,
            tuple((language, links.absolute(path)) for language, path in location.alternates),
        )
        for location in section.locations(links.site)
    ]


def article_entries(number: int, links: SiteLinks) -> list[SitemapEntry]:
    size = bucket_size()
    rows = list(
        syndicated_articles()
        .filter(pk__gte=number * size, pk__lt=(number + 1) * size)
        .order_by("pk")
        .values_list("url_path", "last_published_at", "first_published_at", "translation_key")
    )
    editions_of = _editions_of([row[3] for row in rows], links)
    entries = []
    for url_path, last, first, key in rows:
        location = links.page_url(url_path)
        if location:
            entries.append(SitemapEntry(location, last or first, editions_of.get(key, ())))
    return entries


def _editions_of(keys, links: SiteLinks) -> dict:
    """translation_key: ((language, URL), ...) for the keys with more than one live edition;
    one query, none on a one-language site."""
    if len(editions.locale_ids()) < 2 or not keys:
        return {}
    found: dict = {}
    rows = (
        syndicated_articles()
        .filter(translation_key__in=keys)
        .order_by("locale__language_code")
        .values_list("translation_key", "locale__language_code", "url_path")
    )
    for key, language, url_path in rows:
        location = links.page_url(url_path)
        if location:
            found.setdefault(key, []).append((language, location))
    return {key: tuple(alts) for key, alts in found.items() if len(alts) > 1}


def page_entries(links: SiteLinks) -> list[SitemapEntry]:
    """The front page of every edition, every section and the page of every author with a
    story out in an edition (/authors/<slug>/, /ko/authors/<slug>/), each with the other
    editions' same page as alternates. A query for the sections, one per edition for the
    authors and, with editions, one for their front pages."""
    rows = [("home", editions.default_language(), links.root_url + "/", None)]
    pages = SectionPage.objects.live().public().order_by("path")
    if links.site is not None and len(editions.locale_ids()) > 1:
        root = links.site.root_page
        homes = Page.objects.live().filter(translation_key=root.translation_key).exclude(pk=root.pk)
        for language, url_path, lastmod in homes.values_list(
            "locale__language_code", "url_path", "last_published_at"
        ):
            location = links.page_url(url_path)
            if location:
                rows.append(("home", language, location, lastmod))
    for key, language, url_path, lastmod in pages.values_list(
        "translation_key", "locale__language_code", "url_path", "last_published_at"
    ):
        location = links.page_url(url_path)
        if location:
            rows.append((key, language, location, lastmod))
    for language in editions.each_edition():
        credited = credited_on(syndicated_articles().in_edition()).order_by("slug")
        for slug in credited.values_list("slug", flat=True):
            url = links.absolute(reverse("news:author", kwargs={"slug": slug}))
            rows.append((f"author:{slug}", language, url, None))
    return _with_alternates(rows)


def _with_alternates(rows) -> list[SitemapEntry]:
    """Entries from (key, language, URL, lastmod), those of one key alternates of each other."""
    editions_of: dict = {}
    for key, language, location, _ in rows:
        editions_of.setdefault(key, []).append((language, location))
    return [
        SitemapEntry(
            location, lastmod, tuple(editions_of[key]) if len(editions_of[key]) > 1 else ()
        )
        for key, _, location, lastmod in rows
    ]


def news_entries(links: SiteLinks) -> list[tuple[str, str, datetime, str]]:
    """(URL, headline, first published, language) of the stories of the last 48 hours,
    newest first: a Korean story is named as Korean."""
    since = timezone.now() - NEWS_WINDOW
    rows = (
        syndicated_articles()
        .filter(first_published_at__gte=since)
        .order_by("-first_published_at", "-pk")
        .values_list("url_path", "title", "first_published_at", "locale__language_code")[
            :NEWS_LIMIT
        ]
    )
    located = [
        (links.page_url(path), title, first, language) for path, title, first, language in rows
    ]
    return [row for row in located if row[0]]


def _url(entry: SitemapEntry, tag: str = "url") -> str:
    lastmod = f"<lastmod>{w3c(entry.lastmod)}</lastmod>" if entry.lastmod else ""
    alternates = "".join(
        f'<xhtml:link rel="alternate" hreflang="{escape(language)}" href="{escape(url)}"/>'
        for language, url in entry.alternates
    )
    return f"<{tag}><loc>{escape(entry.location)}</loc>{lastmod}{alternates}</{tag}>"


def render_index(entries: list[SitemapEntry]) -> str:
    body = "\n".join(_url(entry, "sitemap") for entry in entries)
    return f'{XML_DECLARATION}<sitemapindex xmlns="{SITEMAP_NS}">\n{body}\n</sitemapindex>\n'


def render_urlset(entries: list[SitemapEntry]) -> str:
    body = "\n".join(_url(entry) for entry in entries)
    # The xhtml namespace only where a page has editions in other languages.
    xhtml = f' xmlns:xhtml="{XHTML_NS}"' if any(entry.alternates for entry in entries) else ""
    return f'{XML_DECLARATION}<urlset xmlns="{SITEMAP_NS}"{xhtml}>\n{body}\n</urlset>\n'


def render_news(rows, *, publication: str, language: str) -> str:
    """``rows`` from news_entries; ``language`` for a row that names none."""
    items = []
    for location, title, published, *named in rows:
        row_language = _news_language(named[0] if named else language)
        items.append(
            f"<url><loc>{escape(location)}</loc><news:news><news:publication>"
            f"<news:name>{escape(publication)}</news:name>"
            f"<news:language>{escape(row_language)}</news:language></news:publication>"
            f"<news:publication_date>{w3c(published)}</news:publication_date>"
            f"<news:title>{escape(title)}</news:title></news:news></url>"
        )
    body = "\n".join(items)
    return (
        f'{XML_DECLARATION}<urlset xmlns="{SITEMAP_NS}" xmlns:news="{NEWS_NS}">\n'
        f"{body}\n</urlset>\n"
    )
