"""Counts in words, with the plural right: "1 view", "2 views", "1,204 views"."""

from django.utils.translation import ngettext


def count_of(count: int, singular: str, plural: str) -> str:
    """``count`` with the noun that agrees with it, the number with thousands separators."""
    return ngettext("%(count)s " + singular, "%(count)s " + plural, count) % {"count": f"{count:,}"}
