"""How stories leave the site: feeds, sitemaps, structured data and the public API.

The one entry point other apps use is :func:`urls_to_purge`, for the cache purge.
"""


def urls_to_purge(article) -> list[str]:
    """Absolute URLs of the feeds and sitemaps an article change shows up in (see purge.py)."""
    from .purge import urls_to_purge as _urls_to_purge

    return _urls_to_purge(article)
