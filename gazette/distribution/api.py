"""The public, read-only JSON API (django-ninja): articles, most read, sections, authors.
Articles carry their topics (tags) and the public notes on them (corrections, updates...);
``?topic=<slug>`` lists one topic's.

Only what a reader could see is here: live, public articles with a body (see
``syndicated_articles``); a draft, a private page or the unpublished edits of a live one
never show. Every list is paginated with a fixed number of queries, every parameter is
validated (a bad one gets a 422 that says which and why), and every client is held to
``GAZETTE_API_RATE_LIMIT`` requests per IP address (429 with Retry-After beyond it).
The OpenAPI schema is at ``/api/v1/openapi.json``.
"""

from __future__ import annotations

from datetime import datetime
from datetime import timezone as dt_timezone
from functools import wraps
from typing import Annotated

from django.conf import settings
from django.http import JsonResponse
from django.utils import timezone
from django_ratelimit.core import get_usage
from ninja import Field, NinjaAPI, Path, Query, Schema, Status
from ninja.decorators import decorate_view
from pydantic import field_validator

from gazette.core import editions
from gazette.core.canonical import canonical_query
from gazette.core.client import client_ip
from gazette.news.authors import published_authors
from gazette.news.models import SectionPage
from gazette.news.syndication import notes_of
from gazette.news.tagging import tags_of

from .bodies import image_source, render_bodies
from .links import SiteLinks
from .queries import for_syndication, syndicated_articles

MAX_PAGE_SIZE = 100
MAX_PAGE = 10_000
MAX_ID = 2**31 - 1
MAX_MOST_READ = 50
SLUG_PATTERN = r"^[-a-zA-Z0-9_]+$"
TAG_SLUG_PATTERN = r"^[-\w]+$"  # taggit keeps accented letters in its slugs
LANGUAGE_PATTERN = r"^[a-zA-Z]{2,3}(-[a-zA-Z0-9]{1,8})*$"

api = NinjaAPI(
    title="Gazette public API",
    version="1",
    description=__doc__,
    urls_namespace="api",
    # Ninja's documentation page loads Swagger UI from a CDN; the site makes no third-party
    # requests, so the schema is published and any OpenAPI viewer can show it.
    docs_url=None,
)


# -- rate limits ---------------------------------------------------------------------------


def _rate(group, request) -> str:
    return settings.GAZETTE_API_RATE_LIMIT


def _client(group, request) -> str:
    """The client's address, trusting X-Real-IP only from our own proxies (as every other
    per-reader limit does)."""
    return client_ip(request) or "unknown"


def rate_limited(view):
    """Counts the request against its client's allowance (django-ratelimit, in the shared
    cache) and answers 429 once it is spent."""

    @wraps(view)
    def limited(request, *args, **kwargs):
        usage = get_usage(request, group="api", key=_client, rate=_rate, increment=True)
        if usage and usage["should_limit"]:
            response = JsonResponse(
                {"detail": "Too many requests: slow down and try again shortly."}, status=429
            )
            response["Retry-After"] = str(max(1, usage["time_left"]))
            return response
        return view(request, *args, **kwargs)

    return limited


# -- schemas -------------------------------------------------------------------------------


class Error(Schema):
    detail: str


class ValidationErrors(Schema):
    detail: list[dict]


ERRORS = {404: Error, 422: ValidationErrors, 429: Error}
LIST_ERRORS = {422: ValidationErrors, 429: Error}


class SectionRef(Schema):
    slug: str
    name: str
    url: str


class Section(SectionRef):
    description: str


class AuthorRef(Schema):
    slug: str
    name: str
    url: str


class AuthorOut(AuthorRef):
    bio: str


class Image(Schema):
    url: str
    width: int
    height: int
    alt: str
    credit: str
    caption: str


class TopicRef(Schema):
    slug: str
    name: str


class Note(Schema):
    kind: str = Field(description="correction, clarification, update or editors-note.")
    label: str = Field(description="As readers see it, e.g. 'Correction'.")
    text: str
    published_at: datetime


class ArticleSummary(Schema):
    id: int
    language: str = Field(description="The language of the story's edition, e.g. en or ko.")
    headline: str
    standfirst: str
    url: str
    section: SectionRef | None
    authors: list[AuthorRef]
    topics: list[TopicRef]
    published_at: datetime
    updated_at: datetime | None
    lead_image: Image | None
    notes: list[Note] = Field(
        description="Public notes on the story (corrections, clarifications, updates, "
        "editor's notes), oldest first."
    )


class Article(ArticleSummary):
    body_html: str = Field(description="The story as HTML with absolute links.")


class Listing(Schema):
    count: int
    page: int
    page_size: int
    next: str | None
    previous: str | None


class ArticleList(Listing):
    items: list[ArticleSummary]


class SectionList(Listing):
    items: list[Section]


class AuthorList(Listing):
    items: list[AuthorOut]


Slug = Annotated[str, Field(pattern=SLUG_PATTERN, max_length=200)]


class Paging(Schema):
    page: int = Field(1, ge=1, le=MAX_PAGE)
    page_size: int = Field(20, ge=1, le=MAX_PAGE_SIZE)


class ArticleFilters(Paging):
    section: Slug | None = Field(None, description="Only this section (its slug).")
    author: Slug | None = Field(None, description="Only this author (their slug).")
    topic: Annotated[str, Field(pattern=TAG_SLUG_PATTERN, max_length=100)] | None = Field(
        None, description="Only this topic (its slug)."
    )
    published_after: datetime | None = Field(None, description="Published at or after.")
    published_before: datetime | None = Field(None, description="Published before.")
    language: Annotated[str, Field(pattern=LANGUAGE_PATTERN, max_length=20)] | None = Field(
        None, description="Only this language edition's stories (its code, e.g. ko)."
    )

    @field_validator("published_after", "published_before")
    @classmethod
    def in_utc(cls, value: datetime | None) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            value = value.replace(tzinfo=dt_timezone.utc)  # times without a zone are UTC
        try:
            return value.astimezone(dt_timezone.utc)
        except (OverflowError, ValueError) as error:
            raise ValueError("date out of range") from error


# -- serialisation -------------------------------------------------------------------------


def _section_ref(section, links: SiteLinks) -> dict:
    return {
        "slug": section.slug,
        "name": section.display_label,
        "url": links.page_url(section.url_path) or "",
    }


def _author_ref(author, links: SiteLinks) -> dict:
    return {
        "slug": author.slug,
        "name": author.name,
        "url": links.absolute(author.get_absolute_url()),
    }


def _image(image, links: SiteLinks) -> dict | None:
    if image is None:
        return None
    url, width, height = image_source(image, links)
    return {
        "url": url,
        "width": width,
        "height": height,
        "alt": image.default_alt_text,
        "credit": image.credit,
        "caption": image.caption,
    }


def _note(note) -> dict:
    return {
        "kind": note.kind,
        "label": note.label,
        "text": note.text,
        "published_at": note.published_at,
    }


def _article(article, links: SiteLinks, notes: dict) -> dict:
    return {
        "id": article.pk,
        "language": editions.language_of_locale(article.locale_id),
        "headline": article.title,
        "standfirst": article.standfirst,
        "url": links.page_url(article.url_path) or "",
        "section": _section_ref(article.section, links) if article.section else None,
        "authors": [_author_ref(item.author, links) for item in article.article_authors.all()],
        "topics": [{"slug": tag.slug, "name": tag.name} for tag in tags_of(article)],
        "published_at": article.first_published_at,
        "updated_at": article.updated_at,
        "lead_image": _image(article.lead_image, links),
        "notes": [_note(note) for note in notes.get(article.pk, ())],
    }


def _articles(articles, links: SiteLinks) -> list[dict]:
    """Articles as records, with every one's notes read at once (not once per article)."""
    notes = notes_of(articles)
    return [_article(article, links, notes) for article in articles]


def _listing(request, queryset, paging: Paging, serialise) -> dict:
    """A page of ``queryset``; ``serialise`` turns the page's rows into records."""
    count = queryset.count()
    start = (paging.page - 1) * paging.page_size
    items = serialise(list(queryset[start : start + paging.page_size]))

    links = SiteLinks.for_request(request)

    def page_link(number: int) -> str:
        # Only the endpoint's own parameters, in their order: nginx's cache key for the page.
        query = canonical_query(
            request.GET, parameters=list(type(paging).model_fields), replace={"page": number}
        )
        return links.absolute(f"{request.path}?{query}")

    has_next = start + paging.page_size < count
    return {
        "count": count,
        "page": paging.page,
        "page_size": paging.page_size,
        "next": page_link(paging.page + 1) if has_next else None,
        "previous": page_link(paging.page - 1) if paging.page > 1 else None,
        "items": items,
    }


# -- endpoints -----------------------------------------------------------------------------


@api.get("/articles", response={200: ArticleList, **LIST_ERRORS}, tags=["articles"])
@decorate_view(rate_limited)
def list_articles(request, filters: Query[ArticleFilters]):
    """Live articles, newest first, with optional filters."""
    articles = syndicated_articles()
    if filters.section:
        articles = articles.filter(section__slug=filters.section)
    if filters.author:
        articles = articles.filter(article_authors__author__slug=filters.author)
    if filters.topic:
        articles = articles.tagged(slug=filters.topic)
    if filters.published_after:
        articles = articles.filter(first_published_at__gte=filters.published_after)
    if filters.published_before:
        articles = articles.filter(first_published_at__lt=filters.published_before)
    if filters.language:
        # A language the site has no edition in lists nothing (not every edition); a
        # region's variant ("ko-KR") lists its language's edition.
        locale_id = editions.locale_id_of_language(filters.language, request)
        articles = articles.in_edition(locale_id) if locale_id else articles.none()
    articles = for_syndication(articles.newest_first()).defer_streamfields()
    links = SiteLinks.for_request(request)
    return _listing(request, articles, filters, lambda rows: _articles(rows, links))


class MostReadArticle(ArticleSummary):
    views: int = Field(description="Reader views within the window.")


class MostRead(Schema):
    window_hours: int
    items: list[MostReadArticle]


@api.get("/articles/most-read", response={200: MostRead, **LIST_ERRORS}, tags=["articles"])
@decorate_view(rate_limited)
def most_read(request, limit: Annotated[int, Query(ge=1, le=MAX_MOST_READ)] = 10):
    """The most viewed live articles of the recent past (the Popular Now window), most first,
    with their views in that window. Counts come from gazette.analytics."""
    from gazette.analytics.queries import most_viewed, popular_window

    window = popular_window()
    ranked = most_viewed(now=timezone.now(), window=window, limit=limit)
    views = dict(ranked)
    articles = for_syndication(syndicated_articles().filter(pk__in=views)).defer_streamfields()
    by_id = {article.pk: article for article in articles}
    links = SiteLinks.for_request(request)
    notes = notes_of(list(by_id.values()))
    items = [
        {**_article(by_id[article_id], links, notes), "views": count}
        for article_id, count in ranked
        if article_id in by_id
    ]
    return {"window_hours": int(window.total_seconds() // 3600), "items": items}


@api.get("/articles/{article_id}", response={200: Article, **ERRORS}, tags=["articles"])
@decorate_view(rate_limited)
def get_article(request, article_id: Annotated[int, Path(ge=1, le=MAX_ID)]):
    """One live article with its body."""
    article = for_syndication(syndicated_articles()).filter(pk=article_id).first()
    if article is None:
        return Status(404, {"detail": "No published article has this id."})
    links = SiteLinks.for_request(request)
    return {
        **_article(article, links, notes_of([article])),
        "body_html": render_bodies([article], links)[article.pk],
    }


def _sections():
    return SectionPage.objects.live().public().order_by("path")


def _section(section, links: SiteLinks) -> dict:
    return {**_section_ref(section, links), "description": section.description}


@api.get("/sections", response={200: SectionList, **LIST_ERRORS}, tags=["sections"])
@decorate_view(rate_limited)
def list_sections(request, paging: Query[Paging]):
    """The sections of the site, in their menu order."""
    links = SiteLinks.for_request(request)
    return _listing(request, _sections(), paging, lambda rows: [_section(s, links) for s in rows])


@api.get("/sections/{slug}", response={200: Section, **ERRORS}, tags=["sections"])
@decorate_view(rate_limited)
def get_section(request, slug: Annotated[str, Path(pattern=SLUG_PATTERN, max_length=200)]):
    section = _sections().filter(slug=slug).first()
    if section is None:
        return Status(404, {"detail": "No published section has this slug."})
    return _section(section, SiteLinks.for_request(request))


def _author(author, links: SiteLinks) -> dict:
    return {**_author_ref(author, links), "bio": author.bio}


@api.get("/authors", response={200: AuthorList, **LIST_ERRORS}, tags=["authors"])
@decorate_view(rate_limited)
def list_authors(request, paging: Query[Paging]):
    """Authors, by name."""
    links = SiteLinks.for_request(request)
    authors = published_authors().order_by("name", "pk")
    return _listing(request, authors, paging, lambda rows: [_author(a, links) for a in rows])


@api.get("/authors/{slug}", response={200: AuthorOut, **ERRORS}, tags=["authors"])
@decorate_view(rate_limited)
def get_author(request, slug: Annotated[str, Path(pattern=SLUG_PATTERN, max_length=200)]):
    author = published_authors().filter(slug=slug).first()
    if author is None:
        return Status(404, {"detail": "No author has this slug."})
    return _author(author, SiteLinks.for_request(request))
