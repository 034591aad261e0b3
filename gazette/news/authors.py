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
    # The stories of the page's edition: /ko/authors/<slug>/ lists the Korean ones.
    articles = (
        ArticlePage.objects.live().public().in_edition().by_author(author).newest_first()
    ).for_listing()
    page = Paginator(articles, ARTICLES_PER_PAGE).get_page(request.GET.get("page"))
    return TemplateResponse(
        request, "people/author_page.html", {"author": author, "articles": page}
    )


def start_with_my_byline(sender, page, parent, **kwargs) -> None:
    """A new article starts with the byline of the staff member who opens it: Wagtail's
    ``init_new_page``, sent when the empty create form is shown (never on a save), with the
    page owned by the user who asked for it."""
    if not isinstance(page, ArticlePage) or page.owner_id is None:
        return
    author = Author.objects.filter(user_id=page.owner_id).first()
    if author is not None and not page.article_authors.all():
        page.article_authors = [ArticleAuthor(author=author)]
