from django import template
from django.urls import reverse

from gazette.core.models import SiteIdentity
from gazette.news.models import SectionPage
from gazette.news.syndication import FeedLink
from gazette.people.models import Author

from ..structured_data import article_metadata

register = template.Library()


@register.simple_tag(takes_context=True)
def article_meta(context, article):
    request = context["request"]
    return article_metadata(
        article, request=request, site_name=SiteIdentity.for_request(request).name
    )


@register.inclusion_tag("distribution/feed_links.html", takes_context=True)
def feed_links(context):
    """Feed autodiscovery: the site's feeds, and the section's or author's on their pages, or
    a feature's subject's (a ``feed_subject`` in the page's context: a topic's)."""
    request = context.get("request")
    site_name = SiteIdentity.for_request(request).name if request else "Gazette"
    subjects = [(site_name, "feed-rss", "feed-atom", {})]
    page, author = context.get("page"), context.get("author")
    offered = context.get("feed_subject")
    if isinstance(offered, FeedLink):
        kwargs = {"kind": offered.kind, "slug": offered.slug}
        subjects.append((f"{site_name}: {offered.title}", "subject-rss", "subject-atom", kwargs))
    elif isinstance(page, SectionPage):
        subject = f"{site_name}: {page.display_label}"
        subjects.append((subject, "section-rss", "section-atom", {"slug": page.slug}))
    elif isinstance(author, Author):
        subject = f"{site_name}: {author.name}"
        subjects.append((subject, "author-rss", "author-atom", {"slug": author.slug}))
    feeds = []
    for title, rss, atom, kwargs in subjects:
        feeds.append(
            (f"{title} (RSS)", "application/rss+xml", reverse(f"distribution:{rss}", kwargs=kwargs))
        )
        feeds.append(
            (
                f"{title} (Atom)",
                "application/atom+xml",
                reverse(f"distribution:{atom}", kwargs=kwargs),
            )
        )
    return {"feeds": feeds}
