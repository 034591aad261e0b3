"""The article web-page parser: every field on every fixture, and every trap on its own.

Fixtures (tests/importers/fixtures/webpages/) are pages in the shapes the big CMSs produce,
each with its expected fields in a sidecar JSON; bench/import_accuracy.py scores the same.
"""

from __future__ import annotations

import difflib
import json
from datetime import UTC, datetime, timedelta
from functools import cache
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from lxml import html as lxml_html

from gazette.importers.sources.webpage import (
    MAX_PAGE_BYTES,
    ExtractedPage,
    WebpageError,
    parse_webpage,
)
from gazette.importers.sources.webpage_body import split_credit
from gazette.importers.sources.webpage_charset import decode_html
from gazette.importers.sources.webpage_metadata import clean_author_names

FIXTURES = Path(__file__).parent / "fixtures" / "webpages"
NAMES = sorted(path.stem for path in FIXTURES.glob("*.json"))


@cache
def fixture(name: str) -> tuple[dict, ExtractedPage]:
    spec = json.loads((FIXTURES / f"{name}.json").read_text(encoding="utf-8"))
    data = (FIXTURES / f"{name}.html").read_bytes()
    page = parse_webpage(data, url=spec["url"], declared_charset=spec["declared_charset"])
    return spec["expected"], page


def page_from(html: str, url: str = "https://news.example.com/2024/03/05/story/") -> ExtractedPage:
    return parse_webpage(html.encode("utf-8"), url=url)


PARAGRAPHS = "".join(
    f"<p>Paragraph {n} of the story says something about the harbour, the council and the "
    f"people who live by the water, at a length a reader would recognise as prose.</p>"
    for n in range(1, 6)
)


def article(head: str = "", body: str = PARAGRAPHS, h1: str = "Harbour plan approved") -> str:
    return (
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>"
        f"<title>{h1} | The Example</title>"
        f"{head}</head><body><header><nav><a href='/'>Home</a></nav></header><main><article>"
        f"<h1>{h1}</h1><div class='article-body'>{body}</div></article></main>"
        f"<footer>Copyright 2024</footer></body></html>"
    )


def body_figures(page: ExtractedPage) -> list[tuple[str, str, str]]:
    root = lxml_html.fragment_fromstring(page.body_html, create_parent="div")
    found = []
    for figure in root.iter("figure"):
        caption = figure.find("figcaption")
        credit = caption.find("small") if caption is not None else None
        credit_text = credit.text_content() if credit is not None else ""
        if credit is not None:
            credit.drop_tree()
        found.append(
            (
                figure.find("img").get("src"),
                caption.text_content().strip() if caption is not None else "",
                credit_text,
            )
        )
    return found


def test_there_are_at_least_eight_fixtures_each_with_expected_fields():
    assert len(NAMES) >= 8
    for name in NAMES:
        assert (FIXTURES / f"{name}.html").is_file()


# --- every field of every fixture ------------------------------------------------------------


@pytest.mark.parametrize("name", NAMES)
def test_headline(name):
    expected, page = fixture(name)
    assert page.headline == expected["headline"]


@pytest.mark.parametrize("name", NAMES)
def test_authors(name):
    expected, page = fixture(name)
    assert set(page.authors) == set(expected["authors"])


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("field", ["published", "modified"])
def test_times_are_aware_and_within_a_minute(name, field):
    expected, page = fixture(name)
    got = getattr(page, field)
    if expected[field] is None:
        assert got is None
        return
    assert got is not None and got.tzinfo is not None and got.utcoffset() is not None
    assert abs(got - datetime.fromisoformat(expected[field])) <= timedelta(minutes=1)


@pytest.mark.parametrize("name", NAMES)
def test_section_and_tags(name):
    expected, page = fixture(name)
    assert page.section == expected["section"]
    assert [t.casefold() for t in page.tags] == [t.casefold() for t in expected["tags"]]


@pytest.mark.parametrize("name", NAMES)
def test_canonical_url_is_the_source_key(name):
    expected, page = fixture(name)
    assert page.canonical_url == expected["canonical_url"]
    assert page.source_key == page.canonical_url


@pytest.mark.parametrize("name", NAMES)
def test_standfirst(name):
    expected, page = fixture(name)
    assert page.standfirst == expected["standfirst"]


@pytest.mark.parametrize("name", NAMES)
def test_lead_image(name):
    expected, page = fixture(name)
    lead = expected["lead_image"]
    if lead is None:
        assert page.lead_image is None
        return
    assert page.lead_image is not None
    assert (page.lead_image.url, page.lead_image.alt) == (lead["url"], lead["alt"])
    assert (page.lead_image.caption, page.lead_image.credit) == (lead["caption"], lead["credit"])
    # Kept once, as the lead: not repeated as the body's first picture.
    assert page.lead_image.url not in page.body_html


@pytest.mark.parametrize("name", NAMES)
def test_captions_in_the_body_become_figures_with_their_credit(name):
    expected, page = fixture(name)
    figures = [(caption, credit) for _src, caption, credit in body_figures(page)]
    assert figures == [(f["caption"], f["credit"]) for f in expected["figures"]]


@pytest.mark.parametrize("name", NAMES)
def test_body_text_is_the_article_and_nothing_else(name):
    expected, page = fixture(name)
    ratio = difflib.SequenceMatcher(
        None, page.body_text.split(), expected["body_text"].split(), autojunk=False
    ).ratio()
    assert ratio >= 0.95, page.body_text


@pytest.mark.parametrize(
    ("name", "boilerplate"),
    [
        ("wordpress", "Advertisement"),
        ("wordpress", "Sign up for our free morning newsletter"),
        ("wordpress", "RELATED"),
        ("wordpress", "Water rates to rise in new city budget"),  # Jetpack related posts
        ("wordpress", "About time. My mother"),  # a comment
        ("wordpress", "We use cookies"),
        ("wordpress", "Nadia Petrov covers city hall"),  # the author box
        ("arcxp", "ADVERTISEMENT"),
        ("arcxp", "Budget deadline looms"),  # interstitial "Read more" link
        ("arcxp", "Capitol Report"),  # newsletter prompt
        ("arcxp", "Coast Guard rescues"),  # Most Read
        ("brightspot", "worst year on record in 2022"),  # PagePromo card inside the body
        ("brightspot", "Accept All Cookies"),
        ("drupal", "Lesen Sie auch"),
        ("drupal", "Händler in der Marktstraße fordern Zuschuss"),  # Views block
        ("drupal", "Erst die Sperrung"),  # comment
        ("ghost", "Get Slow Signal by email"),  # signup card in the content
        ("ghost", "The county that printed its own ballots"),  # Read more
        ("jekyll", "become a member"),  # membership appeal
        ("jekyll", "Parents launch recall petition"),  # related posts
        ("jekyll", "Disqus"),
        ("hugo", "Table of Contents"),
        ("hugo", "Notes from Amistad"),  # prev/next
        ("hugo", ">#<"),  # heading anchors
        ("nextjs", "The Waterfront"),  # newsletter aside
        ("nextjs", "Container volumes fall"),  # Recommended rail
        ("nextjs", "We use cookies"),
        ("amp", "READ MORE"),
        ("amp", "School buses cancelled"),
        ("amp", "partners use cookies"),
        ("korean-euckr", "광고"),
        ("korean-euckr", "관련기사"),
        ("korean-euckr", "minjun@hanbitilbo.co.kr"),  # the reporter's sign-off
        ("korean-euckr", "무단전재"),
        ("latin1-undeclared", "Petites annonces"),
        ("latin1-undeclared", "Bravo à toute l"),  # comment
        ("latin1-undeclared", "Abonnez-vous"),
    ],
)
def test_boilerplate_is_dropped(name, boilerplate):
    _expected, page = fixture(name)
    assert boilerplate not in page.body_html


@pytest.mark.parametrize("name", NAMES)
def test_body_is_sanitised_html_of_the_allowed_blocks(name):
    _expected, page = fixture(name)
    root = lxml_html.fragment_fromstring(page.body_html, create_parent="div")
    allowed = {
        "p", "h2", "h3", "h4", "ul", "ol", "li", "blockquote", "pre", "figure", "figcaption",
        "img", "small", "a", "strong", "em", "u", "code", "sub", "sup", "br",
    }  # fmt: skip
    assert {element.tag for element in root.iter()} - {"div"} <= allowed
    assert {child.tag for child in root} <= {
        "p",
        "h2",
        "h3",
        "h4",
        "ul",
        "ol",
        "blockquote",
        "pre",
        "figure",
    }
    for element in root.iter():
        assert set(element.attrib) <= {"href", "src", "alt", "rel"}


def test_notes_say_what_was_guessed():
    _expected, korean = fixture("korean-euckr")
    assert any("Asia/Seoul" in note for note in korean.notes)
    _expected, nextjs = fixture("nextjs")
    assert any("__NEXT_DATA__" in note for note in nextjs.notes)
    _expected, amp = fixture("amp")
    assert any("youtube.com/watch?v=dQw4w9WgXcQ" in note for note in amp.notes)
    _expected, latin1 = fixture("latin1-undeclared")
    assert any("no charset" in note for note in latin1.notes)
    assert any("canonical" in note for note in latin1.notes)


# --- encodings -------------------------------------------------------------------------------


def test_a_lying_declared_charset_is_overruled_by_the_bytes():
    spec = json.loads((FIXTURES / "korean-euckr.json").read_text(encoding="utf-8"))
    data = (FIXTURES / "korean-euckr.html").read_bytes()
    for lie in ("utf-8", "iso-8859-1", "windows-1252"):
        page = parse_webpage(data, url=spec["url"], declared_charset=lie)
        assert page.headline == spec["expected"]["headline"], lie

    utf8 = (FIXTURES / "wordpress.html").read_bytes()
    page = parse_webpage(
        utf8, url="https://www.rivertonledger.com/x/", declared_charset="iso-8859-1"
    )
    assert "Riverton’s city council" in page.body_text
    assert any("is UTF-8" in note for note in page.notes)


def test_a_meta_charset_that_lies_is_overruled_too():
    html = article(body=PARAGRAPHS + "<p>Der Bürgermeister sagte: „Wir schaffen das“ – später.</p>")
    data = html.replace("<meta charset='utf-8'>", "<meta charset='utf-8'>").encode("cp1252")
    page = parse_webpage(data, url="https://news.example.de/story")
    assert "Der Bürgermeister sagte: „Wir schaffen das“ – später." in page.body_text
    assert any("not in it" in note for note in page.notes)


@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-16"])
def test_byte_order_marks(encoding):
    html = article(body=PARAGRAPHS + "<p>Ångström and naïve café owners agree.</p>")
    page = parse_webpage(html.encode(encoding), url="https://news.example.com/story")
    assert page.headline == "Harbour plan approved"
    assert "Ångström and naïve café owners agree." in page.body_text


def test_latin1_without_declaration_reads_as_windows_1252():
    decoded = decode_html("<p>l’équipe « coop » à 180 €</p>".encode("cp1252"))
    assert decoded.text == "<p>l’équipe « coop » à 180 €</p>"


def test_a_missing_declaration_on_korean_bytes_is_detected():
    data = (FIXTURES / "korean-euckr.html").read_bytes()
    data = data.replace(b"; charset=euc-kr", b"")
    page = parse_webpage(
        data, url="https://www.hanbitilbo.co.kr/news/articleView.html?idxno=218734"
    )
    assert page.headline == "폭설에 강원 산간 마을 사흘째 고립…주민 120여 명 발 묶여"


# --- hostile input ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "the page is empty"),
        (b"  \r\n\t ", "the page is empty"),
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n", "not an HTML page: it is a PDF document"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "not an HTML page: it is a PNG image"),
        (b"\x1f\x8b\x08\x00\x00\x00\x00\x00", "gzip-compressed"),
        (bytes(range(256)) * 64, "binary data"),
        (b"just words, and no markup at all", "no HTML tags found"),
        (b'<?xml version="1.0"?><rss version="2.0"><channel></channel></rss>', "RSS or Atom feed"),
        (
            b'<?xml version="1.0"?><rss xmlns:wp="http://wordpress.org/export/1.2/"><channel><wp:wxr_version>1.2</wp:wxr_version></channel></rss>',
            "WordPress export",
        ),
        (
            b"<!DOCTYPE html><html><head><title>A story</title></head>"
            b"<body><h1>A story</h1><p>The minister sa",
            "truncated",
        ),
        (
            b"<html><head><title>Nothing</title></head>"
            b"<body><nav><a href='/'>Home</a></nav></body></html>",
            "no article text",
        ),
        (
            b"<html><body><p>"
            + b"Words of a paragraph of the story. " * 30
            + b"</p></body></html>",
            "no headline found",
        ),
    ],
)
def test_hostile_input_gets_one_line_of_why(data, message):
    with pytest.raises(WebpageError) as raised:
        parse_webpage(data, url="https://news.example.com/story")
    assert message in str(raised.value)
    assert "\n" not in str(raised.value)


def test_a_huge_page_is_refused_before_it_is_read():
    data = b"<html><body><p>" + b"a" * MAX_PAGE_BYTES + b"</p></body></html>"
    with pytest.raises(WebpageError, match=r"^the page is 20 MB; pages over 20 MB are refused$"):
        parse_webpage(data, url="https://news.example.com/story")


def test_absurd_nesting_is_a_clear_error_or_a_page_never_a_crash():
    data = (
        b"<html><body>"
        + b"<div>" * 50_000
        + b"<h1>Deep</h1><p>text</p>"
        + b"</div>" * 50_000
        + b"</body></html>"
    )
    with pytest.raises(WebpageError):
        parse_webpage(data, url="https://news.example.com/story")


def test_entity_declarations_are_not_expanded():
    bomb = (
        b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
        b'<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>'
        + article(h1="&lol2;").encode()
    )
    page = parse_webpage(bomb, url="https://news.example.com/story")
    assert "lollol" not in page.headline + page.body_html


# --- metadata --------------------------------------------------------------------------------


def test_json_ld_graph_references_are_followed():
    _expected, page = fixture("wordpress")
    # The second author is only {"@id": ...} in the article, named in the @graph.
    assert page.authors == ("Nadia Petrov", "Luis Carvalho")


def test_an_item_list_of_related_articles_is_not_the_article():
    related = {
        "@context": "https://schema.org",
        "@type": "ItemList",
        "itemListElement": [
            {
                "@type": "ListItem",
                "position": 1,
                "item": {
                    "@type": "NewsArticle",
                    "headline": "Another story",
                    "datePublished": "2020-01-01T00:00:00Z",
                },
            }
        ],
    }
    own = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "headline": "Harbour plan approved",
        "datePublished": "2024-03-05T10:00:00+01:00",
        "author": {"@type": "Person", "name": "Ann Lee"},
    }
    head = "".join(
        f"<script type='application/ld+json'>{json.dumps(d)}</script>" for d in (related, own)
    )
    page = page_from(article(head=head))
    assert page.published == datetime(2024, 3, 5, 9, 0, tzinfo=UTC)
    assert page.authors == ("Ann Lee",)


def test_invalid_json_ld_is_noted_and_the_rest_still_read():
    head = (
        '<script type=\'application/ld+json\'>{"@type": "NewsArticle", "headline": }</script>'
        "<meta property='article:published_time' content='2024-03-05T10:00:00Z'>"
        "<meta name='author' content='By Ann Lee and Bo Kim, Staff Writers'>"
    )
    page = page_from(article(head=head))
    assert any("not valid JSON" in note for note in page.notes)
    assert page.published == datetime(2024, 3, 5, 10, 0, tzinfo=UTC)
    assert page.authors == ("Ann Lee", "Bo Kim")


def test_a_truncated_json_ld_headline_gives_way_to_the_printed_one():
    ld = {"@type": "NewsArticle", "headline": "Harbour plan…"}
    head = f"<script type='application/ld+json'>{json.dumps(ld)}</script>"
    page = page_from(article(head=head, h1="Harbour plan approved after a long night"))
    assert page.headline == "Harbour plan approved after a long night"


def test_the_site_name_is_taken_off_a_title():
    page = page_from(article(head="<meta property='og:site_name' content='The Example'>"))
    assert page.headline == "Harbour plan approved"


def test_a_canonical_pointing_at_the_home_page_is_ignored():
    head = "<link rel='canonical' href='https://news.example.com/'>"
    page = page_from(
        article(head=head), url="https://news.example.com/2024/story?utm_source=x&id=4"
    )
    assert page.canonical_url == "https://news.example.com/2024/story?id=4"
    assert any("home page" in note for note in page.notes)


def test_a_relative_canonical_is_resolved():
    page = page_from(article(head="<link rel='canonical' href='/2024/03/05/harbour/'>"))
    assert page.canonical_url == "https://news.example.com/2024/03/05/harbour/"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("2024-03-05T14:22:31+00:00", datetime(2024, 3, 5, 14, 22, 31, tzinfo=UTC)),
        ("2024-03-05T07:48:12.317Z", datetime(2024, 3, 5, 7, 48, 12, 317000, tzinfo=UTC)),
        ("2024-03-05T07:30:00+0100", datetime(2024, 3, 5, 6, 30, tzinfo=UTC)),
        ("Tue, 05 Mar 2024 14:22:00 GMT", datetime(2024, 3, 5, 14, 22, tzinfo=UTC)),
        ("1709650920000", datetime(2024, 3, 5, 15, 2, tzinfo=UTC)),
        ("2024.03.05 14:22 +0900", datetime(2024, 3, 5, 5, 22, tzinfo=UTC)),
    ],
)
def test_published_time_formats(raw, expected):
    page = page_from(article(head=f"<meta property='article:published_time' content='{raw}'>"))
    assert page.published == expected


def test_a_time_without_zone_is_read_in_the_sites_country_and_noted():
    head = "<meta property='article:published_time' content='2024-03-05 14:22:00'>"
    page = page_from(article(head=head), url="https://www.zeitung.example.de/artikel/1")
    assert page.published == datetime(2024, 3, 5, 14, 22, tzinfo=ZoneInfo("Europe/Berlin"))
    assert any("Europe/Berlin" in note for note in page.notes)
    elsewhere = page_from(article(head=head), url="https://news.example.com/story")
    assert elsewhere.published == datetime(2024, 3, 5, 14, 22, tzinfo=UTC)


def test_a_modified_time_before_the_published_one_is_ignored():
    head = (
        "<meta property='article:published_time' content='2024-03-05T14:00:00Z'>"
        "<meta property='article:modified_time' content='2019-01-01T00:00:00Z'>"
    )
    page = page_from(article(head=head))
    assert page.modified is None
    assert any("before the published" in note for note in page.notes)


def test_no_date_at_all_is_noted_not_invented():
    page = page_from(article())
    assert page.published is None
    assert "no published time found" in page.notes


@pytest.mark.parametrize(
    ("raw", "names"),
    [
        (["By Ann Lee and Bo Kim, Staff Writers"], ["Ann Lee", "Bo Kim"]),
        (["Ann Lee; Bo Kim | Cy Dee"], ["Ann Lee", "Bo Kim", "Cy Dee"]),
        (["https://www.facebook.com/annlee", "Ann Lee"], ["Ann Lee"]),
        (["김민준 기자"], ["김민준"]),
        (["Ann Lee ann@example.com"], ["Ann Lee"]),
        (["The Associated Press"], ["The Associated Press"]),
        (["Ann Lee", "ann lee"], ["Ann Lee"]),
    ],
)
def test_author_names_from_bylines(raw, names):
    assert clean_author_names(raw) == names


def test_a_wire_story_credits_the_agency_when_no_person_is_named():
    ld = {
        "@type": "NewsArticle",
        "headline": "Harbour plan approved",
        "author": {"@type": "Organization", "name": "Reuters"},
    }
    head = f"<script type='application/ld+json'>{json.dumps(ld)}</script>"
    assert page_from(article(head=head)).authors == ("Reuters",)


@pytest.mark.parametrize(
    ("caption", "expected"),
    [
        (
            "Crews at work. (Photo: Maria Lopez/The Ledger)",
            ("Crews at work.", "Maria Lopez/The Ledger"),
        ),
        (
            "Sandbags line the lane. Photo courtesy of Dale Ostrowski",
            ("Sandbags line the lane.", "Dale Ostrowski"),
        ),
        ("Photo by Jonas Weber / Unsplash", ("", "Jonas Weber / Unsplash")),
        ("▲ 마을 모습. (사진=평창군 제공)", ("마을 모습.", "평창군 제공")),
        ("Boats on the lake. © Jan Novak", ("Boats on the lake.", "Jan Novak")),
        ("The mayor (left) speaks.", ("The mayor (left) speaks.", "")),
    ],
)
def test_credits_inside_captions_are_split_off(caption, expected):
    assert split_credit(caption) == expected


# --- body ------------------------------------------------------------------------------------


def test_the_body_is_sanitised():
    body = (
        PARAGRAPHS + "<p onclick='steal()'>A <a href='javascript:alert(1)'>bad link</a> and a "
        "<a href='/local/story' style='color:red'>relative one</a>.</p>"
        "<script>alert('x')</script><iframe src='https://evil.example/'></iframe>"
    )
    page = page_from(article(body=body))
    assert "onclick" not in page.body_html and "javascript:" not in page.body_html
    assert "<script" not in page.body_html and "<iframe" not in page.body_html
    assert 'href="https://news.example.com/local/story"' in page.body_html


def test_embeds_are_named_in_the_notes():
    body = (
        PARAGRAPHS
        + "<iframe src='https://www.youtube-nocookie.com/embed/abc123'></iframe>"
        + PARAGRAPHS
    )
    page = page_from(article(body=body))
    assert any("youtube-nocookie.com/embed/abc123" in note for note in page.notes)


def test_a_data_table_is_flattened_into_paragraphs_and_noted():
    table = (
        "<table><tr><th>Reservoir</th><th>Level</th></tr>"
        "<tr><td>Falcon</td><td>18%</td></tr></table>"
    )
    page = page_from(article(body=PARAGRAPHS + table))
    assert "Falcon | 18%" in page.body_text
    assert any("table was flattened" in note for note in page.notes)


def test_a_body_only_in_json_ld_is_read_from_article_body():
    ld = {
        "@type": "NewsArticle",
        "headline": "Harbour plan approved",
        "articleBody": "First paragraph of the story.\n\nSecond paragraph of the story.",
    }
    html = (
        "<html><head><title>Harbour plan approved</title>"
        f"<script type='application/ld+json'>{json.dumps(ld)}</script></head>"
        "<body><div id='root'></div></body></html>"
    )
    page = page_from(html)
    assert page.body_text == "First paragraph of the story.\nSecond paragraph of the story."
    assert any("articleBody" in note for note in page.notes)


def test_a_body_only_in_next_data_is_read_from_there():
    data = {"props": {"pageProps": {"story": {
        "title": "Harbour plan approved", "publishedAt": "2024-03-05T10:00:00Z",
        "bodyHtml": PARAGRAPHS + "<div class='ad'>Advertisement</div>",
    }}}}  # fmt: skip
    html = (
        "<html><head><title>Harbour plan approved</title></head><body><div id='__next'></div>"
        f"<script id='__NEXT_DATA__' type='application/json'>{json.dumps(data)}</script>"
        "</body></html>"
    )
    page = page_from(html)
    assert page.body_text.startswith("Paragraph 1 of the story")
    assert "Advertisement" not in page.body_html
    assert page.published == datetime(2024, 3, 5, 10, 0, tzinfo=UTC)


def test_the_headline_byline_and_standfirst_are_not_repeated_in_the_body():
    body = "<p class='byline'>By Ann Lee</p>" + PARAGRAPHS
    head = "<meta name='author' content='Ann Lee'>"
    html = article(head=head, body=body).replace(
        "<h1>Harbour plan approved</h1>",
        "<h1>Harbour plan approved</h1>"
        "<p class='standfirst'>The council voted 6-3 after three hours.</p>",
    )
    page = page_from(html)
    assert page.standfirst == "The council voted 6-3 after three hours."
    assert page.body_text.splitlines()[0].startswith("Paragraph 1")


def test_the_extracted_page_is_immutable():
    _expected, page = fixture("ghost")
    with pytest.raises(AttributeError):
        page.headline = "changed"  # type: ignore[misc]


def test_an_extractor_tripping_over_markup_is_one_line_not_a_traceback(monkeypatch):
    def trip(*_args, **_kwargs):
        raise TypeError("'NoneType' object is not iterable\n  deep inside")

    monkeypatch.setattr("gazette.importers.sources.webpage.extract_body", trip)
    with pytest.raises(
        WebpageError, match=r"^the page could not be read \(TypeError: .*deep inside\)$"
    ):
        page_from(article())
