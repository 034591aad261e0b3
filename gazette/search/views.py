from django.core.paginator import Paginator
from django.template.response import TemplateResponse

from gazette.core.canonical import canonical_query
from gazette.news.text import article_text

from .forms import SearchForm
from .highlight import highlight, snippet
from .queries import RANKED_LIMIT, RELEVANCE, search_articles

RESULTS_PER_PAGE = 10
# What the page reads of its query, in deploy/nginx.conf's order (its cache key).
PARAMETERS = (*SearchForm.base_fields, "page")


def search_page(request):
    data = request.GET.copy()
    data.setdefault("order", RELEVANCE)
    form = SearchForm(data)
    context = {"form": form, "searched": False}
    if form.is_valid():
        terms = form.terms()
        context.update(terms=terms, searched=bool(terms))
        if terms:
            results = search_articles(terms=terms, filters=form.filters())
            page = Paginator(results, RESULTS_PER_PAGE).get_page(request.GET.get("page"))
            for article in page:
                article.marked_title = highlight(article.title, terms.terms)
                article.snippet = snippet(article_text(article), terms.terms)
            context.update(
                results=page,
                found=results,
                query_string=canonical_query(
                    request.GET, parameters=PARAMETERS, replace={"page": None}
                ),
                ranked_limit=RANKED_LIMIT,
            )
    return TemplateResponse(request, "search/search_page.html", context)
