"""RSS 2.0 and Atom feeds of the corrections page: the newest corrections, clarifications and
editor's notes, each linking to its story. GUIDs are tag URIs built from the note's id: a
note keeps its identity in readers when its story's headline or address changes."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext
from wagtail.models import Site

from gazette.core.models import SiteIdentity

from .queries import corrections_page_notes

FEED_SIZE = 30
GUID_TAG_YEAR = "2025"  # fixed: a tag URI's date says when the name was ours (RFC 4151)
# XML 1.0 has no way to write most control characters (Django's feed writer refuses them).
NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _xml(text: str) -> str:
    return NOT_XML.sub("", text or "")


class CorrectionsFeed(Feed):
    item_guid_is_permalink = False

    def get_object(self, request, *args, **kwargs):
        site = Site.find_for_request(request)
        # The address editors gave the site, never the Host header: feeds are cached.
        root = (site.root_url if site else settings.WAGTAILADMIN_BASE_URL).rstrip("/")
        request.gazette_root_url = root
        return {
            "root": root,
            "site_name": SiteIdentity.for_request(request).name,
            "request": request,
        }

    def title(self, obj) -> str:
        return _xml(gettext("%(site)s: corrections") % {"site": obj["site_name"]})

    def link(self, obj) -> str:
        return obj["root"] + reverse("corrections:page")

    def feed_url(self, obj) -> str:
        return obj["root"] + obj["request"].path

    def description(self, obj) -> str:
        return _xml(
            gettext("Corrections, clarifications and editor's notes from %(site)s.")
            % {"site": obj["site_name"]}
        )

    def subtitle(self, obj) -> str:
        return self.description(obj)

    def author_name(self, obj) -> str:
        return _xml(obj["site_name"])

    def items(self, obj) -> list:
        notes = list(corrections_page_notes()[:FEED_SIZE])
        hostname = urlsplit(obj["root"]).hostname or "localhost"
        for note in notes:
            url = note.article.get_full_url(obj["request"]) or ""
            note.feed_link = f"{url}#article-notes" if url else obj["root"] + "/"
            note.feed_guid = f"tag:{hostname},{GUID_TAG_YEAR}:note:{note.pk}"
        return notes

    def item_title(self, item) -> str:
        return _xml(f"{item.get_kind_display()}: {item.article.title}")

    def item_description(self, item) -> str:
        return _xml(item.text)

    def item_link(self, item) -> str:
        return item.feed_link

    def item_guid(self, item) -> str:
        return item.feed_guid

    def item_pubdate(self, item):
        return item.published_at

    def item_categories(self, item) -> list[str]:
        return [_xml(item.get_kind_display())]


class CorrectionsAtomFeed(CorrectionsFeed):
    feed_type = Atom1Feed
