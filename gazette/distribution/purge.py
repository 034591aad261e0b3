"""Which cached feeds and sitemaps an article change touches, for the frontend cache purge.

Call it on publish, unpublish, move and delete. For a move, call it with the article as it
was and as it is (the old section's feeds change too) and purge the union.
"""

from __future__ import annotations

from django.urls import reverse

from .links import SiteLinks
from .sitemaps import bucket_of


def urls_to_purge(article) -> list[str]:
    """Absolute URLs: the site, section and author feeds (RSS and Atom), the sitemap index,
    the article's sitemap page and the news sitemap."""
    links = SiteLinks.for_url_path(article.url_path or "/")
    names = [
        ("distribution:feed-rss", {}),
        ("distribution:feed-atom", {}),
        ("distribution:sitemap-index", {}),
        ("distribution:sitemap-news", {}),
        ("distribution:sitemap-pages", {}),
        ("distribution:sitemap-articles", {"number": bucket_of(article.pk)}),
    ]
    section = getattr(article, "section", None)
    if section is not None:
        names += [
            ("distribution:section-rss", {"slug": section.slug}),
            ("distribution:section-atom", {"slug": section.slug}),
        ]
    for item in article.article_authors.select_related("author"):
        names += [
            ("distribution:author-rss", {"slug": item.author.slug}),
            ("distribution:author-atom", {"slug": item.author.slug}),
        ]
    return [links.absolute(reverse(name, kwargs=kwargs)) for name, kwargs in names]
