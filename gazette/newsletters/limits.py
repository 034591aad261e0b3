"""Rate limits of the subscribe form, counted in the default cache (Redis in production, shared
by every app process) by django-ratelimit: per reader's network, and per address, so that
nobody can fill a stranger's inbox with confirmation e-mails."""

from __future__ import annotations

import ipaddress

from django.http import HttpRequest
from django.utils.crypto import salted_hmac
from django_ratelimit.core import get_usage

PER_CLIENT = ("5/m", "30/h")
PER_ADDRESS = ("3/h", "6/d")


def client_hash(address: str) -> str:
    """The reader's network (IPv4 address, IPv6 /64), salted and hashed; never stored."""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        basis = address or "unknown"
    else:
        if ip.version == 6 and ip.ipv4_mapped is not None:
            ip = ip.ipv4_mapped
        basis = str(ipaddress.ip_network(f"{ip}/64", strict=False) if ip.version == 6 else ip)
    return salted_hmac("gazette.newsletters.client", basis, algorithm="sha256").hexdigest()


def _limited(request: HttpRequest, group: str, key: str, rates) -> bool:
    limited = False
    for rate in rates:
        usage = get_usage(
            request, group=group, key=lambda _group, _request: key, rate=rate, increment=True
        )
        limited = limited or bool(usage and usage["should_limit"])
    return limited


def client_limited(request: HttpRequest, client: str) -> bool:
    return _limited(request, "newsletters.subscribe", client, PER_CLIENT)


def address_limited(request: HttpRequest, email: str) -> bool:
    key = salted_hmac("gazette.newsletters.address", email, algorithm="sha256").hexdigest()
    return _limited(request, "newsletters.address", key, PER_ADDRESS)
