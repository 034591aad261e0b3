"""The admin's "New article" (one question, the section, then Wagtail's editor for an article
under it) and "Add to Must-Reads" from the article's own page."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse

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
    """Confirm, then put the story first in Must-Reads (or take it out). A GET never writes."""
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
