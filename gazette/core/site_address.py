"""The address the site is served at, kept on Wagtail's Site record: every absolute URL
(canonical, og:url, JSON-LD, feeds, sitemaps, robots.txt) is built from its hostname and
port. A fresh install says http://localhost/; `make run` and `make stack` set the address
they serve at (build_demo_site --base-url), and production sets GAZETTE_BASE_URL, applied at
each migrate and by ``manage.py set_site_address``.

Wagtail derives the scheme from the port (443 is https, anything else http), so an https
address must be on port 443.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

from django.db import transaction
from wagtail.models import Site

DEFAULT_PORTS = {"http": 80, "https": 443}


class SiteAddressError(ValueError):
    pass


@dataclass(frozen=True)
class Address:
    scheme: str
    hostname: str
    port: int

    def __str__(self) -> str:
        default = DEFAULT_PORTS[self.scheme] == self.port
        return f"{self.scheme}://{self.hostname}{'' if default else f':{self.port}'}"


def parse_base_url(url: str) -> Address:
    """The address of a base URL such as https://news.example.org or http://127.0.0.1:8000,
    or SiteAddressError saying what is wrong with it."""
    parts = urlsplit(url.strip())
    if parts.scheme not in DEFAULT_PORTS or not parts.hostname:
        raise SiteAddressError(
            f"{url!r} is not a site address: give one like https://news.example.org or "
            "http://127.0.0.1:8000."
        )
    if parts.path.strip("/") or parts.query or parts.fragment:
        raise SiteAddressError(f"{url!r}: a site address has no path, query or fragment.")
    try:
        port = parts.port or DEFAULT_PORTS[parts.scheme]
    except ValueError:
        raise SiteAddressError(f"{url!r}: the port is not a number from 1 to 65535.") from None
    if parts.scheme == "https" and port != 443:
        raise SiteAddressError(
            f"{url!r}: Wagtail writes https addresses on port 443 only (any other port is "
            "written as http); serve https on 443."
        )
    if parts.scheme == "http" and port == 443:
        raise SiteAddressError(f"{url!r}: port 443 is https's; Wagtail would write https.")
    return Address(parts.scheme, parts.hostname.lower(), port)


def address_of_site(site: Site) -> Address:
    return Address("https" if site.port == 443 else "http", site.hostname.lower(), site.port)


def address_of_request(request) -> Address:
    scheme = "https" if request.is_secure() else "http"
    host = request.get_host()
    hostname, _, port = host.rpartition(":") if not host.endswith("]") else (host, "", "")
    if not hostname or not port.isdigit():
        hostname, port = host, ""
    return Address(scheme, hostname.lower(), int(port) if port else DEFAULT_PORTS[scheme])


@transaction.atomic
def set_site_address(base_url: str, *, site: Site | None = None) -> tuple[Site, bool]:
    """Point the site (the default one unless given) at ``base_url``. Returns the site and
    whether it changed. No site yet (before the home page is built): SiteAddressError."""
    address = parse_base_url(base_url)
    site = site or Site.objects.filter(is_default_site=True).first()
    if site is None:
        raise SiteAddressError("There is no default site yet to give an address to.")
    if (site.hostname, site.port) == (address.hostname, address.port):
        return site, False
    clash = Site.objects.filter(hostname=address.hostname, port=address.port).exclude(pk=site.pk)
    if clash.exists():
        raise SiteAddressError(f"Another site already has the address {address}.")
    site.hostname, site.port = address.hostname, address.port
    site.save(update_fields=["hostname", "port"])
    return site, True


def apply_base_url_setting(**kwargs) -> None:
    """After each migrate: GAZETTE_BASE_URL, when set, is the site's address (production's
    way of giving it). A wrong value stops the migrate with the reason."""
    from django.conf import settings
    from django.core.exceptions import ImproperlyConfigured

    if not settings.GAZETTE_BASE_URL or not Site.objects.filter(is_default_site=True).exists():
        return
    try:
        set_site_address(settings.GAZETTE_BASE_URL)
    except SiteAddressError as exc:
        raise ImproperlyConfigured(f"GAZETTE_BASE_URL: {exc}") from None
