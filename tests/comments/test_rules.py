"""The rules as pure functions: counting, normalising, words, links, repeats, stamps, hashes."""

import re
import time
from html.parser import HTMLParser

import pytest

from gazette.comments import rules


@pytest.mark.parametrize(
    ("text", "count"),
    [
        ("a" * 300, 300),
        ("😀" * 300, 300),  # astral plane: one code point each, two UTF-16 units
        ("e\u0301", 2),  # e + combining acute accent: two code points, as the browser counts
        ("é", 1),
        ("新聞の読者", 5),  # CJK
        ("👩‍👩‍👧", 5),  # a family emoji: four people/joiners... five code points in all
    ],
)
def test_char_count_is_code_points(text, count):
    assert rules.char_count(text) == count


def test_normalise_trims_and_collapses_blank_lines():
    raw = "  \r\n Hello,\r\n\r\n\r\n\r\nworld   \n\n\n\n  last line  \n\n "
    assert rules.normalise_text(raw) == "Hello,\n\nworld\n\n  last line"


def test_normalise_removes_controls_and_bidi_overrides_but_keeps_joiners():
    raw = "abc\u202egnp.exe\u2066x\u2069\x00\x07\u200b\ufeff 👩\u200d👩"
    assert rules.normalise_text(raw) == "abcgnp.exex 👩\u200d👩"


def test_normalise_name_collapses_spaces():
    assert rules.normalise_name("  Ada \n  Lovelace\u202e ") == "Ada Lovelace"


@pytest.mark.parametrize(
    ("text", "folded"),
    [
        ("Hello, World! 42", "hello, world! 42"),
        ("Ｃafé", "cafe"),
        ("ÀÉÎõü", "aeiou"),
        ("ﬁne Straße", "fine strasse"),
        ("a\u200cb\u200dc", "abc"),
        ("ΣΊΣΥΦΟΣ", "σισυφοσ"),
    ],
)
def test_fold_takes_case_accents_compatibility_forms_and_joiners_away(text, folded):
    assert rules.fold(text) == folded


def test_fold_of_ascii_is_its_lower_case():
    """ASCII takes a shorter way (no decomposition): the same answer for every character."""
    ascii_text = "".join(map(chr, range(128)))
    assert rules.fold(ascii_text) == ascii_text.lower()


def test_watched_words_are_whole_words_case_and_accent_insensitive():
    watched = ["cafe", "bad word", "spam"]
    assert rules.watched_words_in("Meet me at the CAFÉ", watched) == ["cafe"]
    assert rules.watched_words_in("Ｃａｆｅ tonight", watched) == ["cafe"]  # full-width
    assert rules.watched_words_in("a Bad   WORD here", watched) == ["bad word"]
    assert rules.watched_words_in("cafeteria and spammer", watched) == []
    assert rules.watched_words_in("nothing", []) == []


@pytest.mark.parametrize(
    "text",
    [
        "see https://example.org/x",
        "go to www.example.org",
        "visit cheap-pills.com today",
        "HTTP://EXAMPLE.NET",
        "ｗｗｗ．example．com",
    ],
)
def test_links_are_found(text):
    assert rules.has_link(text)


@pytest.mark.parametrize(
    "text", ["poor people..", "North Korea is the world's largest cult.", "e.g. this", "3.14"]
)
def test_plain_sentences_have_no_link(text):
    assert not rules.has_link(text)


def test_fingerprint_ignores_case_accents_spacing_punctuation():
    assert rules.fingerprint("Great  article!") == rules.fingerprint("great ARTICLE")
    assert rules.fingerprint("Café") == rules.fingerprint("cafe")
    assert rules.fingerprint("Great article") != rules.fingerprint("Great articles")


def test_stamp_round_trip_and_forgery():
    now = time.time()
    stamp = rules.make_stamp(7, now=now - 30)
    assert rules.stamp_age(stamp, 7, now=now) == pytest.approx(30, abs=1)
    assert rules.stamp_age(stamp, 8, now=now) is None  # made for another article
    assert rules.stamp_age(stamp.replace(":", ";", 1), 7) is None
    forged = re.sub(r":\d+:", f":{int(now) - 999}:", stamp)
    assert rules.stamp_age(forged, 7) is None
    assert rules.stamp_age("", 7) is None


def test_client_hash_never_contains_the_address_and_groups_ipv6_networks():
    one = rules.client_hash("203.0.113.9")
    assert "203.0.113.9" not in one and len(one) == 64
    assert one == rules.client_hash("203.0.113.9")
    assert one != rules.client_hash("203.0.113.10")
    assert one == rules.client_hash("::ffff:203.0.113.9")
    assert rules.client_hash("2001:db8:1:2::1") == rules.client_hash("2001:db8:1:2:ffff::9")
    assert rules.client_hash("2001:db8:1:2::1") != rules.client_hash("2001:db8:1:3::1")


def test_comment_html_escapes_and_keeps_line_breaks():
    html = rules.comment_html('<b>hi</b> & "you"\nnext', links=False)
    assert html == "&lt;b&gt;hi&lt;/b&gt; &amp; &quot;you&quot;<br>next"


def test_comment_html_links_only_when_allowed_and_only_http():
    text = "see https://example.org/a?b=1&c=2 or javascript:alert(1) or www.example.com"
    assert "<a" not in rules.comment_html(text, links=False)
    html = rules.comment_html(text, links=True)
    assert html.count("<a ") == 2
    assert 'href="https://example.org/a?b=1&amp;c=2"' in html
    assert 'rel="nofollow ugc noopener"' in html
    assert 'href="javascript' not in html
    for evil in ('http://x.org/"onmouseover="alert(1)', "http://x.org/'><script>x</script>"):
        tags = _tags(rules.comment_html(evil, links=True))
        assert {tag for tag, _ in tags} <= {"a"}
        assert all(set(attrs) == {"href", "rel"} for _, attrs in tags)
        assert all(attrs["href"].startswith("http://x.org/") for _, attrs in tags)


def _tags(html: str) -> list[tuple[str, dict]]:
    found = []

    class Collector(HTMLParser):
        def handle_starttag(self, tag, attrs):
            found.append((tag, dict(attrs)))

    Collector().feed(html)
    return found
