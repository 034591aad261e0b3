from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse

from gazette.news.models import ArticlePage

from .models import Author

ARTICLES_PER_PAGE = 20


def author_page(request, slug: str):
    author = get_object_or_404(Author.objects.published().select_related("photo"), slug=slug)
    articles = ArticlePage.objects.live().public().by_author(author).newest_first().for_listing()
    page = Paginator(articles, ARTICLES_PER_PAGE).get_page(request.GET.get("page"))
    return TemplateResponse(
        request, "people/author_page.html", {"author": author, "articles": page}
    )
