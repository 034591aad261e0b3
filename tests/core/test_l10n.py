"""Numbers, counts and dates in the page's language (gazette.core.l10n), from CLDR: English
keeps its house style, Korean and Arabic get their own units, month names and digits."""

from datetime import date, datetime

import pytest
from django.utils import translation

from gazette.core import l10n


@pytest.mark.parametrize(
    ("language", "counts"),
    [
        ("en", ["987", "1,204", "12.3K", "123K", "999K", "1.2M", "2.5B"]),
        ("ko", ["987", "1,204", "1.2만", "12.3만", "99.9만", "123만", "25억"]),
        (
            "ar",
            [
                "987",
                "1,204",
                "12.3\xa0ألف",
                "123\xa0ألف",
                "999\xa0ألف",
                "1.2\xa0مليون",
                "2.5\xa0مليار",
            ],
        ),
        (
            "ar-eg",
            [
                "٩٨٧",
                "١٬٢٠٤",
                "١٢٫٣\xa0ألف",
                "١٢٣\xa0ألف",
                "٩٩٩\xa0ألف",
                "١٫٢\xa0مليون",
                "٢٫٥\xa0مليار",
            ],
        ),
    ],
)
def test_counts_in_the_languages_own_short_forms_never_rounded_up(language, counts):
    numbers = [987, 1204, 12_345, 123_456, 999_999, 1_234_567, 2_500_000_000]
    with translation.override(language):
        assert [l10n.format_count(number) for number in numbers] == counts
        assert l10n.format_count("many") == l10n.format_count(-1) == ""


def test_korean_counts_below_ten_thousand_are_exact_and_cut_in_its_own_unit():
    with translation.override("ko"):
        assert l10n.format_count(9_999) == "9,999"
        assert l10n.format_count(19_999) == "1.9만"  # not "2만": a count is never shown higher


def test_a_count_kept_in_one_language_is_not_shown_in_another():
    # The texts are kept per number and language (l10n._count_text): the same number in
    # turn, each language gets its own.
    shown = []
    for language in ("en", "ar-eg", "ko", "en", "ar-eg"):
        with translation.override(language):
            shown.append((l10n.format_count(12_345), l10n.format_number(1204)))
    assert shown == [
        ("12.3K", "1,204"),
        ("١٢٫٣\xa0ألف", "١٬٢٠٤"),
        ("1.2만", "1,204"),
        ("12.3K", "1,204"),
        ("١٢٫٣\xa0ألف", "١٬٢٠٤"),
    ]


@pytest.mark.parametrize(
    ("language", "day", "moment", "month"),
    [
        ("en", "Oct. 27, 2024", "Oct. 27, 2024, 01:30 BST", "October 2024"),
        ("ko", "2024년 10월 27일", "2024년 10월 27일 01:30 BST", "2024년 10월"),
        ("ar", "27 أكتوبر 2024", "27 أكتوبر 2024، 01:30 BST", "أكتوبر 2024"),
        ("ar-eg", "٢٧ أكتوبر ٢٠٢٤", "٢٧ أكتوبر ٢٠٢٤، ٠١:٣٠ BST", "أكتوبر ٢٠٢٤"),
    ],
)
def test_dates_in_the_languages_own_words(language, day, moment, month):
    with translation.override(language):
        assert l10n.format_day(date(2024, 10, 27)) == day
        assert l10n.format_moment(datetime(2024, 10, 27, 1, 30), "BST") == moment
        assert l10n.format_month(date(2024, 10, 1)) == month


def test_digits_follow_the_locales_numbering_system():
    assert l10n.digits("en") == l10n.digits("ko") == l10n.digits("ar") == "0123456789"
    assert l10n.digits("ar-eg") == "٠١٢٣٤٥٦٧٨٩"
