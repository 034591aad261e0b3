"""Tests of the text-dump parser against the reference page and variants made from it.

Pure functions, no database: the variants are string edits of the reference sample.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from gazette.importers.sources.textdump import (
    InlineImage,
    ParsedArticle,
    Teaser,
    TextdumpError,
    decode_textdump,
    headline_key,
    parse_textdump,
)

# The shared folder sits beside the repository.
SAMPLE_PATH = (
    Path(__file__).resolve().parents[2].parent / "shared" / "seed" / "000_9d8990e26df27fda.txt"
)

NBSP = "\N{NO-BREAK SPACE}"
NARROW_NBSP = "\N{NARROW NO-BREAK SPACE}"
RSQUO = "\N{RIGHT SINGLE QUOTATION MARK}"
LDQUO = "\N{LEFT DOUBLE QUOTATION MARK}"
RDQUO = "\N{RIGHT DOUBLE QUOTATION MARK}"
EM_DASH = "\N{EM DASH}"
BULLET = "\N{BULLET}"

HEADLINE = "18 North Korean Soldiers Flee Russian Forces Near Ukraine Border, Reports Say"
BYLINE = f"Daniel Kim Views {NBSP}"
SECOND_PARAGRAPH = (
    "However, there are now reports of desertions. A senior official from the Ukrainian "
    "military announced that a group of North Korean soldiers deserted near "
    f"Russia{RSQUO}s Bryansk region, close to the Ukrainian border. The soldiers are believed "
    "to be part of the military assistance agreed upon in a treaty signed by North Korea and "
    "Russia in June."
)
COMMENTS = (
    "i guess thats one way to escape the regime, poor people..",
    "North Korea is the world's largest cult.",
)
LATEST_HEADLINES = (
    "Porsche Taycan GTS Breaks Guinness Record with 10.9-Mile Ice Drift",
    "Africa's MPOX Variant Clade 1b Reaches France: Health Officials Take Action",
    f"LA Wildfires{RSQUO} Economic Toll Hits $50 Billion, Doubling Early Estimates",
    "Real Reason Trump Wants Greenland and the Panama Canal: Geopolitical Dominance",
    "Biden Targets China, Russia with New Semiconductor Export Limits",
    "Wildfire Chaos in California: 150,000 Evacuated as Flames Spread",
)
ALSO_LIKE_HEADLINES = (
    f"This Celebrity Lost 7kg{EM_DASH}and Her Diet Includes ...",
    "Red vs. White Wine: Which Is Riskier for Cancer? New Study Has the Answer",
    "Breakfast vs. Dinner: Which Meal Should You Load Up On for Better Health?",
    f"Eat More Greens{EM_DASH}But Skip the Fake Stuff, Scientists Warn",
    "Veggies vs. IBD: New Research Says the Right Diet Might Be a Game-Changer",
)
POPULAR_HEADLINES = (
    "Eli Lilly Moves First in India, Beats Novo in Obesity Drug Showdown",
    f"Trump{RSQUO}s Soda Button and 12-Can Habit: A Recipe for Trouble?",
    "New FDA-Approved Pill Targets Constant Hunger in Children with PWS",
    "Too Much Exercise Might Not Help You Live Longer, Says New Study",
    "Novo Nordisk Just Bought the Next Big Thing in Weight Loss",
)


@pytest.fixture(scope="module")
def sample() -> str:
    return SAMPLE_PATH.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def article(sample: str) -> ParsedArticle:
    return parse_textdump(sample)


def edit(text: str, old: str, new: str, count: int = 1) -> str:
    """Replace `old`, which must occur exactly `count` times, so a variant really differs."""
    assert text.count(old) == count, f"{old!r} occurs {text.count(old)} times"
    return text.replace(old, new)


def cut_after(text: str, marker: str, start: str = "") -> str:
    """The text up to and including the line holding `marker` (searched after `start`)."""
    end = text.index("\n", text.index(marker, text.index(start)))
    return text[: end + 1]


def parse_error(text: str) -> str:
    with pytest.raises(TextdumpError) as caught:
        parse_textdump(text)
    message = str(caught.value)
    assert "\n" not in message and message.strip() == message
    return message


def all_strings(value: object) -> list[str]:
    if isinstance(value, str):
        return [value]
    if dataclasses.is_dataclass(value):
        return [s for f in dataclasses.fields(value) for s in all_strings(getattr(value, f.name))]
    if isinstance(value, tuple):
        return [s for item in value for s in all_strings(item)]
    return []


# --- the reference sample ----------------------------------------------------------------------


def test_sample_head(article: ParsedArticle) -> None:
    assert article.headline == HEADLINE
    assert article.author_name == "Daniel Kim"
    assert article.author_email == "content@viewusglobal.com"
    assert article.section == "World"
    assert article.view_count is None


def test_sample_images(article: ParsedArticle) -> None:
    assert article.lead_image_credit == "Korean Central News Agency"
    assert article.inline_images == (InlineImage(credit="GettyimagesKorea", after_paragraph=5),)


def test_sample_paragraphs(article: ParsedArticle) -> None:
    assert len(article.paragraphs) == 6
    assert article.paragraphs[0].startswith("Russia, currently engaged in a war with Ukraine")
    assert article.paragraphs[0].endswith("to assist Russian forces.")
    assert article.paragraphs[-1].startswith("Russian President Vladimir Putin visited")
    assert article.paragraphs[1] == SECOND_PARAGRAPH  # the typographic apostrophe is kept


def test_sample_comments(article: ParsedArticle) -> None:
    assert article.comment_count == 2
    assert article.comments == COMMENTS  # once each, and the "300" limit is not a comment


def test_sample_latest_stories(article: ParsedArticle) -> None:
    assert article.latest_stories == tuple(Teaser(h, "World") for h in LATEST_HEADLINES)
    assert f"LA Wildfires{RSQUO} Economic Toll Hits $50 Billion, Doubling Early Estimates" in {
        teaser.headline for teaser in article.latest_stories
    }


def test_sample_ranked_lists(article: ParsedArticle) -> None:
    also_like = tuple(Teaser(h, "Lifestyle") for h in ALSO_LIKE_HEADLINES)
    assert article.you_may_also_like == also_like
    assert article.must_reads == also_like
    # "Popular Now" is printed twice (once with "LIFESTYLE&nbsp"): one list of 5.
    assert article.popular_now == tuple(Teaser(h, "Lifestyle") for h in POPULAR_HEADLINES)


def test_sample_has_no_scars_left(article: ParsedArticle) -> None:
    strings = all_strings(article)
    assert len(strings) > 40
    for text in strings:
        assert NBSP not in text and NARROW_NBSP not in text
        assert "&nbsp" not in text
        assert BULLET not in text
        assert text == text.strip() and "  " not in text


def test_source_key(article: ParsedArticle) -> None:
    assert article.source_key == headline_key(HEADLINE) == HEADLINE.casefold()


def test_results_are_frozen(article: ParsedArticle) -> None:
    with pytest.raises(dataclasses.FrozenInstanceError):
        article.headline = "changed"  # type: ignore[misc]
    with pytest.raises(dataclasses.FrozenInstanceError):
        article.popular_now[0].section = "World"  # type: ignore[misc]


# --- headline_key ------------------------------------------------------------------------------


def test_headline_key_folds_typography_and_case() -> None:
    assert (
        headline_key(POPULAR_HEADLINES[1])
        == "trump's soda button and 12-can habit: a recipe for trouble?"
    )
    assert headline_key(f"{LDQUO}Quoted{RDQUO} Words{EM_DASH}Dashed") == '"quoted" words-dashed'
    assert headline_key("LA WILDFIRES") == headline_key("la wildfires")
    assert headline_key(f"  Wide{NBSP}{NBSP}Open \t Spaces ") == "wide open spaces"
    assert headline_key("Tom &amp; Jerry") == headline_key("tom & jerry")


def test_headline_key_keeps_headlines_apart() -> None:
    assert headline_key(LATEST_HEADLINES[0]) != headline_key(LATEST_HEADLINES[1])


# --- decode_textdump ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "the file is empty"),
        (b"  \n", "the file is empty"),
        (b"\xef\xbb\xbf", "the file is empty"),
        (b"Headline\x00\nmore", "not a text file (binary or not UTF-8)"),
        (b"\xff\xfe\x00A", "not a text file (binary or not UTF-8)"),
        (b"caf\xe9 latin-1", "not a text file (binary or not UTF-8)"),
    ],
)
def test_decode_rejects(data: bytes, message: str) -> None:
    with pytest.raises(TextdumpError) as caught:
        decode_textdump(data)
    assert str(caught.value) == message


def test_decode_strips_bom_and_normalises_newlines(sample: str) -> None:
    assert decode_textdump(b"\xef\xbb\xbfHello\r\nWorld\rAgain\n") == "Hello\nWorld\nAgain\n"
    assert decode_textdump(b"\xef\xbb\xbf" + sample.encode("utf-8")) == sample
    assert decode_textdump(sample.replace("\n", "\r\n").encode("utf-8")) == sample


def test_crlf_text_parses_like_lf(sample: str, article: ParsedArticle) -> None:
    assert parse_textdump(sample.replace("\n", "\r\n")) == article
    assert parse_textdump(decode_textdump(sample.replace("\n", "\r\n").encode())) == article


# --- parse errors ------------------------------------------------------------------------------


@pytest.mark.parametrize("text", ["", "   \n\n", f"{NBSP}\n"])
def test_empty_text(text: str) -> None:
    assert parse_error(text) == "the text is empty"


@pytest.mark.parametrize(
    "text",
    [
        "Comments2\n\n300",
        "Quick access to main page (top) Direct access to main contents\n\n",
        f"  {BULLET} North Korea is the world's largest cult.\n",
        "300\n",
    ],
)
def test_no_headline(text: str) -> None:
    assert parse_error(text).startswith("no headline found")


def test_byline_first_is_no_headline(sample: str) -> None:
    text = edit(sample, f"{HEADLINE}\n\n", "")
    assert parse_error(text).startswith("no headline found: the text starts with a byline")


def test_headline_without_byline(sample: str) -> None:
    text = edit(sample, f"{BYLINE}\n\n", "")
    assert parse_error(text) == (
        "no byline ('<author> Views <count>') after the headline: "
        "found 'Korean Central News Agency'"
    )


def test_headline_alone(sample: str) -> None:
    text = cut_after(sample, HEADLINE)
    assert parse_error(text).startswith("no byline ('<author> Views <count>') after the headline")


def test_truncated_after_third_paragraph(sample: str) -> None:
    text = cut_after(sample, "kept under wraps by Moscow.")
    assert parse_error(text) == "text is truncated: it ends before the author box"


@pytest.mark.parametrize(
    ("marker", "missing"),
    [
        ("content@viewusglobal.com", "comments"),
        ("300", "Latest Stories list"),
        ("Wildfire Chaos in California", "You May Also Like list"),
        ("Must-Reads", "Must-Reads list"),  # cut right after the heading: nothing in it
    ],
)
def test_truncated_in_the_blocks(sample: str, marker: str, missing: str) -> None:
    text = cut_after(sample, marker)
    verb = "inside" if marker == "Must-Reads" else "before"
    assert parse_error(text) == f"text is truncated: it ends {verb} the {missing}"


def test_truncated_inside_a_ranked_item(sample: str) -> None:
    text = cut_after(sample, f"{BULLET} 3", start="Must-Reads")
    assert parse_error(text) == "text is truncated: it ends inside the Must-Reads list"


def test_complete_without_the_second_popular_now(sample: str, article: ParsedArticle) -> None:
    # The mobile copy after Must-Reads repeats the first one: the page is complete without it.
    text = sample[: sample.rindex("Popular Now")]
    assert parse_textdump(text) == article


def test_missing_block_in_the_middle_is_a_gap(sample: str) -> None:
    text = sample[: sample.index("You May Also Like")] + sample[sample.index("Popular Now") :]
    assert parse_error(text) == "the page has no You May Also Like list"


def test_no_body_paragraphs(sample: str) -> None:
    start, end = sample.index("Korean Central News Agency"), sample.index("Daniel Kim\ncontent@")
    text = sample[:start] + sample[end:]
    assert parse_error(text) == "no body paragraphs between the byline and the author box"


# --- variants ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("byline", "views"),
    [
        ("Daniel Kim Views 1,204", 1204),
        ("Daniel Kim Views 12.3K", 12300),
        ("Daniel Kim Views 1.2M", 1_200_000),
        ("Daniel Kim Views 87", 87),
        ("Daniel Kim Views 0", 0),
        ("Daniel Kim Views", None),
        (f"Daniel Kim{NBSP}Views{NBSP}12.3K{NBSP}", 12300),
    ],
)
def test_view_counts(sample: str, byline: str, views: int | None) -> None:
    parsed = parse_textdump(edit(sample, BYLINE, byline))
    assert parsed.view_count == views
    assert parsed.author_name == "Daniel Kim"


def test_other_section(sample: str) -> None:
    text = edit(sample, "[WORLD] Latest Stories", "[TECH & SCIENCE] Latest Stories")
    parsed = parse_textdump(text)
    assert parsed.section == "Tech & Science"
    assert parsed.latest_stories == tuple(Teaser(h, "Tech & Science") for h in LATEST_HEADLINES)
    assert {teaser.section for teaser in parsed.popular_now} == {"Lifestyle"}


def test_entities_decoded_in_headline(sample: str) -> None:
    raw = "R&D at AT&T&#8217;s Labs&nbsp;Grows &amp Q&amp;A&#39;s &notice"
    parsed = parse_textdump(edit(sample, HEADLINE, raw))
    assert parsed.headline == f"R&D at AT&T{RSQUO}s Labs Grows & Q&A's &notice"


def test_narrow_nbsp_and_labels(sample: str) -> None:
    text = edit(sample, f"LIFESTYLE{NBSP}", f"LIFE{NARROW_NBSP}STYLE{NARROW_NBSP}", count=14)
    text = edit(text, "Kyiv Post", f"Kyiv{NARROW_NBSP}Post")
    parsed = parse_textdump(text)
    assert "According to Kyiv Post, North Korea" in parsed.paragraphs[0]
    assert parsed.must_reads == tuple(Teaser(h, "Life Style") for h in ALSO_LIKE_HEADLINES)


def test_headline_ending_in_views(sample: str) -> None:
    parsed = parse_textdump(edit(sample, HEADLINE, "Trump Defends His Views"))
    assert parsed.headline == "Trump Defends His Views"
    assert parsed.author_name == "Daniel Kim"


def test_without_lead_image(sample: str, article: ParsedArticle) -> None:
    parsed = parse_textdump(edit(sample, "Korean Central News Agency\n\n", ""))
    assert parsed.lead_image_credit is None
    assert parsed.paragraphs == article.paragraphs
    assert parsed.inline_images == article.inline_images


def test_comments_in_both_copies_come_out_once(sample: str) -> None:
    bullets = "".join(f"  {BULLET} {comment}\n\n" for comment in COMMENTS)
    text = edit(sample, "300\n\nComments2\n", f"300\n\n{bullets}Comments2\n")
    assert parse_textdump(text).comments == COMMENTS


def test_equal_comments_of_two_readers_are_both_kept(sample: str) -> None:
    repeated = f"  {BULLET} {COMMENTS[1]}\n\n"
    text = edit(sample, repeated, repeated * 2)
    parsed = parse_textdump(text)
    assert parsed.comments == (COMMENTS[0], COMMENTS[1], COMMENTS[1])
    assert parsed.comment_count == 2  # the printed number, not a recount


def test_comment_limit_after_the_comments_is_not_a_comment(sample: str) -> None:
    text = edit(sample, "Comments2\n\n300\n\n", "")
    text = edit(text, f"{COMMENTS[1]}\n", f"{COMMENTS[1]}\n\n300\n")
    parsed = parse_textdump(text)
    assert parsed.comments == COMMENTS
    assert parsed.comment_count == 2
