import sys

from django.core.cache import cache
from django.db import InterfaceError, OperationalError, connection
from django.http import HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.utils.cache import add_never_cache_headers
from django.views import defaults
from django.views.decorators.cache import never_cache

# Seconds a reader (or a crawler) is asked to wait when the database is unavailable.
RETRY_AFTER_SECONDS = 30


@never_cache
def healthz(request):
    """For a load balancer: can this app server serve? 503 only when it cannot reach its
    database. The cache is reported too, but the site works without Redis (docs/operations.md,
    "Failures"), and an outage of Redis, shared by every app server, must not take them all
    out of the balancer."""
    checks = {}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        checks["database"] = "ok"
    except Exception as exc:
        checks["database"] = f"error: {exc.__class__.__name__}"
    try:
        cache.set("healthz", "ok", 5)
        checks["cache"] = "ok" if cache.get("healthz") == "ok" else "error: no round trip"
    except Exception as exc:
        checks["cache"] = f"error: {exc.__class__.__name__}"
    return JsonResponse(checks, status=200 if checks["database"] == "ok" else 503)


def database_unavailable(exc: BaseException | None) -> bool:
    """Whether ``exc`` (or what caused it) says the database cannot be reached or is restarting,
    rather than that our code is wrong."""
    seen = set()
    while exc is not None and id(exc) not in seen:
        if isinstance(exc, OperationalError | InterfaceError):
            return True
        seen.add(id(exc))
        exc = exc.__cause__ or exc.__context__
    return False


def server_error(request):
    """handler500. An unreachable database (a restart, a failover) is not a bug: the reader
    gets a short "We'll be right back" page, 503 with Retry-After, never stored by a cache.
    Anything else is Django's 500 page. Renders without the database."""
    if not database_unavailable(sys.exc_info()[1]):
        return defaults.server_error(request)
    response = HttpResponse(render_to_string("503.html"), status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    add_never_cache_headers(response)
    # For the replica router: a pinned reader's page is read again from a replica.
    response.database_unavailable = True
    return response
