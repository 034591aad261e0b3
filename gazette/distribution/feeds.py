"""RSS 2.0 and Atom feeds of the newest stories: the whole site, each section, each author,
and each subject a feature offers through news (``gazette.news.syndication``: topics).

Items carry the standfirst as their summary; with ``GAZETTE_FEED_FULL_TEXT`` on they also
carry the whole story (``content:encoded`` in RSS, ``<content>`` in Atom). GUIDs are tag
URIs built from the article id, so a story keeps its identity in readers when its headline,
slug or section changes.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.http import Http404, HttpResponsePermanentRedirect
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed, Rss201rev2Feed
from django.utils.translation import gettext

from gazette.core import editions
from gazette.core.models import SiteIdentity
from gazette.news.models import SectionPage
from gazette.news.queries import ArticlePageQuerySet
from gazette.news.syndication import MovedSubject, feed_paths, feed_subjects
from gazette.news.tagging import tags_of
from gazette.people.models import Author

from .bodies import render_bodies
from .links import SiteLinks
from .queries import for_syndication, syndicated_articles
from .xml import xml_text

FEED_SIZE = 30
# The date in a tag URI says when the name was the publisher's (RFC 4151); a fixed year keeps
# every GUID stable.
GUID_TAG_YEAR = "2025"


def full_text() -> bool:
    return getattr(settings, "GAZETTE_FEED_FULL_TEXT", False)


def article_guid(article_id: int, hostname: str) -> str:
    return f"tag:{hostname},{GUID_TAG_YEAR}:article:{article_id}"


class RssFeed(Rss201rev2Feed):
    def rss_attributes(self):
        return {
            **super().rss_attributes(),
            "xmlns:content": "http://purl.org/rss/1.0/modules/content/",
        }

    def add_item_elements(self, handler, item):
        super().add_item_elements(handler, item)
        if item.get("content_html"):
            handler.addQuickElement("content:encoded", item["content_html"])


class AtomFeed(Atom1Feed):
    def add_item_elements(self, handler, item):
        super().add_item_elements(handler, item)
        if item.get("content_html"):
            handler.addQuickElement("content", item["content_html"], {"type": "html"})


@dataclass
class FeedSubject:
    """What one feed is about, worked out once per request."""

    title: str
    description: str
    page_url: str
    feed_url: str
    site_name: str
    articles: ArticlePageQuerySet
    links: SiteLinks


class ArticleFeed(Feed):
    feed_type = RssFeed
    item_guid_is_permalink = False

    def subject(self, request, links: SiteLinks, site_name: str, **kwargs) -> dict:
        return {
            "title": site_name,
            "description": gettext("The latest stories from %(site)s.") % {"site": site_name},
            "page_url": links.absolute(reverse("wagtail_serve", args=("",))),
            "articles": syndicated_articles(),
        }

    def get_object(self, request, **kwargs) -> FeedSubject:
        links = SiteLinks.for_request(request)
        site_name = SiteIdentity.for_request(request).name
        return FeedSubject(
            **self.subject(request, links, site_name, **kwargs),
            feed_url=links.absolute(request.path),
            site_name=site_name,
            links=links,
        )

    def title(self, obj: FeedSubject) -> str:
        return xml_text(obj.title)

    def link(self, obj: FeedSubject) -> str:
        return obj.page_url

    def feed_url(self, obj: FeedSubject) -> str:
        return obj.feed_url

    def description(self, obj: FeedSubject) -> str:
        return xml_text(obj.description)

    def subtitle(self, obj: FeedSubject) -> str:
        return xml_text(obj.description)

    def author_name(self, obj: FeedSubject) -> str:
        # Atom wants an author for every entry; the publication stands in where none is named.
        return xml_text(obj.site_name)

    def items(self, obj: FeedSubject) -> list:
        # The active language's edition's: /ko/feeds/rss.xml is the Korean edition's feed.
        articles = for_syndication(obj.articles.in_edition().newest_first())
        if not full_text():
            articles = articles.defer_streamfields()
        articles = list(articles[:FEED_SIZE])
        bodies = render_bodies(articles, obj.links) if full_text() else {}
        for article in articles:
            article.feed_link = obj.links.page_url(article.url_path)
            article.feed_guid = article_guid(article.pk, obj.links.hostname)
            article.feed_body = xml_text(bodies.get(article.pk) or "")
            article.feed_authors = [link.author for link in article.article_authors.all()]
            article.feed_author_url = (
                obj.links.absolute(article.feed_authors[0].get_absolute_url())
                if article.feed_authors
                else None
            )
        return articles

    def item_title(self, item) -> str:
        return xml_text(item.title)

    def item_description(self, item) -> str | None:
        return xml_text(item.standfirst or item.search_description) or None

    def item_link(self, item) -> str:
        return item.feed_link

    def item_guid(self, item) -> str:
        return item.feed_guid

    def item_pubdate(self, item):
        return item.first_published_at

    def item_updateddate(self, item):
        return item.last_published_at or item.first_published_at

    def item_author_name(self, item) -> str | None:
        names = [xml_text(author.name) for author in item.feed_authors]
        if not names:
            return None
        return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]

    def item_author_link(self, item) -> str | None:
        return item.feed_author_url

    def item_categories(self, item) -> list[str]:
        """The section, then the article's topics (its tags)."""
        names = [item.section.display_label] if item.section else []
        names += [tag.name for tag in tags_of(item) if tag.name not in names]
        return [xml_text(name) for name in names]

    def item_extra_kwargs(self, item) -> dict:
        return {"content_html": item.feed_body} if item.feed_body else {}


class SectionFeed(ArticleFeed):
    def subject(self, request, links, site_name, *, slug: str) -> dict:
        section = (
            SectionPage.objects.live()
            .public()
            .filter(slug=slug, locale_id=editions.active_locale_id(request))
            .order_by("path")
            .first()
        )
        if section is None:
            raise SectionPage.DoesNotExist(slug)
        return {
            "title": f"{site_name}: {section.display_label}",
            "description": section.description
            or gettext("The latest %(section)s stories from %(site)s.")
            % {"section": section.display_label, "site": site_name},
            "page_url": links.page_url(section.url_path),
            "articles": syndicated_articles().in_section(section),
        }


class AuthorFeed(ArticleFeed):
    def subject(self, request, links, site_name, *, slug: str) -> dict:
        author = Author.objects.get(slug=slug)
        return {
            "title": gettext("%(site)s: stories by %(author)s")
            % {"site": site_name, "author": author.name},
            "description": author.bio
            or gettext("The latest stories by %(author)s in %(site)s.")
            % {"author": author.name, "site": site_name},
            "page_url": links.absolute(author.get_absolute_url()),
            "articles": syndicated_articles().by_author(author),
        }


class SubjectFeed(ArticleFeed):
    """The feed of a subject a feature registered (``/feeds/<kind>/<slug>/rss.xml``); a subject
    that moved (a renamed topic) answers 301 at its new address."""

    feed_format = "rss"

    def __call__(self, request, *args, **kwargs):
        subjects = feed_subjects(kwargs["kind"])
        found = subjects.find(kwargs["slug"]) if subjects is not None else None
        if found is None:
            raise Http404("No such feed.")
        if isinstance(found, MovedSubject):
            rss, atom = feed_paths(kwargs["kind"], found.slug)
            return HttpResponsePermanentRedirect(rss if self.feed_format == "rss" else atom)
        request.gazette_feed_subject = found
        return super().__call__(request, *args, **kwargs)

    def subject(self, request, links, site_name, *, kind: str, slug: str) -> dict:
        found = request.gazette_feed_subject
        return {
            "title": f"{site_name}: {found.title}",
            "description": found.description
            or gettext("The latest stories about %(subject)s from %(site)s.")
            % {"subject": found.title, "site": site_name},
            "page_url": links.absolute(found.page_path),
            "articles": found.articles,
        }


class SiteAtomFeed(ArticleFeed):
    feed_type = AtomFeed


class SectionAtomFeed(SectionFeed):
    feed_type = AtomFeed


class AuthorAtomFeed(AuthorFeed):
    feed_type = AtomFeed


class SubjectAtomFeed(SubjectFeed):
    feed_type = AtomFeed
    feed_format = "atom"
