from django.urls import path, reverse
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.chooser import ChooseResultsView, ChooseView, SnippetChooserViewSet
from wagtail.snippets.views.snippets import SnippetViewSet

from . import views
from .models import Author


class NameColumnMixin:
    """The chooser lists people: its first column is headed "Name", not Wagtail's "Title"."""

    @property
    def title_column(self):
        column = super().title_column
        column.label = "Name"
        return column


class AuthorChooseView(NameColumnMixin, ChooseView):
    pass


class AuthorChooseResultsView(NameColumnMixin, ChooseResultsView):
    pass


class AuthorChooserViewSet(SnippetChooserViewSet):
    choose_view_class = AuthorChooseView
    choose_results_view_class = AuthorChooseResultsView
    # The "create" tab of the article's author chooser: a new writer without leaving the
    # story; the slug is made from the name (Author.save).
    form_fields = ["name", "email", "bio"]
    create_action_label = "Add a new author"
    creation_tab_label = "New author"


class AuthorViewSet(SnippetViewSet):
    model = Author
    icon = "user"
    menu_label = "Authors"
    add_to_admin_menu = True
    menu_order = 210
    list_display = ["name", "email", "user"]
    search_fields = ["name"]
    chooser_viewset_class = AuthorChooserViewSet


register_snippet(AuthorViewSet)


@hooks.register("register_admin_urls")
def register_my_byline_url():
    return [path("my-byline/", views.my_byline, name="people_my_byline")]


@hooks.register("register_admin_menu_item")
def register_my_byline_menu_item():
    # Every staff member may keep her own byline, contributors included (they have no
    # permission on other authors).
    return MenuItem("My byline", reverse("people_my_byline"), icon_name="user", order=211)
