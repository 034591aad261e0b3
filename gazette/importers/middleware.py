"""WordPress's short links (``/?p=123``, ``/?page_id=45``) answered with their 301.

The redirects app answers old paths only when the site answers 404, but ``/?p=123`` is the
home page's address with a query: the home page would answer it itself. This middleware
looks such a link up among the redirects an import made, before the page is served. Only
requests with one of these parameters, all digits, cost a query; nginx keeps the same
parameters in the home page's cache key (deploy/nginx.conf), so each link is cached apart.
"""

from django.http import HttpResponsePermanentRedirect, HttpResponseRedirect
from wagtail.contrib.redirects.models import Redirect
from wagtail.models import Site

OLD_LINK_PARAMETERS = ("p", "page_id")


class OldShortLinkMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method in {"GET", "HEAD"}:
            for name in OLD_LINK_PARAMETERS:
                value = request.GET.get(name, "")
                if value.isascii() and value.isdigit():
                    response = _redirect(request, f"{request.path}?{name}={int(value)}")
                    if response is not None:
                        return response
        return self.get_response(request)


def _redirect(request, old_link: str):
    path = Redirect.normalise_path(old_link)
    site = Site.find_for_request(request)
    redirect = (
        Redirect.get_for_site(site).filter(old_path=path).select_related("redirect_page").first()
    )
    if redirect is None or not redirect.link:
        return None
    if redirect.is_permanent:
        return HttpResponsePermanentRedirect(redirect.link)
    return HttpResponseRedirect(redirect.link)
