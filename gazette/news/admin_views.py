"""The admin's "New article": one question, the section, then Wagtail's editor for an article
under it."""

from django.shortcuts import redirect
from django.template.response import TemplateResponse

from .dashboard import add_article_url, sections_open_to


def new_article(request):
    sections = sections_open_to(request.user)
    if len(sections) == 1:  # nothing to ask
        return redirect(add_article_url(sections[0]))
    return TemplateResponse(
        request,
        "news/admin/new_article.html",
        {"sections": [(section, add_article_url(section)) for section in sections]},
    )
