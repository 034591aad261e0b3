"""The breaking-news banner for base.html, read from the shared parts (no query per page)."""

from .breaking import current_banner


def breaking_banner(request) -> dict:
    return {"breaking_banner": current_banner(request)}
