"""Numbers, counts and dates for the page's language (the active Django language), through
Babel's copy of the Unicode CLDR: no hand-written tables of month names or unit letters.

- ``format_number(1204)``: "1,204" in English and Korean; in a locale whose numbering system
  is not Latin digits (``ar-eg``), "١٬٢٠٤".
- ``format_count(12345)``: the short form readers see for views: exact up to 9,999, then
  the locale's compact form, "12.3K", "1.2만", "12.3 ألف", rounded down (a count is never
  shown higher than it is).
- ``format_day`` / ``format_moment``: a date, a date with its time and zone. English keeps
  Django's AP-style months ("Oct. 27, 2024"), the newsroom's house style and what every
  existing page shows; other languages get CLDR's long date ("2024년 10월 27일").

Everything is read from the active language, so what a page shows follows
``translation.override`` in tests and ``GAZETTE_LANGUAGE`` in a deployment.
"""

from __future__ import annotations

import decimal
import unicodedata
from datetime import date, datetime
from functools import cache, lru_cache

from babel import Locale, UnknownLocaleError
from babel.dates import format_date as babel_format_date
from babel.dates import format_skeleton
from babel.numbers import format_compact_decimal, format_decimal
from django.utils import formats, translation

EXACT_BELOW = 10_000  # counts below this are shown whole: 9,999 is more use than "10K"
# Unicode's names of the digits of CLDR numbering systems other than Latin; a system not
# named here is written in Latin digits (still correct, only not the locale's preference).
_DIGIT_NAMES = {
    "arab": "ARABIC-INDIC DIGIT",
    "arabext": "EXTENDED ARABIC-INDIC DIGIT",
    "beng": "BENGALI DIGIT",
    "deva": "DEVANAGARI DIGIT",
    "mymr": "MYANMAR DIGIT",
}
_DIGIT_WORDS = ("ZERO", "ONE", "TWO", "THREE", "FOUR", "FIVE", "SIX", "SEVEN", "EIGHT", "NINE")


@cache
def _locale(language_code: str) -> Locale:
    try:
        return Locale.parse(translation.to_locale(language_code))
    except (UnknownLocaleError, ValueError):
        return Locale.parse("en")


def current_locale() -> Locale:
    """Babel's locale for the active language (English when none is active)."""
    return _locale(translation.get_language() or "en")


def is_english(locale: Locale | None = None) -> bool:
    return (locale or current_locale()).language == "en"


@cache
def digits(language_code: str) -> str:
    """The ten digits the language writes numbers with: "0123456789" or "٠١٢٣٤٥٦٧٨٩"."""
    system = _locale(language_code).default_numbering_system
    name = _DIGIT_NAMES.get(system)
    if name is None:
        return "0123456789"
    return "".join(unicodedata.lookup(f"{name} {word}") for word in _DIGIT_WORDS)


def current_digits() -> str:
    return digits(translation.get_language() or "en")


def _native_digits(text: str, language_code: str | None = None) -> str:
    own = digits(language_code) if language_code else current_digits()
    if own == "0123456789":
        return text
    return text.translate(str.maketrans("0123456789", own))


def format_number(value) -> str:
    """A whole number with the locale's grouping and digits; "" for what is not one."""
    number = _whole(value)
    if number is None:
        return ""
    return _number_text(number, translation.get_language() or "en")


def format_count(value) -> str:
    """987 -> "987", 1204 -> "1,204", 12345 -> "12.3K", 1234567 -> "1.2M" in English; the
    locale's own units elsewhere (12345 -> "1.2만" in Korean); "" for non-numbers."""
    number = _whole(value)
    if number is None or number < 0:
        return ""
    return _count_text(number, translation.get_language() or "en")


# Babel works a number's text out afresh on every call (10-30 µs on a quiet core: the view
# count of every uncached article page), and a number in a language always gives the same
# text: the texts last shown are kept, a few thousand per process at most.
@lru_cache(maxsize=4096)
def _number_text(number: int, language_code: str) -> str:
    locale = _locale(language_code)
    text = format_decimal(number, locale=locale, numbering_system="default")
    return _native_digits(text, language_code)


@lru_cache(maxsize=4096)
def _count_text(number: int, language_code: str) -> str:
    if number < EXACT_BELOW:
        return _number_text(number, language_code)
    locale = _locale(language_code)
    divisor = _compact_divisor(number, locale)
    if divisor is None:
        return _number_text(number, language_code)
    # One decimal under 100 of the unit, none from there (12.3K, 123K); cut, never rounded
    # up, so that Babel has nothing left to round.
    scaled = decimal.Decimal(number) / divisor
    places = 1 if scaled < 100 else 0
    step = decimal.Decimal(1).scaleb(-places)
    shown = scaled.quantize(step, rounding=decimal.ROUND_DOWN) * divisor
    text = format_compact_decimal(
        shown, locale=locale, fraction_digits=places, numbering_system="default"
    )
    return _native_digits(text, language_code)


def _compact_divisor(number: int, locale: Locale) -> int | None:
    """What CLDR's short compact pattern for ``number`` divides it by (1000 for "12K"), as
    Babel works it out; None when the locale writes the number whole."""
    patterns = locale.compact_decimal_formats.get("short", {}).get("other", {})
    for magnitude in sorted((int(m) for m in patterns), reverse=True):
        if number < magnitude:
            continue
        pattern = patterns[str(magnitude)].pattern
        if pattern == "0":
            return None
        return magnitude // (10 ** (pattern.count("0") - 1))
    return None


def _whole(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError, OverflowError):
        return None


def format_day(value: date | datetime) -> str:
    """The date of a story card: "Oct. 27, 2024" (English), "2024년 10월 27일"."""
    locale = current_locale()
    if is_english(locale):
        return formats.date_format(value, "N j, Y")
    return _native_digits(babel_format_date(value, "long", locale=locale))


def format_month(value: date | datetime) -> str:
    """A month and its year: "February 2025", "2025년 2월", "فبراير 2025"."""
    locale = current_locale()
    if is_english(locale):
        return formats.date_format(value, "F Y")
    return _native_digits(format_skeleton("yMMMM", value, locale=locale))


def format_moment(value: datetime, zone_name: str) -> str:
    """A date and a time with the zone's name: "Oct. 27, 2024, 01:30 BST" (English),
    "2024년 10월 27일 01:30 BST". ``value`` is already in the zone."""
    locale = current_locale()
    if is_english(locale):
        return f"{formats.date_format(value, 'N j, Y, H:i')} {zone_name}"
    day = babel_format_date(value, "long", locale=locale)
    # CLDR's pattern for joining a date and a time, "{1}, {0}" or "{1} {0}".
    joined = str(locale.datetime_formats.get("long", "{1} {0}"))
    joined = joined.replace("'", "")
    text = joined.format(f"{value:%H:%M} {zone_name}", day)
    return _native_digits(text)
