"""The admin's "New article" (one question, the section, then Wagtail's editor for an article
under it), "Add to Must-Reads" from the article's own page, and unpublishing from the edit
page's footer in one click (issue 23: each task in no more steps than WordPress)."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.middleware.csrf import get_token
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from wagtail.actions.unpublish_page import UnpublishPageAction
from wagtail.admin.action_menu import UnpublishMenuItem
from wagtail.admin.widgets import Button
from wagtail.models import Page

from . import curation
from .dashboard import add_article_url, sections_open_to
from .models import ArticlePage


def new_article(request):
    sections = sections_open_to(request.user)
    if len(sections) == 1:  # nothing to ask
        return redirect(add_article_url(sections[0]))
    return TemplateResponse(
        request,
        "news/admin/new_article.html",
        {"sections": [(section, add_article_url(section)) for section in sections]},
    )


def may_curate(user) -> bool:
    return user.has_perm("news.change_curatedlist")


def must_reads(request, article_id: int):
    """Put the story first in Must-Reads (or take it out). The ⋯ menu posts here at once; a
    GET shows the choice (move to the top, take out) and never writes."""
    if not may_curate(request.user):
        raise PermissionDenied
    article = get_object_or_404(ArticlePage, pk=article_id)
    listed = curation.in_must_reads(article)
    if request.method == "POST":
        if request.POST.get("action") == "remove":
            curation.remove_from_must_reads(article=article)
            messages.success(request, f"“{article.title}” is no longer in Must-Reads.")
        else:
            curation.add_to_must_reads(article=article)
            messages.success(request, f"“{article.title}” is first in Must-Reads.")
        return redirect(reverse("wagtailadmin_pages:edit", args=[article.pk]))
    return TemplateResponse(
        request, "news/admin/must_reads.html", {"article": article, "listed": listed}
    )


class PostButton(Button):
    """A menu item that is a one-button form: one click posts (with the CSRF token), where
    Wagtail's menu items are links, which must not change anything."""

    template_name = "news/admin/post_button.html"

    def __init__(self, label, *, action_url: str, fields: dict[str, str], **kwargs):
        super().__init__(label, **kwargs)
        self.attrs.pop("type", None)
        self.action_url = action_url
        self.fields = fields

    def get_context_data(self, parent_context):
        context = super().get_context_data(parent_context)
        context["csrf_token"] = get_token(context["request"]) if context["request"] else ""
        return context


def must_reads_button(article: ArticlePage) -> Button:
    """The ⋯ menu's item: one click adds a story not listed; a listed one opens the choice."""
    url = reverse("news_must_reads", args=[article.pk])
    if curation.in_must_reads(article):
        return Button("Must-Reads: move up or take out", url, icon_name="pick", priority=5)
    return PostButton(
        "Add to Must-Reads", action_url=url, fields={"action": "add"}, icon_name="pick", priority=5
    )


# -- unpublishing in one click ------------------------------------------------------------------

# The footer button's name: Wagtail's edit view saves the draft (as for "Save draft"), then
# unpublish_after_save takes the story off the site, as WordPress's "Switch to draft" does.
UNPUBLISH_ACTION = "action-unpublish-now"


class UnpublishNowMenuItem(UnpublishMenuItem):
    """The footer's Unpublish as a submit button of the edit form, not a link to Wagtail's
    confirmation page: what was typed is kept as the draft, and the story leaves the site."""

    name = UNPUBLISH_ACTION
    template_name = "news/admin/unpublish_menu_item.html"

    def get_url(self, context):
        return None


def unpublish_now_in_footer(menu_items, request, context) -> None:
    # Articles only: a section's unpublishing asks about the stories under it (Wagtail's page).
    if context.get("view") == "edit" and isinstance(context.get("page"), ArticlePage):
        menu_items[:] = [
            UnpublishNowMenuItem(order=item.order) if item.name == "action-unpublish" else item
            for item in menu_items
        ]


def unpublish_after_save(request, page):
    """After the edit view saved the draft: unpublish when the footer's button asked for it.
    The permission is checked here again, since the form can be posted without the button."""
    if not request.POST.get(UNPUBLISH_ACTION):
        return None
    page = Page.objects.get(pk=page.pk).specific
    if not page.live:
        return None
    if not page.permissions_for_user(request.user).can_unpublish():
        messages.error(request, f"You may not unpublish “{page.title}”: your draft is saved.")
        return None
    UnpublishPageAction(page, user=request.user).execute(skip_permission_checks=True)
    messages.success(
        request,
        f"“{page.title}” is unpublished: readers no longer see it. Your text is kept as a "
        "draft; to put it back, use More actions, then Publish.",
    )
    next_url = request.POST.get("next", "")
    if next_url and url_has_allowed_host_and_scheme(next_url, {request.get_host()}):
        return redirect(next_url)
    return redirect(reverse("wagtailadmin_pages:edit", args=[page.pk]))
