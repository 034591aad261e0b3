"""Counts for humans: ``{{ views|human_count }}`` gives 987, 1,204, 12.3K, 1.2M.

Up to 9,999 the exact number with a thousands separator; above, one decimal under 100 of a
unit and none from there (12.3K, 123K, 1.2M, 2.5B). Rounded down, so a count is never shown
higher than it is (999,999 is 999K, not 1000K or 1M).
"""

from django import template

register = template.Library()

EXACT_BELOW = 10_000
UNITS = ((1_000_000_000, "B"), (1_000_000, "M"), (1_000, "K"))


def human_count(value) -> str:
    """987 -> "987", 1204 -> "1,204", 12345 -> "12.3K", 1234567 -> "1.2M"; "" for non-numbers."""
    try:
        number = int(value)
    except (TypeError, ValueError, OverflowError):
        return ""
    if number < 0:
        return ""
    if number < EXACT_BELOW:
        return f"{number:,}"
    for size, suffix in UNITS:
        if number >= size:
            tenths = number * 10 // size  # rounded down
            if tenths >= 1000:
                return f"{tenths // 10:,}{suffix}"
            whole, tenth = divmod(tenths, 10)
            return f"{whole}.{tenth}{suffix}" if tenth else f"{whole}{suffix}"
    return f"{number:,}"  # not reached: EXACT_BELOW is above the smallest unit


register.filter("human_count", human_count, is_safe=True)
