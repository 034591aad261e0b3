"""``include_under``: an include that answers None outside its prefix resolves every address as
``path(route, include(...))`` does, without raising for the addresses outside it."""

import sys

import pytest
from django.http import HttpResponse
from django.urls import Resolver404, URLResolver, include, path, resolve
from django.urls.resolvers import RegexPattern

from gazette.core.includes import include_under


def _view(request, **kwargs):
    return HttpResponse()


INNER = [path("", _view, name="index"), path("<slug:slug>/", _view, name="item")]


def _root(prefixed):
    """A site's root with two prefixed includes (one namespaced), a page, and a catch-all."""
    return URLResolver(
        RegexPattern(r"^/"),
        [
            prefixed("admin/", include((INNER, "admin"), namespace="admin")),
            prefixed("authors/", include(INNER)),
            path("<slug:section>/<slug:slug>/", _view, name="article"),
            path("<slug:section>/", _view, name="section"),
        ],
    )


PATHS = [
    "/admin/",
    "/admin/pages/",
    "/authors/",
    "/authors/jane-doe/",
    "/world/a-story/",
    "/world/",
    "/adminx/",
    "/admin/a/b/c/",
    "/",
    "/world/a-story/more/",
]


@pytest.mark.parametrize("address", PATHS)
def test_every_address_resolves_as_with_djangos_include(address):
    django_root, our_root = _root(path), _root(include_under)
    try:
        expected = django_root.resolve(address)
    except Resolver404 as refused:
        with pytest.raises(Resolver404) as ours:
            our_root.resolve(address)
        tried = [[str(p.pattern) for p in line] for line in refused.args[0]["tried"]]
        assert [[str(p.pattern) for p in line] for line in ours.value.args[0]["tried"]] == tried
        return
    found = our_root.resolve(address)
    assert (found.url_name, found.namespaces, found.kwargs, found.route) == (
        expected.url_name,
        expected.namespaces,
        expected.kwargs,
        expected.route,
    )


def test_an_address_outside_the_prefix_raises_nothing_inside_it():
    raised = []

    def tracer(frame, event, arg):
        if event == "exception" and arg[0] is Resolver404:
            raised.append(frame.f_code.co_name)
        return tracer

    root = _root(include_under)
    sys.settrace(tracer)
    try:
        match = root.resolve("/world/a-story/")
    finally:
        sys.settrace(None)
    assert match.url_name == "article"
    assert raised == []  # with path(): one Resolver404 per include passed


def test_the_sites_addresses_reach_their_views():
    assert resolve("/admin/").url_name == "wagtailadmin_home"
    assert resolve("/comments/7/post/").url_name == "post"
    assert resolve("/api/v1/articles").namespace == "api"
    assert resolve("/feeds/rss.xml").url_name == "feed-rss"
    assert resolve("/sitemap.xml").url_name == "sitemap-index"
    assert resolve("/robots.txt").url_name == "robots"
    assert resolve("/authors/jane-doe/").func.__module__.startswith("gazette.")
    assert resolve("/world/a-story/").url_name == "article"
    assert resolve("/world/").func.__name__ == "serve_page"
