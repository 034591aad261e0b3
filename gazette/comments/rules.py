"""The rules a comment meets: its length, the words and links that hold it for review, the repeat
check, the signed form stamp, the reader's anonymous identity and the rate limits.

Everything here but the rate limit is a pure function of its arguments. comments.js mirrors
``normalise_text`` and ``char_count`` so that the counter a reader sees and the server agree.
"""

from __future__ import annotations

import hashlib
import ipaddress
import logging
import re
import time
import unicodedata
from collections.abc import Iterable

import nh3
from django.conf import settings
from django.core import signing
from django.core.cache import caches
from django.http import HttpRequest
from django.utils.crypto import salted_hmac
from django.utils.html import escape, urlize
from django.utils.safestring import SafeString, mark_safe
from django_ratelimit import ALL
from django_ratelimit import core as ratelimit_core
from django_ratelimit.core import get_usage
from django_redis.cache import RedisCache
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)

# --- text ------------------------------------------------------------------------------------

# Control characters (but newline and tab), bidirectional overrides and isolates (they can make
# a comment read differently from what it says), and invisible characters that only serve to
# hide words from the rules. comments.js removes exactly the same set.
_UNWANTED = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u00ad\u200b\u202a-\u202e\u2060\u2066-\u2069\ufeff]"
)
_NEWLINES = re.compile("\r\n|[\r\u2028\u2029]")
_SPACE = "[\t \u00a0\u1680\u2000-\u200a\u202f\u205f\u3000]"
_TRAILING_SPACE = re.compile(f"{_SPACE}+$", re.MULTILINE)
_BLANK_LINES = re.compile("\n{3,}")
_EDGES = re.compile(f"^[{_SPACE[1:-1]}\n]+|[{_SPACE[1:-1]}\n]+$")


def normalise_text(raw: str) -> str:
    """What is stored and counted: newlines unified, unwanted characters removed, spaces at the
    ends of lines and of the text trimmed, runs of blank lines collapsed into one."""
    text = _UNWANTED.sub("", _NEWLINES.sub("\n", raw))
    text = _TRAILING_SPACE.sub("", text)
    return _EDGES.sub("", _BLANK_LINES.sub("\n\n", text))


def normalise_name(raw: str) -> str:
    return " ".join(_UNWANTED.sub("", raw).split())


def char_count(text: str) -> int:
    """Unicode code points: an emoji is one, 'é' written as e + accent is two, in both places."""
    return len(text)


def fold(text: str) -> str:
    """Case, accents and compatibility forms folded away: 'Ｃafé' -> 'cafe'."""
    if text.isascii():  # most comments: nothing to decompose, no accent, no joiner
        return text.casefold()
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return stripped.casefold().replace("\u200c", "").replace("\u200d", "")


_WORD = re.compile(r"\w+")


def words(text: str) -> list[str]:
    return _WORD.findall(fold(text))


def watched_words_in(text: str, watched: Iterable[str]) -> list[str]:
    """The watched words or phrases the text contains as whole words."""
    haystack = f" {' '.join(words(text))} "
    found = []
    for entry in watched:
        needle = " ".join(words(entry))
        if needle and f" {needle} " in haystack:
            found.append(entry)
    return found


_LINK = re.compile(
    r"(?:[a-z][a-z0-9+.-]*://|www\.|\b[a-z0-9-]+(?:\.[a-z0-9-]+)*"
    r"\.(?:com|net|org|info|biz|io|co|ru|cn|xyz|top|online|site|shop|app|me|ly|cc|tk|link|click)"
    r"\b)",
)


def has_link(text: str) -> bool:
    return bool(_LINK.search(fold(text)))


def fingerprint(text: str) -> str:
    """Equal for texts that differ only in case, accents, spacing or punctuation."""
    basis = " ".join(words(text)) or " ".join(fold(text).split())
    return hashlib.sha256(basis.encode()).hexdigest()


# --- output ----------------------------------------------------------------------------------

_LINK_REL = "nofollow ugc noopener"


def comment_html(text: str, *, links: bool) -> SafeString:
    """A comment as HTML: escaped, line breaks kept. With ``links``, web addresses become
    links that a sanitiser (nh3) reduces to http(s) hrefs marked nofollow ugc."""
    if links:
        linked = urlize(text, nofollow=True, autoescape=True)
        html = nh3.clean(
            linked,
            tags={"a"},
            attributes={"a": {"href"}},
            url_schemes={"http", "https"},
            link_rel=_LINK_REL,
        )
    else:
        html = escape(text)
    return mark_safe(html.replace("\n", "<br>"))  # noqa: S308 - escaped or sanitised above


# --- who is posting --------------------------------------------------------------------------


def client_hash(address: str) -> str:
    """A salted hash of the reader's network: IPv4 address, or IPv6 /64 (one household or
    phone rotates addresses inside it). The address itself is never stored."""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        basis = address or "unknown"
    else:
        if ip.version == 6 and ip.ipv4_mapped is not None:
            ip = ip.ipv4_mapped
        network = ipaddress.ip_network(f"{ip}/64", strict=False) if ip.version == 6 else ip
        basis = str(network)
    return salted_hmac("gazette.comments.client", basis, algorithm="sha256").hexdigest()


# --- the form stamp --------------------------------------------------------------------------

_STAMP_SALT = "gazette.comments.form-stamp"


def make_stamp(article_id: int, now: float | None = None) -> str:
    """When the form was served, signed. The article page is shared by every reader of a cached
    copy, so this is the time the page was rendered: never later than the reader saw it."""
    served = int(time.time() if now is None else now)
    return signing.Signer(salt=_STAMP_SALT).sign(f"{article_id}:{served}")


def stamp_age(stamp: str, article_id: int, now: float | None = None) -> float | None:
    """Seconds since the stamp was made for this article, None when it is missing or forged."""
    try:
        value = signing.Signer(salt=_STAMP_SALT).unsign(stamp or "")
        stamped_for, served = value.split(":")
        if int(stamped_for) != article_id:
            return None
        return (time.time() if now is None else now) - int(served)
    except (signing.BadSignature, ValueError):
        return None


# --- rate limits -----------------------------------------------------------------------------


def rate_limited(request: HttpRequest, *, group: str, client: str, limits: Iterable[str]) -> bool:
    """Count one attempt of this client against every limit ("3/m", "20/h"); True when any is
    exceeded. Counts live in Django's default cache (Redis in production, shared by every app
    process), under django-ratelimit's keys and windows. On Redis all the limits are counted
    in one round trip (django-ratelimit's ``get_usage`` takes two per limit: an add, then an
    increment); on another cache, by ``get_usage``."""
    rates = list(limits)
    if not rates or not getattr(settings, "RATELIMIT_ENABLE", True):
        return False
    counts = caches[getattr(settings, "RATELIMIT_USE_CACHE", "default")]
    if isinstance(counts, RedisCache):
        return _redis_rate_limited(counts, group, client, rates)
    limited = False
    for rate in rates:
        usage = get_usage(
            request, group=group, key=lambda _group, _request: client, rate=rate, increment=True
        )
        limited = limited or bool(usage and usage["should_limit"])
    return limited


def _redis_rate_limited(counts: RedisCache, group: str, client: str, rates: list[str]) -> bool:
    # get_usage's keys (method ALL), so that both ways count alike. INCR starts a missing
    # count at 1 as get_usage's add does; EXPIRE NX gives it get_usage's lifetime, once.
    pipeline = counts.client.get_client(write=True).pipeline(transaction=False)
    counted = []
    for rate in rates:
        limit, period = ratelimit_core._split_rate(rate)
        window = ratelimit_core._get_window(client, period)
        key = counts.make_key(ratelimit_core._make_cache_key(group, window, rate, client, ALL))
        pipeline.incr(key)
        pipeline.expire(key, period + ratelimit_core.EXPIRATION_FUDGE, nx=True)
        counted.append(limit)
    try:
        answers = pipeline.execute()
    except RedisError:
        # As django-ratelimit with RATELIMIT_FAIL_OPEN (a cache outage must not stop comments).
        logger.warning("Rate limit not counted: Redis did not answer", exc_info=True)
        return not getattr(settings, "RATELIMIT_FAIL_OPEN", False)
    return any(count > limit for count, limit in zip(answers[::2], counted, strict=True))
