import django_filters
from django.urls import path, reverse
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.admin.views.pages.listing import PageFilterSet
from wagtail.admin.viewsets.pages import PageListingViewSet
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from . import admin_views, bulk_actions, dashboard
from .models import ArticlePage, CuratedList, SectionPage


class CuratedListViewSet(SnippetViewSet):
    model = CuratedList
    icon = "list-ol"
    menu_label = "Curated lists"
    add_to_admin_menu = True
    menu_order = 220
    list_display = ["name", "slug"]


register_snippet(CuratedListViewSet)


@hooks.register("register_admin_urls")
def register_new_article_url():
    return [
        path("new-article/", admin_views.new_article, name="news_new_article"),
        path(
            "articles/<int:article_id>/must-reads/",
            admin_views.must_reads,
            name="news_must_reads",
        ),
    ]


@hooks.register("register_page_header_buttons")
def must_reads_header_button(page, user, view_name, next_url=None):
    # On the article's own page in the admin: one click in the ⋯ menu adds it.
    if isinstance(page.specific_deferred, ArticlePage) and admin_views.may_curate(user):
        yield admin_views.must_reads_button(page)


hooks.register("construct_page_action_menu", admin_views.unpublish_now_in_footer)
hooks.register("after_edit_page", admin_views.unpublish_after_save)


class StoryFilterSet(PageFilterSet):
    section = django_filters.ModelChoiceFilter(
        queryset=lambda request: SectionPage.objects.order_by("title"),
        empty_label="All sections",
    )

    class Meta:
        model = ArticlePage
        fields = ["section"]


class StoriesViewSet(PageListingViewSet):
    """Every story, all sections, newest change first, one menu click away (WordPress's
    Posts): the bulk actions (change section, change topics) work on it as in the explorer."""

    model = ArticlePage
    name = "stories"
    icon = "doc-full-inverse"
    menu_label = "Stories"
    menu_order = 2  # after New article
    add_to_admin_menu = True
    filterset_class = StoryFilterSet


@hooks.register("register_admin_viewset")
def register_stories_listing():
    return StoriesViewSet()


@hooks.register("register_admin_menu_item")
def register_new_article_menu_item():
    # First in the menu: writing is what most of the newsroom comes for.
    return MenuItem(
        "New article", reverse("news_new_article"), icon_name="doc-empty-inverse", order=1
    )


@hooks.register("construct_homepage_panels")
def add_newsroom_panels(request, panels):
    # "Awaiting my review" replaces Wagtail's own list of the same (its queries grow with
    # the rows); the review's actions are on the story's page.
    panels[:] = [panel for panel in panels if panel.name != "workflow_objects_to_moderate"]
    panels[:0] = [
        dashboard.NewArticlePanel(),
        dashboard.MyDraftsPanel(),
        dashboard.ScheduledPanel(),
        dashboard.AwaitingReviewPanel(),
    ]


hooks.register("register_bulk_action", bulk_actions.ChangeSectionBulkAction)
hooks.register("register_bulk_action", bulk_actions.ChangeTopicsBulkAction)
