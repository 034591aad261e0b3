"""Who is asking: the client's address, trusting proxy headers only from our own proxies."""

from django.conf import settings
from django.http import HttpRequest


def client_ip(request: HttpRequest) -> str:
    """The reader's address. Behind nginx every request comes from the proxy, which passes
    the real address in X-Real-IP; any other sender could forge that header, so it counts
    only when the direct peer is a trusted proxy."""
    peer = request.META.get("REMOTE_ADDR", "")
    if peer in settings.TRUSTED_PROXIES:
        forwarded = request.META.get("HTTP_X_REAL_IP", "").strip()
        if forwarded:
            return forwarded
    return peer
