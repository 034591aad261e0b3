"""The breaking-news banner for base.html, read from the shared parts (no query per page)."""

from django.utils.functional import SimpleLazyObject

from .breaking import current_banner


def breaking_banner(request) -> dict:
    # Lazy: only a template that shows the banner reads it, not every fragment rendered with
    # the request (the article's head, e-mails, admin pages).
    return {"breaking_banner": SimpleLazyObject(lambda: current_banner(request))}
