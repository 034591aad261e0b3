"""Breaking news: one alert to the breaking-news lists, and a banner on every reader page for
a set time. Reader pages are cached whole, so the banner's start and end purge them: the
home page, every live article and section (``news.purge.purge_listing_pages``), and the
newsletter pages."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from wagtail.models import Page, Site

from gazette.core import editions, shared_parts
from gazette.core.purge import purge_urls, purging_enabled
from gazette.core.shared_parts import SitePart
from gazette.news.models import SectionPage
from gazette.news.purge import purge_listing_pages

from . import services
from .models import BreakingNews, Issue, Newsletter


@dataclass(frozen=True)
class Banner:
    text: str
    url: str
    ends_at: datetime


def _banners(site) -> list[Banner]:
    # The banners now and to come in the next hour (the part is rebuilt at each change), of
    # the edition's own stories: the banner is in the story's language, as its alert is.
    return [
        Banner(b.banner_text, b.article.url or "", b.ends_at)
        for b in BreakingNews.objects.filter(
            ends_at__gt=timezone.now(), article__locale_id=editions.active_locale_id()
        )
        .select_related("article")
        .order_by("-starts_at")[:3]
    ]


BANNERS = SitePart("breaking-banners", _banners)


def current_banner(request) -> Banner | None:
    now = timezone.now()
    return next((b for b in BANNERS.get(request) if b.ends_at > now), None)


def purge_reader_pages() -> None:
    """Every cached reader page shows the banner: purge them after the commit."""
    shared_parts.retire()
    if not purging_enabled():
        return
    transaction.on_commit(purge_listing_pages.enqueue)
    urls = []
    for site in Site.objects.all():
        root = site.root_url
        for _language in editions.each_edition():  # /newsletters/, /ko/newsletters/...
            urls.append(f"{root}{reverse('newsletters:index')}")
        urls.extend(f"{root}{n.get_absolute_url()}" for n in Newsletter.objects.all())
        for section in SectionPage.objects.live():
            url = Page.get_url(section)
            if url:
                urls.append(url if "://" in url else root + url)
    purge_urls(urls)


def start(breaking: BreakingNews) -> list[Issue]:
    """The alert to each breaking-news list (once per story and list, however often this
    runs), and the banner's purge."""
    alerts = []
    article = breaking.article
    # The story's own edition's lists: a Korean story alerts the Korean readers, in Korean.
    for newsletter in Newsletter.objects.filter(is_breaking=True).in_edition(article.locale_id):
        with newsletter.addresses():
            subject = _("Breaking: %(headline)s") % {"headline": breaking.banner_text}
        issue, created = Issue.objects.get_or_create(
            newsletter=newsletter,
            breaking_article=article,
            defaults={
                "subject": subject[:150],
                "preheader": getattr(article, "standfirst", "")[:150],
                "body": [("story", {"article": article, "note": ""})],
            },
        )
        if created:
            services.send_now(issue=issue)
            alerts.append(issue)
    purge_reader_pages()
    return alerts


def end_expired(now=None) -> int:
    """The schedule worker's round: banners whose time is up, purged once each."""
    now = now or timezone.now()
    ended = list(BreakingNews.objects.ended_unpurged(now).values_list("pk", flat=True))
    claimed = BreakingNews.objects.filter(pk__in=ended, end_purged_at__isnull=True).update(
        end_purged_at=now
    )
    if claimed:
        purge_reader_pages()
    return claimed
