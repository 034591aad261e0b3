"""Cross-site protection for the forms of cached pages, which carry no CSRF token: the request
must come from a page of this site (Sec-Fetch-Site, then Origin, then Referer: OWASP's
"verifying origin with standard headers"). Comments and newsletters both post from cached
pages."""

from __future__ import annotations

from urllib.parse import urlsplit

from django.conf import settings
from django.http import HttpRequest


def same_origin(request: HttpRequest) -> bool:
    """Did a page of this site send the request? Browsers set these headers themselves; a
    request without any of them is refused, as OWASP recommends."""
    fetch_site = request.headers.get("Sec-Fetch-Site")
    if fetch_site is not None and fetch_site != "same-origin":
        return False
    origin = request.headers.get("Origin")
    if origin is None:
        referer = urlsplit(request.headers.get("Referer", ""))
        if not (referer.scheme and referer.netloc):
            return False
        origin = f"{referer.scheme}://{referer.netloc}"
    own = f"{request.scheme}://{request.get_host()}"
    return origin == own or origin in settings.CSRF_TRUSTED_ORIGINS
