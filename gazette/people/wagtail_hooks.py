from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from .models import Author


class AuthorViewSet(SnippetViewSet):
    model = Author
    icon = "user"
    menu_label = "Authors"
    add_to_admin_menu = True
    menu_order = 210
    list_display = ["name", "email"]
    search_fields = ["name"]


register_snippet(AuthorViewSet)
