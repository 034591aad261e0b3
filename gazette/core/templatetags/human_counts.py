"""Counts for humans: ``{{ views|human_count }}`` gives 987, 1,204, 12.3K, 1.2M in English,
the page language's own short forms elsewhere (gazette.core.l10n).

Up to 9,999 the exact number with a thousands separator; above, one decimal under 100 of a
unit and none from there (12.3K, 123K, 1.2M, 2.5B). Rounded down, so a count is never shown
higher than it is (999,999 is 999K, not 1000K or 1M).
"""

from django import template

from gazette.core.l10n import format_count, format_number

register = template.Library()


def human_count(value) -> str:
    """987 -> "987", 1204 -> "1,204", 12345 -> "12.3K", 1234567 -> "1.2M"; "" for non-numbers."""
    return format_count(value)


register.filter("human_count", human_count, is_safe=True)
register.filter("local_number", format_number, is_safe=True)
