"""The links of an article body, read from its stored blocks (the rich text as Wagtail keeps
it, with internal links as ``<a linktype="page" id="3">``), and the ones no reader can follow:
to a page that is not live, to the admin, to localhost."""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from html.parser import HTMLParser
from urllib.parse import urlsplit

from django.conf import settings
from wagtail.models import Page, Site

from gazette.news.text import body_blocks

ADMIN_PATHS = ("/admin", "/django-admin")
LOCAL_NAMES = {"localhost", "localhost.localdomain", "ip6-localhost", "ip6-loopback"}


@dataclass(frozen=True)
class Link:
    href: str = ""  # an address typed by the editor
    page_id: int | None = None  # a link chosen in Wagtail's page chooser


class _LinkParser(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.links: list[Link] = []

    def handle_starttag(self, tag, attrs):
        if tag != "a":
            return
        attributes = dict(attrs)
        if attributes.get("linktype") == "page":
            raw = attributes.get("id") or ""
            self.links.append(Link(page_id=int(raw) if raw.isdigit() else None))
        elif attributes.get("href"):
            self.links.append(Link(href=attributes["href"].strip()))


def body_links(body) -> list[Link]:
    """Every link of the body's paragraphs, and the addresses of its embeds, in order."""
    links: list[Link] = []
    for block in body_blocks(body):
        kind, value = block.get("type"), block.get("value")
        if kind == "paragraph":
            parser = _LinkParser()
            parser.feed(str(value or ""))
            links.extend(parser.links)
        elif kind == "embed" and value:
            links.append(Link(href=str(value)))
    return links


def is_local(href: str) -> bool:
    host = (urlsplit(href).hostname or "").lower()
    if host in LOCAL_NAMES or host.endswith(".localhost"):
        return True
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    return address.is_loopback or address.is_unspecified


def _our_hosts() -> set[str]:
    hosts = {urlsplit(settings.WAGTAILADMIN_BASE_URL).hostname or ""}
    hosts |= {host.lower() for host in settings.ALLOWED_HOSTS if "*" not in host}
    hosts |= {host.lower() for host in Site.objects.values_list("hostname", flat=True)}
    return {host.strip("[]").lstrip(".") for host in hosts if host}


def is_admin(href: str, our_hosts: set[str]) -> bool:
    """A link into the admin: its path, on this site or with no host (relative)."""
    parts = urlsplit(href)
    if parts.scheme and parts.scheme not in ("http", "https"):
        return False
    host = (parts.hostname or "").lower()
    if host and host not in our_hosts:
        return False
    path = parts.path or ""
    return any(path == prefix or path.startswith(prefix + "/") for prefix in ADMIN_PATHS)


@dataclass(frozen=True)
class BadLink:
    kind: str  # "draft", "missing", "admin", "local"
    shown_as: str  # the address, or the title of the page linked to


def bad_links(body) -> list[BadLink]:
    """The links readers cannot follow, in body order: two queries at most (the pages linked
    to, the site's host names), none for a body without links."""
    links = body_links(body)
    page_ids = {link.page_id for link in links if link.page_id is not None}
    pages = (
        {
            row["pk"]: row
            for row in Page.objects.filter(pk__in=page_ids).values("pk", "title", "live")
        }
        if page_ids
        else {}
    )
    hosts = _our_hosts() if any(link.href for link in links) else set()
    found = []
    for link in links:
        if not link.href:  # chosen in the page chooser
            page = pages.get(link.page_id)
            if page is None:
                found.append(BadLink("missing", "a page that no longer exists"))
            elif not page["live"]:
                found.append(BadLink("draft", page["title"]))
        elif is_local(link.href):
            found.append(BadLink("local", link.href))
        elif is_admin(link.href, hosts):
            found.append(BadLink("admin", link.href))
    return found
