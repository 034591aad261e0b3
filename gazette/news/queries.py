"""Reads of articles as chainable QuerySet verbs, so views read like sentences:

ArticlePage.objects.live().public().in_section(section).newest_first().for_listing()[:6]
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import CharField, Exists, F, Func, OuterRef, Prefetch, Subquery
from django.db.models.functions import Length, Substr
from wagtail.models import Page, PageManager, PageViewRestriction
from wagtail.query import PageQuerySet

from gazette.core import compat, editions

if TYPE_CHECKING:
    from gazette.people.models import Author

    from .models import ArticlePage, SectionPage


class ParentPath(Func):
    """The path of a page's parent in Wagtail's tree: its own path less its last step.

    Its SQL is exactly the expression of the listing index of core's migration 0003
    (``compat.PARENT_PATH_SQL``), which a database uses only on an exact match.
    """

    template = compat.PARENT_PATH_SQL.replace("path", "%(expressions)s")
    output_field = CharField()


def children_of(section: Page, pages: PageQuerySet) -> PageQuerySet:
    """``pages`` whose parent is ``section``: one range of the listing index, already in
    newest-first order (Wagtail's child_of, a path prefix and a depth, sorts them all)."""
    return pages.alias(parent_path=ParentPath("path")).filter(parent_path=section.path)


def view_restricted() -> Exists:
    """Whether a page is at or under a page with a view restriction (a password, a login,
    a group): the one definition of "not public" that every reader-facing query uses.

    Evaluated inside the query, as a correlated EXISTS on the few restrictions there are:
    Wagtail's own ``public()`` reads every restriction first, one query more each time, and
    joins them to the page table in a way SQLite plans as a scan of every page."""
    covering = PageViewRestriction.objects.annotate(
        prefix=Substr(OuterRef("path"), 1, Length("page__path"))
    ).filter(prefix=F("page__path"))
    return Exists(covering)


class PublicPagesMixin:
    """``public()`` and ``not_public()`` of Wagtail's page querysets, by ``view_restricted``."""

    def public(self):
        return self.exclude(view_restricted())

    def not_public(self):
        return self.filter(view_restricted())


# Renditions a teaser or article may ask for; prefetched in one query, never one per image.
TEASER_RENDITIONS = ("fill-480x270", "fill-960x540")
ARTICLE_RENDITIONS = ("width-480", "width-800", "width-1200")

# What features show on the article page from rows of their own (correction notes...), loaded
# with it in one query each (``load_with_article_page``), never one per slot that reads them.
_article_page_prefetches: list[str | Prefetch] = []


def load_with_article_page(lookup: str | Prefetch) -> None:
    """Prefetch ``lookup`` whenever the article page loads an article (``for_article_page``).
    A feature calls it in its ``AppConfig.ready()`` for the rows its slots show, preferably a
    ``Prefetch(..., to_attr=...)`` of only what readers may see."""
    _article_page_prefetches.append(lookup)


class ArticlePageQuerySet(PublicPagesMixin, PageQuerySet):
    def readable(self) -> ArticlePageQuerySet:
        """Articles a reader can be sent to from elsewhere (a list, a feed, the API, an
        e-mail): live, public and with a body."""
        return self.live().public().with_body()

    def in_section(self, section: SectionPage) -> ArticlePageQuerySet:
        return self.filter(section=section)

    def by_author(self, author: Author) -> ArticlePageQuerySet:
        return self.filter(article_authors__author=author)

    def tagged(self, *, slug: str | None = None, tag_id: int | None = None) -> ArticlePageQuerySet:
        """Articles carrying a tag, named by its slug or its id."""
        if tag_id is not None:
            return self.filter(tagged_items__tag_id=tag_id)
        return self.filter(tagged_items__tag__slug=slug)

    def excluding(self, article: ArticlePage) -> ArticlePageQuerySet:
        return self.exclude(pk=article.pk)

    def with_body(self) -> ArticlePageQuerySet:
        """Articles with real text, not the headline-only stubs an import leaves."""
        return self.filter(is_headline_only=False)

    def newest_first(self) -> ArticlePageQuerySet:
        return self.order_by(F("first_published_at").desc(nulls_last=True), "-pk")

    def in_edition(self, locale_id: int | None = None) -> ArticlePageQuerySet:
        """The articles of one language edition: ``locale_id``'s, else the active language's
        (gazette.core.editions)."""
        if locale_id is None:
            locale_id = editions.active_locale_id()
        return self if locale_id is None else self.filter(locale_id=locale_id)

    def in_curated_list(self, slug: str) -> ArticlePageQuerySet:
        """Articles of an editors' list, in the editors' order."""
        return self.filter(curated_list_items__curated_list__slug=slug).order_by(
            "curated_list_items__sort_order"
        )

    def listed_in(self, section: SectionPage) -> ArticlePageQuerySet:
        """The section's own articles (its child pages), as its listing reads them: with
        ``newest_first()`` a walk of the listing index, however large the archive."""
        return children_of(section, self)

    def newest_ids_per_section(self, per_section: int) -> dict[str, Subquery]:
        """Annotations for a query of sections: ``newest_0`` ... the ids of the section's
        newest ``per_section`` of these articles (None where it has fewer). Each is a few
        entries of the listing index, where ranking every article would sort the archive."""
        newest = (
            self.alias(parent_path=ParentPath("path"))
            .filter(parent_path=OuterRef("path"))
            .newest_first()
            .values("pk")
        )
        return {f"newest_{rank}": Subquery(newest[rank : rank + 1]) for rank in range(per_section)}

    def for_listing(self, *, with_body: bool = False) -> ArticlePageQuerySet:
        """What a teaser shows, fetched up front: section, lead image and its renditions.

        The StreamField body is deferred (a teaser never needs it) unless the listing shows
        words of it, as search results do.
        """
        from gazette.images.models import CustomRendition

        articles = self.select_related("section", "lead_image").prefetch_related(
            Prefetch(
                "lead_image__renditions",
                queryset=CustomRendition.objects.filter(filter_spec__in=TEASER_RENDITIONS),
            )
        )
        return articles if with_body else articles.defer_streamfields()

    def for_rail(self) -> ArticlePageQuerySet:
        """What a teaser of the article page's rails shows: headline, link, section label.
        No picture, and the StreamField body deferred."""
        return self.select_related("section").defer_streamfields()

    def for_article_page(self, *, with_section: bool = True) -> ArticlePageQuerySet:
        """Everything the article page shows about the article itself, in a fixed number of
        queries: authors, tags, the lead image with its renditions (and the section, unless
        the caller has it already), and what features asked for (``load_with_article_page``)."""
        from gazette.images.models import CustomRendition

        from .models import ArticleAuthor, ArticlePageTag

        related = ("section", "lead_image") if with_section else ("lead_image",)
        return self.select_related(*related, "social_image").prefetch_related(
            Prefetch("article_authors", queryset=ArticleAuthor.objects.select_related("author")),
            Prefetch(
                "tagged_items", queryset=ArticlePageTag.objects.select_related("tag").order_by("pk")
            ),
            Prefetch(
                "lead_image__renditions",
                queryset=CustomRendition.objects.filter(filter_spec__in=ARTICLE_RENDITIONS),
            ),
            # Only when the article has a picture of its own for sharing: no query otherwise.
            Prefetch(
                "social_image__renditions",
                queryset=CustomRendition.objects.filter(filter_spec__in=ARTICLE_RENDITIONS),
            ),
            *_article_page_prefetches,
        )


class SectionPageQuerySet(PublicPagesMixin, PageQuerySet):
    pass


ArticlePageManager = PageManager.from_queryset(ArticlePageQuerySet)
SectionPageManager = PageManager.from_queryset(SectionPageQuerySet)
