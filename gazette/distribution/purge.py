"""Which cached feeds and sitemaps show an article, for the page-cache purge: news asks
(``gazette.news.purge.urls_showing_article``) on publish, unpublish, move and delete."""

from __future__ import annotations

from django.urls import reverse

from gazette.news.syndication import all_sitemap_sections, sitemap_path

from .links import SiteLinks
from .sitemaps import bucket_of


def urls_to_purge(article) -> list[str]:
    """Absolute URLs: the site, section and author feeds (RSS and Atom), the sitemap index,
    the article's sitemap page, the news sitemap and the features' sitemap sections (the
    features purge their own subjects' feeds: they know which an article is in)."""
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
    urls = [links.absolute(reverse(name, kwargs=kwargs)) for name, kwargs in names]
    return urls + [links.absolute(sitemap_path(s.name)) for s in all_sitemap_sections()]


def _urls_showing_article(sender, article, **kwargs) -> list[str]:
    return urls_to_purge(article)


def subscribe() -> None:
    from gazette.news.purge import urls_showing_article

    urls_showing_article.connect(_urls_showing_article, dispatch_uid="distribution")
