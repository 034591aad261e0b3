"""The view beacon answered in front of Django's request handler (gazette/wsgi.py).

A beacon is the one uncached request every article view makes (issue 17: thousands a second).
Django's handler costs it more than the count does: the request signals and what listens to
them, the whole middleware chain wrapped for exceptions, URL resolving. ``BeaconDispatch``
takes the beacon's two URLs (the POST and the no-script pixel, digits only) and runs exactly
what they need, as BeaconShortcutMiddleware does inside Django:

- the middleware listed before ``BeaconShortcutMiddleware`` in ``settings.MIDDLEWARE`` (the
  request id, the security headers and HTTPS redirect, the CSP), the same classes;
- the same views (``views.beacon``, ``views.pixel``, with their decorators): the same counting
  code, answers and headers;
- an exception turned into Django's own response for it, at each layer as Django does;
- after the answer, what Django's ``request_finished`` receivers do for such a request: a
  database connection the view opened is released (``close_old_connections``) and the
  request id is forgotten.

Anything else, including a wrong method or a malformed id, goes to Django, which answers as
ever. The app servers and `make run`'s runserver (``WSGI_APPLICATION``) go through this
dispatch; Django's test client uses Django's handler; both paths answer alike
(tests/analytics/test_wsgi_beacon.py).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable

from django.conf import settings
from django.core.handlers.exception import convert_exception_to_response
from django.core.handlers.wsgi import WSGIRequest
from django.db import close_old_connections, connections
from django.urls import set_script_prefix
from django.utils.module_loading import import_string

from gazette.core import request_id

SHORTCUT = "gazette.analytics.middleware.BeaconShortcutMiddleware"


class BeaconDispatch:
    """A WSGI application: the beacon's URLs past Django's handler, the rest to ``django``."""

    def __init__(self, django: Callable) -> None:
        self.django = django
        self._path: re.Pattern | None = None
        self._chain: Callable | None = None

    def __call__(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        if self._path is None:
            self._prepare()
        found = self._path.match(environ.get("PATH_INFO", ""))
        method = environ.get("REQUEST_METHOD")
        if found is None or method != ("GET" if found["pixel"] else "POST"):
            return self.django(environ, start_response)
        article_id = int(found["article_id"])
        set_script_prefix(environ.get("SCRIPT_NAME", "") or "/")
        request = WSGIRequest(environ)
        request.beacon_view = views_of(bool(found["pixel"]))
        request.beacon_article_id = article_id
        try:
            response = self._chain(request)
        finally:
            # What request_finished's receivers do for a request that used no session and no
            # cache of Django's: a connection opened (a total not yet mirrored, the live set
            # reloaded) goes back (to the pool), and the id leaves this thread's log records.
            if connections.all(initialized_only=True):
                close_old_connections()
            request_id.forget_request_id()
        headers = [*response.items()]
        start_response(f"{response.status_code} {response.reason_phrase}", headers)
        return [response.content]

    def _prepare(self) -> None:
        from .middleware import _beacon_prefix

        # Built as Django's handler builds its chain: every layer turns an exception into
        # Django's own response for it (a 500 still gets the request id and the headers).
        chain = convert_exception_to_response(_call_view)
        order = list(settings.MIDDLEWARE)
        kept = order[: order.index(SHORTCUT)] if SHORTCUT in order else []
        for path in reversed(kept):
            chain = convert_exception_to_response(import_string(path)(chain))
        self._chain = chain
        prefix = _beacon_prefix()
        # Set last: a thread that sees the pattern finds the chain ready. No beacon in this
        # URLconf: nothing matches, everything goes to Django.
        self._path = re.compile(
            rf"^{re.escape(prefix)}(?P<article_id>[0-9]{{1,18}})/(?P<pixel>pixel\.gif)?$"
            if prefix
            else r"(?!)"
        )


def views_of(pixel: bool) -> Callable:
    from . import views

    return views.pixel if pixel else views.beacon


def _call_view(request):
    response = request.beacon_view(request, article_id=request.beacon_article_id)
    if not response.has_header("Content-Length"):
        # As BeaconShortcutMiddleware (CommonMiddleware's job in the full chain).
        response.headers["Content-Length"] = str(len(response.content))
    return response
