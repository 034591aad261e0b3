"""A second-language edition for the demo: the home page, its sections and its stories copied
into another locale (Wagtail's copy_for_translation) and published, for an editor to
translate. The copies keep the original words: no machine translation."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction
from wagtail.models import Locale, Site

from gazette.core.editions import retire_on_locale_change
from gazette.news.models import ArticlePage, SectionPage


@dataclass(frozen=True)
class EditionMade:
    language_code: str
    copied: int
    already_there: int


def make_edition(language_code: str, *, site: Site | None = None) -> EditionMade:
    """Copy the site's home page, live sections and live stories into ``language_code``'s
    locale and publish them; pages already translated are left as they are (run it again
    safely). One transaction per page, as imports are."""
    site = site or Site.objects.get(is_default_site=True)
    root = site.root_page.specific
    locale, created = Locale.objects.get_or_create(language_code=language_code)
    if created:
        retire_on_locale_change(sender=Locale)
    if root.locale_id == locale.pk:
        raise ValueError(f"{language_code} is the site's own language: it has no other edition")
    copied = already_there = 0
    sections = SectionPage.objects.live().descendant_of(root).order_by("path")
    articles = ArticlePage.objects.live().public().descendant_of(root).order_by("path")
    for page in [root, *sections.specific(), *articles.specific()]:
        if page.get_translation_or_none(locale) is not None:
            already_there += 1
            continue
        with transaction.atomic():
            copy = page.copy_for_translation(locale, copy_parents=True)
            copy.save_revision().publish()
        copied += 1
    return EditionMade(language_code, copied, already_there)
