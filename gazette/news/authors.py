"""Authors as readers know them: through their bylines on stories. People keeps the Author
record; which authors are public, and the author page listing their stories, live here,
where the stories are."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse

from gazette.people.models import Author, AuthorQuerySet

from .models import ArticleAuthor, ArticlePage

ARTICLES_PER_PAGE = 20


def credited_on(articles) -> AuthorQuerySet:
    """Authors credited on at least one of ``articles`` (a queryset of article pages)."""
    bylines = ArticleAuthor.objects.filter(article__in=articles).values("author")
    return Author.objects.filter(pk__in=bylines)


def published_authors() -> AuthorQuerySet:
    """Authors with a byline readers can see: a newcomer whose stories are all drafts (or
    who was credited on a story since pulled) stays unknown to the public."""
    return credited_on(ArticlePage.objects.live().public())


def author_page(request, slug: str):
    author = get_object_or_404(published_authors().select_related("photo"), slug=slug)
    articles = ArticlePage.objects.live().public().by_author(author).newest_first().for_listing()
    page = Paginator(articles, ARTICLES_PER_PAGE).get_page(request.GET.get("page"))
    return TemplateResponse(
        request, "people/author_page.html", {"author": author, "articles": page}
    )
