"""The parts of reader pages that are the same for every reader: the section menu, Must-Reads,
the newest stories of each section, the site's identity and comment settings.

They are read from the database once per change instead of once per render: each is cached
in one generation (``gazette.core.generational``), retired by every change that could alter
one of them. ``gazette.news.lifecycle`` retires it when a page, a view restriction or a
curated list changes; this app when a site or a site setting is saved or deleted
(``retire_on_site_change``). On the one-process memory cache entries also expire after
``SHARED_PARTS_SECONDS``, so a change made by a management command or a worker shows within
that time there, and at once everywhere else.

An app owns its parts and reads them through a function of its own; a part that is the same
on every page of a site is a :class:`SitePart`, so a page can read all of them, whoever owns
them, in one cache round trip (``preload_site_parts``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from django.db.models import Model
from django.http import HttpRequest
from wagtail.models import Page, Site

from .generational import GenerationalCache, RedisRead, preload_together

SHARED_PARTS_SECONDS = 60

SHARED_PARTS = GenerationalCache("shared-parts", timeout=SHARED_PARTS_SECONDS)


def retire() -> None:
    """Forget every shared part: something they show may have changed."""
    SHARED_PARTS.retire()


def preload(request: HttpRequest | None, names: Iterable[str]) -> None:
    """Read these parts in one round trip, for the request's later reads."""
    SHARED_PARTS.preload(request, names)


def shared(
    request: HttpRequest | None,
    name: str,
    build: Callable[[], Any],
    *,
    keep_if: Callable[[Any], bool] | None = None,
    keep_as: Callable[[Any], Any] | None = None,
) -> Any:
    """The part called ``name``: cached, else built and cached (if ``keep_if(part)``, when
    given; as ``keep_as(part)``, when given). A request that must read its own writes
    (pinned to the primary after a write, gazette.core.db_routing) gets it built afresh: a
    reader of a lagging replica may have cached it under the new generation."""
    if getattr(request, "reads_own_writes", False):
        return build()
    return SHARED_PARTS.get(name, build, request=request, keep_if=keep_if, keep_as=keep_as)


class SitePart:
    """A part that is the same on every page of a site, built from the site alone (its menu,
    its settings). Every one made is known, so a page reads them all in one round trip."""

    _all: list[SitePart] = []

    def __init__(self, name: str, build: Callable[[Site | None], Any], *, preload: bool = True):
        """``preload=False``: not read with the others, only when asked for (a part that
        kept fragments show, read only when one of them is rendered again)."""
        self.name = name
        self.build = build
        self.preload = preload
        SitePart._all.append(self)

    def name_for(self, site: Site, language: str | None = None) -> str:
        # Per language edition too (gazette.core.editions): its menu is its own sections.
        if language is None:
            from .editions import active_language

            language = active_language()
        return f"{self.name}:{site.pk}:{language}"

    def get(self, request: HttpRequest) -> Any:
        """The part of the request's site (built uncached when no site answers the request)."""
        site = Site.find_for_request(request)
        if site is None:
            return self.build(None)
        return _with_site(shared(request, self.name_for(site), self._kept(site)), site)

    def get_for_site(self, site: Site) -> Any:
        """The part of ``site``, outside of a request (a task, the admin's defaults)."""
        return _with_site(shared(None, self.name_for(site), self._kept(site)), site)

    def _kept(self, site: Site) -> Callable[[], Any]:
        return lambda: _without_site(self.build(site))


# A site setting built for a site holds it (and the site its root page): kept without it, and
# given the site it was read for again, which is the same one (its part's name carries the
# site's id). Unpickling the site and its root page with each setting was ~0.1 ms a render.
def _without_site(part: Any) -> Any:
    if isinstance(part, Model):
        part._state.fields_cache.pop("site", None)
    return part


def _with_site(part: Any, site: Site) -> Any:
    if isinstance(part, Model) and getattr(part, "site_id", None) == site.pk:
        part._state.fields_cache["site"] = site
    return part


def site_part_names(site: Site) -> list[str]:
    from .editions import active_language

    language = active_language()
    return [part.name_for(site, language) for part in SitePart._all if part.preload]


# The pieces of base.html every reader page of a site shows alike (``{% shared_fragment %}``
# with no key but the site): read with the site's parts.
SITE_FRAGMENTS = ("site-skip-links", "site-search", "site-footer")
# The header's title and menu, kept per site and ``menu_mark`` of the page: what its menu marks
# as the current place (aria-current) depends on the page's section, or on the page itself.
HEADER_FRAGMENT = "site-header"


def menu_mark(page) -> str | None:
    """What of ``page`` the header's menu can mark as current, as a key of the header: an
    article's section (``page.menu_mark``, news's ArticlePage), else a page itself, "-" when
    there is no page. None (the header rendered afresh) for anything else called ``page``."""
    mark = getattr(page, "menu_mark", None)
    if mark is not None:
        return str(mark)
    if isinstance(page, Page):
        return f"page:{page.pk}"
    if getattr(page, "pk", None) is None and getattr(page, "section_id", None) is None:
        return "-"
    return None


def fragment_name(request: HttpRequest | None, name: str, *keys) -> str | None:
    """The part's name of a template fragment (``{% shared_fragment name *keys %}``, of
    ``gazette.core.templatetags.shared_fragments``) shown on the request's site, or ``None``
    when it is not kept: a preview, a key that is ``None``, a request no site answers."""
    if request is None or getattr(request, "is_preview", False) or any(k is None for k in keys):
        return None
    site = Site.find_for_request(request)
    if site is None:
        return None
    return _fragment_name_of(site, name, *keys)


def _fragment_name_of(site: Site, name: str, *keys) -> str:
    return ":".join(["fragment", name, str(site.pk), *map(str, keys)])


def names_of_site_parts(request: HttpRequest, site: Site) -> list[str]:
    """What ``preload_site_parts`` reads of ``site`` for ``request`` (the header aside): a
    view that can tell the site before it is read names them in that first round trip."""
    if getattr(request, "is_preview", False):
        return site_part_names(site)
    return [*site_part_names(site), *(_fragment_name_of(site, f) for f in SITE_FRAGMENTS)]


def preload_site_parts(
    request: HttpRequest,
    extra_names: Iterable[str] = (),
    *,
    page=None,
    others: Iterable[tuple[GenerationalCache, Iterable[str]]] = (),
    plain_keys: Iterable[str] = (),
    redis_reads: Iterable[RedisRead] = (),
) -> None:
    """Every site part of the request's site and its fragments (the header's as ``page``
    shows it, when given), and ``extra_names``, in one round trip; with entries of ``others``
    caches, ``plain_keys`` and ``redis_reads`` (``generational.preload_together``) when
    given."""
    site = Site.find_for_request(request)
    names = [*extra_names]
    if site is not None:
        names += names_of_site_parts(request, site)
        if page is not None:
            names.append(fragment_name(request, HEADER_FRAGMENT, menu_mark(page)))
    names = [name for name in names if name is not None]
    # And the locales, which every page's language links read (base.html's page_editions).
    from .editions import LOCALE_IDS, LOCALES

    wanted = [(SHARED_PARTS, names), (LOCALES, [LOCALE_IDS]), *others]
    preload_together(request, wanted, plain_keys, redis_reads)


def retire_on_site_change(sender, **kwargs) -> None:
    """A Site or a site setting saved or deleted (connected in CoreConfig.ready)."""
    retire()


def site_models() -> list[type]:
    """Wagtail's Site and every site setting model installed, whichever app defines it."""
    from django.apps import apps
    from wagtail.contrib.settings.models import BaseSiteSetting

    return [Site, *(m for m in apps.get_models() if issubclass(m, BaseSiteSetting))]
