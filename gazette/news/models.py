"""Sections, articles and the editors' curated lists."""

from __future__ import annotations

from datetime import timedelta

from django.core.paginator import Paginator
from django.db import models
from django.db.models.functions import Coalesce
from django.utils.functional import cached_property
from modelcluster.contrib.taggit import ClusterTaggableManager
from modelcluster.fields import ParentalKey
from modelcluster.models import ClusterableModel
from taggit.models import TaggedItemBase
from wagtail.admin.panels import FieldPanel, InlinePanel, MultiFieldPanel
from wagtail.fields import StreamField
from wagtail.models import Orderable, Page, PageViewRestriction
from wagtail.search import index

from gazette.core import compat, shared_parts

from . import editing, section_stories
from .blocks import ArticleBodyBlock
from .forms import ArticlePageForm
from .queries import ArticlePageManager, SectionPageManager, children_of, view_restricted

LATEST_STORIES_COUNT = 6
MUST_READS_SLUG = "must-reads"
MUST_READS_COUNT = 5
SECTION_PAGE_SIZE = 20
UPDATE_WORTH_SHOWING = timedelta(minutes=10)


class CountedPaginator(Paginator):
    """A Paginator that counts its items with another query of the same rows: a cheaper one
    than counting the listing's own query."""

    def __init__(self, object_list, per_page, *, count):
        super().__init__(object_list, per_page)
        self.count_query = count

    @cached_property
    def count(self) -> int:
        return self.count_query.count()


class CommentPolicy(models.TextChoices):
    """Who decides when a reader's comment appears. The comments app's site setting picks the
    default among the last three; an article may follow it or choose its own."""

    SITE_DEFAULT = "", "Site default"
    PRE_MODERATION = "pre", "Pre-moderation: every comment waits for a moderator"
    POST_MODERATION = "post", "Post-moderation: published at once, the rules still hold some back"
    CLOSED = "closed", "Closed: no new comments"


class KeptByAddress:
    """A page ``routing.serve_page`` keeps in the shared parts under its address (the home
    page, a section), with whether a view restriction applies to it (``kept_unrestricted``):
    a warm render then asks no query to find it or to check its restrictions."""

    kept_by_address = True
    # Its template's <head> (title, description, feed links, editions' links, stylesheets),
    # kept per live revision as the article's is: what it shows changes only with the page
    # or with what retires the shared parts (a site setting, a translation published).
    HEAD_FRAGMENT = "page-head"

    def head_fragment_name(self, request) -> str | None:
        """The shared part's name of the kept head, read in the page's one round trip."""
        return shared_parts.fragment_name(
            request, self.HEAD_FRAGMENT, self.pk, self.live_revision_id or 0
        )

    def get_view_restrictions(self):
        if getattr(self, "kept_unrestricted", False):
            return compat.evaluated_none(PageViewRestriction.objects.all())
        return super().get_view_restrictions()


class SectionPage(KeptByAddress, Page):
    """A desk of the newsroom (World, Lifestyle, ...); its articles are its children."""

    label = models.CharField(
        max_length=40,
        blank=True,
        help_text="Short label shown on teasers, e.g. 'World'. Defaults to the page title.",
    )
    description = models.TextField(
        blank=True, max_length=500, help_text="One or two sentences shown atop the section page."
    )

    objects = SectionPageManager()

    content_panels = [*Page.content_panels, FieldPanel("label"), FieldPanel("description")]
    parent_page_types = ["home.HomePage"]
    subpage_types = ["news.ArticlePage"]

    @property
    def display_label(self) -> str:
        return self.label or self.title

    def stories_page(self, number):
        """The page ``number`` of the section's stories, newest first (the nearest page when
        ``number`` is past the end or not a number)."""
        articles = ArticlePage.objects.live().public().listed_in(self).newest_first()
        # Counted on the page table alone: entries of the listing index, no join per article.
        public_pages = Page.objects.live().exclude(view_restricted())
        count = children_of(self, public_pages).exact_type(ArticlePage)
        return CountedPaginator(articles.for_listing(), SECTION_PAGE_SIZE, count=count).get_page(
            number
        )

    def get_context(self, request, *args, **kwargs):
        # The page of stories, the site's parts and the header: one cache round trip.
        names = [section_stories.part_name(request, self), self.head_fragment_name(request)]
        shared_parts.preload_site_parts(request, [n for n in names if n], page=self)
        context = super().get_context(request, *args, **kwargs)
        # The page of stories with its pagination, as HTML per change.
        context["stories"] = section_stories.stories(request, self)
        return context

    def route(self, request, path_components):
        # An article of the section, with everything its page shows about it, in one query
        # (and the prefetches): Wagtail would read the child page, then its specific row, and
        # the article page would read it a third time. Anything else takes Wagtail's way.
        if len(path_components) == 1:
            found = children_of(self, ArticlePage.objects.for_article_page(with_section=False))
            article = found.filter(slug=path_components[0]).first()
            if article is not None:
                compat.set_cached_parent(article, self)
                if article.section_id == self.pk:
                    article.section = self
                article.loaded_for_article_page = True
                return article.route(request, [])
        return super().route(request, path_components)


class ArticlePageTag(TaggedItemBase):
    content_object = ParentalKey(
        "news.ArticlePage", on_delete=models.CASCADE, related_name="tagged_items"
    )


class ArticlePage(Page):
    """A news story. The page title is its headline."""

    # The import's identity stays the original's: a copy or a translation is a story of its
    # own (and a second row with that key would break its unique constraint).
    exclude_fields_in_copy = ["source_key"]

    standfirst = models.TextField(
        blank=True,
        max_length=400,
        help_text="Optional summary under the headline, one or two sentences.",
    )
    section = models.ForeignKey(
        SectionPage,
        null=True,
        editable=False,
        on_delete=models.PROTECT,
        related_name="articles",
        help_text="The section the article lives under; kept in step with its parent page.",
    )
    lead_image = models.ForeignKey(
        "images.CustomImage",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="Picture shown above the story and on its teasers. Its credit is shown with it.",
    )
    body = StreamField(ArticleBodyBlock(), blank=True, help_text="The story.")
    tags = ClusterTaggableManager(through=ArticlePageTag, blank=True)
    is_headline_only = models.BooleanField(
        default=False,
        verbose_name="headline only",
        help_text="Imported from another page's lists: only the headline is known so far. "
        "Readers see a note saying so. Untick once the story has a body.",
    )
    source_key = models.CharField(
        max_length=255,
        unique=True,
        null=True,
        blank=True,
        editable=False,
        help_text="Identity of the story in the source it was imported from.",
    )
    comment_policy = models.CharField(
        max_length=10,
        blank=True,
        default=CommentPolicy.SITE_DEFAULT,
        choices=CommentPolicy.choices,
        verbose_name="reader comments",
        help_text="Whether readers may comment on this story and whether a moderator reads each "
        "comment first. 'Site default' follows the site's comment settings. Whatever is chosen, "
        "comments close by themselves the number of days after publication those settings say.",
    )

    # What a link to the story shows on social networks and in messaging apps (OpenGraph,
    # Twitter cards); each left empty falls back to the headline, the search description or
    # standfirst, the lead image.
    social_title = models.CharField(
        max_length=200,
        blank=True,
        help_text="Shown instead of the headline when the story is shared. Empty: the headline.",
    )
    social_description = models.CharField(
        max_length=300,
        blank=True,
        help_text="Shown under the title when the story is shared. Empty: the search "
        "description, else the standfirst.",
    )
    social_image = models.ForeignKey(
        "images.CustomImage",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="Shown when the story is shared. Empty: the lead image.",
    )

    objects = ArticlePageManager()

    # Features add panels of their own (news.editing), e.g. You May Also Like's picks.
    content_panels = editing.ArticlePanels(
        "content",
        [
            *Page.content_panels,
            FieldPanel("standfirst"),
            InlinePanel("article_authors", label="Authors", min_num=0),
            FieldPanel("lead_image"),
            FieldPanel("body"),
            FieldPanel("tags"),
        ],
    )
    promote_panels = editing.ArticlePanels(
        "promote",
        [
            *Page.promote_panels,
            MultiFieldPanel(
                [
                    FieldPanel("social_title"),
                    FieldPanel("social_description"),
                    FieldPanel("social_image"),
                ],
                heading="When shared on social networks",
            ),
            editing.SharePreviewPanel(),
        ],
    )
    settings_panels = [
        MultiFieldPanel(
            [FieldPanel("first_published_at"), FieldPanel("is_headline_only")],
            heading="Publication",
        ),
        MultiFieldPanel([FieldPanel("comment_policy")], heading="Comments"),
        *editing.with_scheduling_panel(Page.settings_panels),
    ]
    search_fields = [
        *Page.search_fields,
        index.SearchField("standfirst"),
        index.SearchField("body"),
        # Wagtail's admin searches pages by autocomplete: editors find a story by its words.
        index.AutocompleteField("standfirst"),
        index.AutocompleteField("body"),
        index.FilterField("section"),
    ]
    base_form_class = ArticlePageForm
    parent_page_types = ["news.SectionPage"]
    subpage_types = []

    class Meta:
        indexes = [models.Index(fields=["section", "is_headline_only"])]

    def save(self, *args, **kwargs):
        # Listings show the section label of every teaser; keeping the parent section on the
        # row lets them join it instead of walking the tree once per teaser.
        if self.path and self.depth > 1:
            parent = self.get_parent()
            if parent is not None:
                self.section_id = parent.pk
        return super().save(*args, **kwargs)

    @property
    def updated_at(self):
        """When the story was last changed, if that is news: corrections and updates, not the
        seconds between creating and publishing it."""
        first, last = self.first_published_at, self.last_published_at
        if first and last and last - first >= UPDATE_WORTH_SHOWING:
            return last
        return None

    @property
    def menu_mark(self) -> str:
        """The header's menu marks the article's section, whichever the article
        (``shared_parts.menu_mark``): one header kept per section."""
        return f"section:{self.section_id or 0}"

    @cached_property
    def authors(self) -> list:
        return [item.author for item in self.article_authors.all()]

    def latest_in_section(self, request=None) -> list[ArticlePage]:
        """The section's newest live, public stories but this one, as the page shows them:
        cached per section until the next change (``shared_latest_in_section``)."""
        if not self.section_id:
            return []
        return shared_latest_in_section(request, self.section_id, excluding=self.pk)

    def get_view_restrictions(self):
        """As Wagtail's, in one query instead of two: the ancestors are the prefixes of the
        page's path, so they need no query of their own. An alias (this page or an ancestor)
        takes the restrictions of its source page, as in Wagtail. None, without a query, for
        the article kept by its address with none (``routing``)."""
        if getattr(self, "kept_unrestricted", False):
            return compat.evaluated_none(PageViewRestriction.objects.all())
        if not self.path:
            return super().get_view_restrictions()
        paths = [self.path[:end] for end in range(self.steplen, len(self.path) + 1, self.steplen)]
        sources = (
            Page.objects.filter(path__in=paths)
            .annotate(source=Coalesce("alias_of_id", "id"))
            .values("source")
        )
        return PageViewRestriction.objects.filter(page_id__in=sources)

    def get_context(self, request, *args, **kwargs):
        # The rails, the site's parts and the article's own part (lead image and body, per
        # live revision) are the same for every reader: one cache round trip.
        from . import own_part, rails, slots

        names = [*rails.part_names(request, self.section_id), *own_part.part_names(request, self)]
        # With what the features' slots read (Popular Now, the view count, comments...).
        reads = slots.reads_of(request, self)
        pairs = [read for read in reads if isinstance(read, tuple)]
        shared_parts.preload_site_parts(
            request,
            names,
            page=self,
            others=[(owner, names) for owner, names in pairs if owner is not None],
            plain_keys=[key for owner, keys in pairs if owner is None for key in keys],
            redis_reads=[read for read in reads if not isinstance(read, tuple)],
        )
        context = super().get_context(request, *args, **kwargs)
        context["article_own"] = own_part.own_part(request, self)
        context["latest_stories"] = rails.latest_stories(
            request, self.section_id, excluding=self.pk
        )
        context["must_reads"] = rails.must_reads(request)
        return context

    def serve(self, request, *args, **kwargs):
        # Reload through the article-page queryset (authors and images in a fixed number of
        # queries) unless the section's routing has loaded it so already.
        article = self
        if not getattr(self, "loaded_for_article_page", False):
            article = ArticlePage.objects.for_article_page().get(pk=self.pk)
        return super(ArticlePage, article).serve(request, *args, **kwargs)


class ArticleAuthor(Orderable):
    """An author of an article, in byline order."""

    article = ParentalKey(ArticlePage, on_delete=models.CASCADE, related_name="article_authors")
    author = models.ForeignKey("people.Author", on_delete=models.CASCADE, related_name="+")

    panels = [FieldPanel("author")]

    class Meta(Orderable.Meta):
        constraints = [
            models.UniqueConstraint(fields=["article", "author"], name="unique_article_author")
        ]


class CuratedList(ClusterableModel):
    """An ordered list of articles the editors pick by hand, such as Must-Reads."""

    name = models.CharField(max_length=100, help_text="Heading readers see, e.g. 'Must-Reads'.")
    slug = models.SlugField(
        unique=True, help_text="Where the templates find it; Must-Reads is 'must-reads'."
    )

    panels = [FieldPanel("name"), FieldPanel("slug"), InlinePanel("items", label="Articles")]

    def __str__(self) -> str:
        return self.name


class CuratedListItem(Orderable):
    curated_list = ParentalKey(CuratedList, on_delete=models.CASCADE, related_name="items")
    article = models.ForeignKey(
        ArticlePage,
        on_delete=models.CASCADE,
        related_name="curated_list_items",
        help_text="Unpublished articles drop out of the list by themselves.",
    )

    panels = [FieldPanel("article")]


def must_reads():
    """The editors' Must-Reads that are live, in their order."""
    return (
        ArticlePage.objects.live()
        .public()
        .in_edition()
        .in_curated_list(MUST_READS_SLUG)
        .for_listing()[:MUST_READS_COUNT]
    )


def shared_must_reads_query():
    """Must-Reads as the article page's rail shows them (gazette.news.rails)."""
    return (
        ArticlePage.objects.live()
        .public()
        .in_edition()
        .in_curated_list(MUST_READS_SLUG)
        .for_rail()[:MUST_READS_COUNT]
    )


def shared_latest_in_section(request, section_id: int, *, excluding: int) -> list[ArticlePage]:
    """The section's newest stories but the one being read: its newest, one more than shown,
    cached per section until the next change."""
    newest = shared_parts.shared(
        request,
        f"latest:{section_id}",
        lambda: list(
            ArticlePage.objects.live()
            .public()
            .filter(section_id=section_id)
            .newest_first()
            .for_rail()[: LATEST_STORIES_COUNT + 1]
        ),
    )
    return [article for article in newest if article.pk != excluding][:LATEST_STORIES_COUNT]


class DeferredPublication(models.Model):
    """An article published during a bulk run (an import) whose after-commit follow-ups
    (related lists, renditions, purges) wait to be announced once for the whole run
    (``lifecycle.publications_deferred``). Written in the article's own transaction, so a
    run that dies leaves the rows for the next run or the periodic job to announce."""

    article = models.OneToOneField(
        ArticlePage, on_delete=models.CASCADE, primary_key=True, related_name="+"
    )
    noted_at = models.DateTimeField(auto_now_add=True, db_index=True)

    def __str__(self) -> str:
        return f"article {self.article_id}, published {self.noted_at:%Y-%m-%d %H:%M}"
