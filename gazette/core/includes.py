"""``include()`` under a prefix, without an exception for every address outside it.

Django's resolver for ``path("admin/", include(...))`` raises ``Resolver404`` for an address
that does not start with its prefix, and its parent catches it: a reader's article passed ten
such includes, each an exception raised, caught and its message built, on every uncached
request. A parent takes a sub-resolver's ``None`` as "no match" the same way (the same entry in
its list of patterns tried), so a resolver that answers ``None`` outside its prefix resolves
every address as before, raising nothing for the addresses it cannot answer.
"""

from __future__ import annotations

from django.urls import URLResolver
from django.urls.resolvers import RoutePattern


class _PrefixedResolver(URLResolver):
    def resolve(self, path):
        if not self.pattern.match(str(path)):
            return None
        return super().resolve(path)


def include_under(route: str, included: tuple) -> URLResolver:
    """``path(route, included)`` for an ``include(...)`` (or an API router's ``urls``)."""
    urlconf_module, app_name, namespace = included
    pattern = RoutePattern(route, is_endpoint=False)
    return _PrefixedResolver(pattern, urlconf_module, app_name=app_name, namespace=namespace)
