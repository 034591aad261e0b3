"""What an article tells machines about itself in its <head>: canonical URL, OpenGraph and
Twitter card tags, and schema.org JSON-LD (NewsArticle and BreadcrumbList).

Built from what the article page already loaded (authors, section, tags, lead image and its
renditions, the features' notes on it), so it adds no query and never makes a rendition.
Tags are the article's ``keywords`` and what it is ``about``; the corrections among its notes
(``gazette.news.syndication.notes_of``) are schema.org ``CorrectionComment`` entries, and the
newest note counts as a modification.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.templatetags.static import static
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import to_locale

from gazette.news import sharing
from gazette.news.syndication import PublicNote, notes_of
from gazette.news.tagging import tags_of

from .links import SiteLinks

HEADLINE_LIMIT = 110  # Google shows at most 110 characters of a NewsArticle headline.
SHARE_RENDITIONS = ("width-1200", "width-800", "width-480")
# JSON inside <script> must not be able to close the element or open a comment; and no quote
# of an editor's text stands raw in it (a "'" is the same JSON escaped, and nothing a later
# change of context could turn into markup).
SCRIPT_ESCAPES = {
    ord("<"): "\\u003C",
    ord(">"): "\\u003E",
    ord("&"): "\\u0026",
    ord("'"): "\\u0027",
}


@dataclass(frozen=True)
class ShareImage:
    url: str
    width: int
    height: int
    alt: str
    credit: str


@dataclass(frozen=True)
class Person:
    name: str
    url: str


@dataclass
class ArticleMetadata:
    canonical: str
    title: str
    description: str
    site_name: str
    site_url: str
    published: datetime | None
    modified: datetime | None
    section: str
    section_url: str | None
    authors: list[Person] = field(default_factory=list)
    image: ShareImage | None = None
    keywords: list[str] = field(default_factory=list)
    corrections: list[PublicNote] = field(default_factory=list)
    noindex: bool = False
    locale: str = "en_US"
    logo_url: str = ""
    # What OpenGraph and Twitter cards show: the article's overrides for sharing, else the
    # headline, description and picture above (gazette.news.sharing).
    social_title: str = ""
    social_description: str = ""
    social_image: ShareImage | None = None

    @property
    def json_ld(self) -> SafeString:
        graph = [self.news_article(), self.breadcrumbs()]
        text = json.dumps(
            {"@context": "https://schema.org", "@graph": graph}, cls=DjangoJSONEncoder
        )
        return mark_safe(text.translate(SCRIPT_ESCAPES))  # noqa: S308 - escaped just above

    def news_article(self) -> dict:
        data = {
            "@type": "NewsArticle",
            "@id": f"{self.canonical}#article",
            "headline": _shorten(self.title, HEADLINE_LIMIT),
            "description": self.description,
            "url": self.canonical,
            "mainEntityOfPage": {"@type": "WebPage", "@id": self.canonical},
            "datePublished": _iso(self.published),
            "dateModified": _iso(self.modified or self.published),
            "author": [{"@type": "Person", "name": a.name, "url": a.url} for a in self.authors],
            "publisher": {
                "@type": "NewsMediaOrganization",
                "name": self.site_name,
                "url": self.site_url,
                "logo": {"@type": "ImageObject", "url": self.logo_url},
            },
            "isAccessibleForFree": True,
            "inLanguage": settings.LANGUAGE_CODE,
        }
        if self.section:
            data["articleSection"] = self.section
        if self.keywords:
            data["keywords"] = self.keywords
            data["about"] = [{"@type": "Thing", "name": keyword} for keyword in self.keywords]
        if self.corrections:
            data["correction"] = [
                {
                    "@type": "CorrectionComment",
                    "text": note.text,
                    "datePublished": _iso(note.published_at),
                }
                for note in self.corrections
            ]
        if self.image:
            data["image"] = {
                "@type": "ImageObject",
                "url": self.image.url,
                "width": self.image.width,
                "height": self.image.height,
                "creditText": self.image.credit,
            }
        return {key: value for key, value in data.items() if value not in (None, "")}

    def breadcrumbs(self) -> dict:
        trail = [(self.site_name, self.site_url)]
        if self.section and self.section_url:
            trail.append((self.section, self.section_url))
        trail.append((self.title, self.canonical))
        return {
            "@type": "BreadcrumbList",
            "itemListElement": [
                {"@type": "ListItem", "position": position, "name": name, "item": url}
                for position, (name, url) in enumerate(trail, start=1)
            ],
        }


def _iso(moment: datetime | None) -> str | None:
    return moment.astimezone(UTC).isoformat(timespec="seconds") if moment else None


def _shorten(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def share_image(image, links: SiteLinks) -> ShareImage | None:
    """The largest rendition the article page already has, else the original file."""
    if image is None:
        return None
    renditions = {rendition.filter_spec: rendition for rendition in image.renditions.all()}
    chosen = next((renditions[spec] for spec in SHARE_RENDITIONS if spec in renditions), None)
    url, width, height = (
        (chosen.url, chosen.width, chosen.height)
        if chosen
        else (image.file.url, image.width, image.height)
    )
    return ShareImage(
        url=links.absolute(url),
        width=width,
        height=height,
        alt=image.default_alt_text,
        credit=image.credit,
    )


def article_metadata(article, *, request, site_name: str) -> ArticleMetadata:
    links = SiteLinks.for_request(request)
    site_url = links.root_url + "/"
    section = article.section
    description = sharing.description(article)
    notes = notes_of([article])[article.pk]
    changes = [article.last_published_at, *(note.published_at for note in notes)]
    metadata = ArticleMetadata(
        canonical=links.page_url(article.url_path) or links.absolute(request.path),
        title=article.title,
        description=description,
        site_name=site_name,
        site_url=site_url,
        published=article.first_published_at,
        modified=max((moment for moment in changes if moment), default=None),
        section=section.display_label if section else "",
        section_url=links.page_url(section.url_path) if section else None,
        authors=[Person(a.name, links.absolute(a.get_absolute_url())) for a in article.authors],
        image=share_image(article.lead_image, links),
        keywords=[tag.name for tag in tags_of(article)],
        corrections=[note for note in notes if note.is_correction],
        # Headline-only stubs are for readers following a link, not for search engines.
        noindex=article.is_headline_only,
        locale=to_locale(settings.LANGUAGE_CODE),
        logo_url=links.absolute(static("favicon.svg")),
    )
    metadata.social_title = sharing.social_title(article)
    metadata.social_description = sharing.social_description(article)
    metadata.social_image = (
        share_image(article.social_image, links) if article.social_image else metadata.image
    )
    return metadata
