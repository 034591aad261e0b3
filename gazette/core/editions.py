"""Second-language editions: one site, a home page per language.

An edition is a translation of the site's home page (Wagtail's locales, ``translation_key``)
with its own sections and articles under it, served under its language's prefix (``/ko/...``);
the site's own language (``LANGUAGE_CODE``) keeps its addresses unprefixed. The language of a
reader page comes from its address alone (``EditionLanguageMiddleware``), never from
Accept-Language or a cookie, so the shared page cache stays keyed by URL and needs no vary.
Everything per edition (the menu, Must-Reads, listings, feeds) follows the active language.
"""

from __future__ import annotations

from django.conf import settings
from django.http import Http404
from django.urls import LocalePrefixPattern, URLResolver
from django.utils import translation

from .generational import GenerationalCache
from .shared_parts import SHARED_PARTS_SECONDS

# Apart from the shared parts: those are retired by every page change, the locales only by a
# change of a Locale.
LOCALES = GenerationalCache("locales", timeout=SHARED_PARTS_SECONDS)
LOCALE_IDS = "ids"


def content_language(language_code: str | None) -> str:
    """The content language (a WAGTAIL_CONTENT_LANGUAGES code) of a language code."""
    from wagtail.coreutils import get_supported_content_language_variant

    try:
        return get_supported_content_language_variant(language_code or settings.LANGUAGE_CODE)
    except LookupError:
        return get_supported_content_language_variant(settings.LANGUAGE_CODE)


def active_language() -> str:
    return content_language(translation.get_language())


def default_language() -> str:
    return content_language(settings.LANGUAGE_CODE)


def url_language(content_code: str) -> str:
    """The language to activate for an edition's addresses: the site's own for its own
    edition (unprefixed), the content language otherwise."""
    return settings.LANGUAGE_CODE if content_code == default_language() else content_code


def locale_ids(request=None) -> dict[str, int]:
    """Every Locale's id by its language code, from the shared parts (no query per page)."""
    from wagtail.models import Locale

    return LOCALES.get(
        LOCALE_IDS, lambda: dict(Locale.objects.values_list("language_code", "pk")), request=request
    )


def locale_id_of_language(code: str, request=None) -> int | None:
    """The Locale a language code names ("ko", "KO", "ko-KR": the Korean one), None for a
    language the site has no content in: a client's code, never the site's fallback."""
    from wagtail.coreutils import get_supported_content_language_variant

    try:
        content = get_supported_content_language_variant(code.lower())
    except LookupError:
        return None
    return locale_ids(request).get(content)


def active_locale_id(request=None) -> int | None:
    ids = locale_ids(request)
    return ids.get(active_language()) or ids.get(default_language())


def language_of_locale(locale_id: int | None, request=None) -> str:
    """The content language of a Locale (the site's own for None or an unknown one)."""
    code = next((c for c, pk in locale_ids(request).items() if pk == locale_id), None)
    return code or default_language()


def addresses_of(locale_id: int | None, request=None):
    """A context in which reverse() gives the addresses of ``locale_id``'s edition (/ko/...
    for Korean, unprefixed for the site's own): for work outside a request, e.g. a purge.
    ``request``: one that has read the locales already (no second cache read)."""
    return translation.override(url_language(language_of_locale(locale_id, request)))


def edition_root(site):
    """The home page of the active language's edition of ``site``: its root page or the
    root's live translation (its own root when there is none)."""
    root = site.root_page
    locale_id = active_locale_id()
    if locale_id is None or locale_id == root.locale_id:
        return root
    from wagtail.models import Page

    translation_of_root = (
        Page.objects.live()
        .filter(translation_key=root.translation_key, locale_id=locale_id)
        .first()
    )
    return translation_of_root or root


class EditionPrefixPattern(LocalePrefixPattern):
    """Django's language prefix, with every variant of the site's language unprefixed
    (LANGUAGE_CODE "en-us" and the "en" locale alike)."""

    @property
    def language_prefix(self):
        language_code = translation.get_language() or settings.LANGUAGE_CODE
        if (
            not self.prefix_default_language
            and content_language(language_code) == default_language()
        ):
            return ""
        return f"{language_code}/"


def edition_patterns(*urls) -> list[URLResolver]:
    """i18n_patterns(..., prefix_default_language=False) with EditionPrefixPattern."""
    return [URLResolver(EditionPrefixPattern(prefix_default_language=False), list(urls))]


class EditionLanguageMiddleware:
    """Activates the language of the address's prefix (/ko/...), else the site's language."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        language = translation.get_language_from_path(request.path_info)
        if language is None or content_language(language) == default_language():
            language = settings.LANGUAGE_CODE
        request.LANGUAGE_CODE = language
        with translation.override(language):
            # /ar/... on a site with no Arabic edition: not a page (else every English page
            # would answer again under /ar/, in Arabic clothes).
            if language != settings.LANGUAGE_CODE and language not in edition_languages(request):
                raise Http404("This site has no edition in this language.")
            return self.get_response(request)


def edition_languages(request) -> frozenset[str]:
    """The content languages with a live edition: the site's own, and those of the live
    translations of a site's home page (any site's: one query, cached in the shared parts;
    Site.find_for_request here would leave the request a site without the routing's
    edition roots, gazette.news.routing)."""
    from wagtail.models import Page, Site

    own = frozenset({default_language()})
    if len(locale_ids(request)) < 2:
        return own

    def build() -> frozenset[str]:
        roots = Site.objects.values("root_page__translation_key")
        found = Page.objects.live().filter(translation_key__in=roots)
        language_of = {pk: code for code, pk in locale_ids(request).items()}
        locales = found.values_list("locale_id", flat=True).distinct()
        return own | {language_of[pk] for pk in locales if pk in language_of}

    from . import shared_parts

    return shared_parts.shared(request, "edition-languages", build)


def each_edition(request=None):
    """Each live edition's content language, the site's own first, with that edition's
    language active while the loop's body runs (its queries and reverse() are that
    edition's): for what lists every edition at once, e.g. a sitemap."""
    languages = sorted(edition_languages(request), key=lambda c: (c != default_language(), c))
    for code in languages:
        with translation.override(url_language(code)):
            yield code


def retire_on_locale_change(sender, **kwargs) -> None:
    from . import shared_parts

    LOCALES.retire()
    shared_parts.retire()


class Alternate:
    """One language edition of a page, for hreflang and the language switcher."""

    def __init__(
        self, language_code: str, name: str, url: str, path: str, *, is_current: bool, is_page: bool
    ):
        self.language_code = language_code
        self.name = name
        self.url = url  # absolute, for hreflang
        self.path = path  # as the page's own links: the switcher's
        self.is_current = is_current
        self.is_page = is_page  # the page's own translation, not the edition's home page


def language_name(content_code: str) -> str:
    return dict(settings.WAGTAIL_CONTENT_LANGUAGES).get(content_code, content_code)


def edition_url(page, request=None, *, full: bool = False) -> str | None:
    """The page's address in its own edition's language (prefixed unless the site's own)."""
    with translation.override(url_language(language_of_locale(page.locale_id, request))):
        return page.get_full_url(request) if full else page.get_url(request)


def alternates(request, page) -> PageEditions:
    """Every live edition of ``page``: its live translations, and for a language it has none
    in, that edition's home page. Empty on a one-language site (and then no query); else one
    query for the page's and the home page's translations."""
    ids = locale_ids(request)
    if len(ids) < 2 or page is None or not getattr(page, "translation_key", None):
        return PageEditions()
    from wagtail.models import Page, Site

    site = Site.find_for_request(request)
    if site is None:
        return PageEditions()
    root_key = site.root_page.translation_key
    found = Page.objects.live().filter(translation_key__in={page.translation_key, root_key})
    translations, homes = {}, {}
    for candidate in found.only("id", "url_path", "translation_key", "locale_id", "path"):
        kind = translations if candidate.translation_key == page.translation_key else homes
        kind[candidate.locale_id] = candidate
        if candidate.translation_key == root_key:
            homes[candidate.locale_id] = candidate
    language_of = {pk: code for code, pk in ids.items()}
    shown = []
    for locale_id, home in sorted(homes.items(), key=lambda item: item[0]):
        code = language_of.get(locale_id)
        if code is None:
            continue
        target = translations.get(locale_id)
        url = edition_url(target or home, request, full=True)
        if url:
            shown.append(
                Alternate(
                    code,
                    language_name(code),
                    url,
                    edition_url(target or home, request) or url,
                    is_current=locale_id == page.locale_id,
                    is_page=target is not None,
                )
            )
    # The site's own edition first, then by language code: the same order on every page.
    shown.sort(key=lambda alt: (alt.language_code != default_language(), alt.language_code))
    return PageEditions(shown) if len(shown) > 1 else PageEditions()


class PageEditions(list):
    """The switcher's links; ``hreflang``: those that are the page itself, when it has more
    than one language (an edition's home page stands in for no translation)."""

    @property
    def hreflang(self) -> list[Alternate]:
        pages = [alternate for alternate in self if alternate.is_page]
        return pages if len(pages) > 1 else []
