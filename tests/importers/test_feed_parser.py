"""parse_feed: RSS 0.91, 1.0, 2.0 and Atom 1.0 from several publishers' shapes, the encoding
traps found in the wild, and hostile files. Pure: no database, no network."""

import http.server
from datetime import UTC, datetime
from pathlib import Path

import pytest

from gazette.importers.items import FailedItem, ImportItem
from gazette.importers.sources.feed import FeedError, parse_feed
from tests.loopback import serve_in_background

FIXTURES = Path(__file__).parent / "fixtures" / "feeds"
FEED_URL = "https://feeds.example.com/x/feed.xml"


def _parse(name: str, url: str = FEED_URL) -> list:
    return list(parse_feed((FIXTURES / name).read_bytes(), url=url))


def _items(name: str) -> list[ImportItem]:
    entries = _parse(name)
    assert all(isinstance(entry, ImportItem) for entry in entries), entries
    return entries


# --- formats -----------------------------------------------------------------------------


def test_rss_091_entries_with_only_a_description_are_headline_only():
    first, second = _items("rss091_netscape.xml")
    assert first.headline == "Ferry timetable changes for the winter"
    assert first.source_key == "http://courier.example.net/stories/1998/ferry-winter.html"
    assert first.headline_only and first.body_html == ""
    assert first.standfirst.startswith("The island ferry will run four times a day")
    assert "headline-only" in " ".join(first.notes)
    assert second.position == "entry 2"


def test_rss_10_rdf_reads_creator_date_subject_and_content():
    glacier, bees = _items("rss10_rdf.xml")
    assert glacier.authors == (("Marta Nováková", ""),)
    assert glacier.published == datetime(2025, 3, 14, 7, 15, tzinfo=UTC)
    assert glacier.tags == ("Climate",)
    assert glacier.standfirst == "A survey of 1,400 glaciers finds the fastest loss on record."
    assert glacier.body_html.startswith("<p>Swiss and Austrian glaciologists measured <em>every")
    assert "<ul><li>1,400 glaciers measured</li><li>10% of the ice lost</li></ul>" in (
        glacier.body_html
    )
    assert not glacier.headline_only
    # Without a description feedparser copies the content into the summary: no standfirst.
    assert bees.standfirst == ""
    assert "<h3>What they found</h3>" in bees.body_html


def test_rss_20_wordpress_content_encoded_media_content_and_categories():
    bridge, summer = _items("rss20_wordpress.xml")
    assert bridge.source_key == "https://valleyledger.example.com/?p=4812"
    assert bridge.link == "https://valleyledger.example.com/2025/06/04/council-approves-new-bridge/"
    assert (
        bridge.headline == "Council approves the new bridge – and a 20 mph limit"
    )  # NBSP squashed
    assert bridge.authors == (("Priya Raman", ""),)
    assert bridge.tags == ("Local politics", "Transport", "Bridges & roads")
    assert bridge.published == datetime(2025, 6, 4, 16, 45, tzinfo=UTC)
    # The excerpt is the body's opening cut short: not a standfirst.
    assert bridge.standfirst == ""
    # media:content is the lead picture; the body's copy of it is not repeated, but its
    # alt text and caption travel with the lead image.
    assert bridge.lead_image.source_url.endswith("/2025/06/bridge.jpg")
    assert bridge.lead_image.credit == "Sam Ortiz/Valley Ledger"
    assert bridge.lead_image.alt == "The old bridge at dusk"
    assert bridge.lead_image.caption == "The old bridge, closed to lorries since 2019."
    assert "<figure>" not in bridge.body_html
    body = bridge.body_html
    assert body.startswith("<p>The vote was 9 to 2")
    assert "<h2>What changes for drivers</h2>" in body
    assert "<strong>Ana Ruiz</strong>" in body
    assert "<blockquote><p>We waited twenty years for this.</p>" in body
    # Relative links resolve against the feed's address; scripts and classes go.
    assert '<a href="https://feeds.example.com/documents/bridge-report.pdf">' in body
    assert "script" not in body and "tracking" not in body and "class=" not in body
    assert "appeared first on" not in body

    # A lazy-loaded picture: its real address is in data-src.
    assert summer.images[0].source_url == (
        "https://valleyledger.example.com/wp-content/uploads/2025/06/festival.jpg"
    )
    assert summer.images[0].alt == "Lanterns on the river"
    assert '<figure><img src="https://valleyledger.example.com/wp-content/uploads/2025/06/' in (
        summer.body_html
    )
    # <br><br> inside a paragraph is two paragraphs; a table is dropped and said so.
    assert "<p>The river festival returns on 12 July.</p><p>Tickets are free this year.</p>" in (
        summer.body_html
    )
    assert "a table was dropped: an article body has no tables" in summer.notes


def test_atom_10_xhtml_content_with_xml_base_several_authors_and_an_enclosure():
    keeper, ferries = _items("atom10_xhtml.xml")
    assert keeper.headline == "The last lighthouse keeper"  # type="html": tags dropped
    assert keeper.source_key == "tag:northwind.example.org,2025:story-881"
    assert keeper.link == "https://northwind.example.org/stories/last-lighthouse-keeper"
    assert keeper.authors == (
        ("Ingrid Solberg", "ingrid@northwind.example.org"),
        ("Kåre Dahl", ""),
    )
    assert keeper.published == datetime(2025, 5, 19, 4, 30, tzinfo=UTC)
    assert keeper.updated == datetime(2025, 5, 20, 7, 10, tzinfo=UTC)
    assert keeper.tags == ("People", "Coast & sea")
    assert keeper.lead_image.source_url == "https://northwind.example.org/media/lighthouse.jpg"
    body = keeper.body_html
    assert "<strong>Arne Holm</strong>" in body
    assert "<h3>The storm of 1993</h3>" in body  # h4 is not a heading the body has
    # xml:base of the content element decides.
    assert '<a href="https://northwind.example.org/stories/logbook">' in body
    assert (
        '<figure><img src="https://northwind.example.org/media/logbook.jpg" '
        'alt="A page of the logbook"><figcaption>A page of the 1993 logbook. '
        "<small>Kåre Dahl</small></figcaption></figure>"
    ) in body
    assert keeper.images[0].credit == "Kåre Dahl"

    # No <published>: <updated> stands in; the feed's author is the entry's; text content
    # becomes paragraphs.
    assert ferries.published == datetime(2025, 5, 10, 10, 0, tzinfo=UTC)
    assert ferries.authors == (("Northwind newsroom", ""),)
    assert ferries.body_html == (
        "<p>The operator ordered six electric ferries.</p>"
        "<p>They will replace diesel boats on the three busiest routes.</p>"
    )


def test_atom_blogger_escaped_html_with_br_paragraphs_and_a_thumbnail():
    (fair,) = _items("atom10_blogger_html.xml")
    assert fair.headline == "Spring fair raises £2,400 for the village hall"
    assert fair.body_html == (
        "<p>Thank you to everyone who came on Saturday.</p>"
        "<p>The cake stall alone raised <strong>£640</strong>.</p>"
        "<p>See you next year!</p>"
    )
    # media:thumbnail is a 72 px copy: the body's larger one is the lead picture.
    assert fair.lead_image.source_url == "https://blogger.example.com/img/s320/fair.jpg"
    assert fair.standfirst == ""


def test_wire_media_rss_summaries_bad_dates_and_an_entry_without_identity():
    bank, storm, nameless, rail = _parse("rss20_wire_mediarss.xml")
    assert bank.headline_only and bank.body_html == ""
    assert bank.standfirst == "The bank said inflation was falling more slowly than it had hoped."
    # The widest of several media:content renditions, with its credit.
    assert bank.lead_image.source_url.endswith("/bank-1920.jpg")
    assert bank.lead_image.credit == "Lena Fischer / Continental Wire"
    assert bank.authors == (("Lena Fischer", "desk@wire.example.com"),)
    assert bank.tags == ("Business",)

    assert storm.published is None
    assert "the date 'Thursday, 5 June 2025, about noon' could not be read" in storm.notes
    assert storm.source_key == "https://wire.example.com/weather/storm-warning-north-coast/"
    assert storm.lead_image.source_url.endswith("/storm-thumb.jpg")

    assert isinstance(nameless, FailedItem)
    assert nameless.position == "entry 3"
    assert "no id and no link" in nameless.reason

    assert rail.lead_image.source_url.endswith("/rail.jpg")  # an image enclosure


# --- encodings ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "headline", "body_words"),
    [
        (
            "encoding_declared_utf8_is_cp1252.xml",
            "Fête de la musique à Besançon : l’été commence",
            "répètent déjà place Granvelle — « on sera prêts »",
        ),
        (
            "encoding_declared_latin1_is_utf8.xml",
            "Größte Brücke Süddeutschlands für Lkw gesperrt",
            "Die Sperrung gilt ab Montag – für voraussichtlich",
        ),
        (
            "encoding_undeclared_latin1.xml",
            "El año más cálido en España desde 1961",
            "confirmó el récord el miércoles",
        ),
        ("encoding_windows1251.xml", "В Казани открыли новую станцию метро", "«Дубравная»"),
        (
            "encoding_bom_blank_line.xml",
            "Blank line before the declaration",
            "Strict parsers refuse this",
        ),
    ],
)
def test_encodings_as_found_in_the_wild(name, headline, body_words):
    (item,) = _items(name)
    assert item.headline == headline
    assert body_words in item.body_html
    assert "\ufffd" not in item.headline + item.body_html


def test_a_lying_declaration_is_noted():
    (item,) = _items("encoding_declared_utf8_is_cp1252.xml")
    assert "the feed declares 'UTF-8' but is not in it" in item.notes


def test_entities_in_titles_are_decoded_once_however_often_they_were_escaped():
    titles = [item.headline for item in _items("entities_in_titles.xml")]
    assert titles == [
        "Ministers’ pay frozen & reviewed",
        "Café owners — and their … rent",
        "AT&T and T-Mobile “merge” talks",
        "5 < 7 && rising: the maths of rents",
    ]


def test_a_feed_that_is_not_well_formed_is_read_leniently_and_says_so():
    data = (
        b'<rss version="2.0"><channel><title>x</title><item><title>Fish & chips</title>'
        b"<link>https://x.example/1</link><content:encoded xmlns:content="
        b'"http://purl.org/rss/1.0/modules/content/">&lt;p&gt;Open late.&lt;/p&gt;'
        b"</content:encoded></item></channel></rss>"
    )
    (item,) = list(parse_feed(data, url=FEED_URL))
    assert item.headline == "Fish & chips"
    assert item.body_html == "<p>Open late.</p>"
    assert any("not well-formed XML" in note for note in item.notes)


def test_the_http_charset_is_a_declaration_like_any_other():
    data = (
        '<rss version="2.0"><channel><title>x</title><item><title>Ærø færgen</title>'
        "<link>https://x.example/1</link><description>d</description></item></channel></rss>"
    ).encode("cp1252")
    (item,) = list(parse_feed(data, url=FEED_URL, declared_charset="windows-1252"))
    assert item.headline == "Ærø færgen"


def test_utf16_with_its_byte_order_mark():
    data = (
        '<?xml version="1.0" encoding="UTF-16"?><rss version="2.0"><channel><title>x</title>'
        "<item><title>Zürich – 東京</title><link>https://x.example/1</link>"
        "<description>d</description></item></channel></rss>"
    ).encode("utf-16")
    (item,) = list(parse_feed(data, url=FEED_URL))
    assert item.headline == "Zürich – 東京"


def test_a_prefixed_atom_root():
    data = (
        b'<?xml version="1.0"?><atom:feed xmlns:atom="http://www.w3.org/2005/Atom">'
        b"<atom:title>x</atom:title><atom:entry><atom:id>urn:x:1</atom:id>"
        b"<atom:title>Prefixed</atom:title><atom:summary>s</atom:summary></atom:entry>"
        b"</atom:feed>"
    )
    (item,) = list(parse_feed(data, url=FEED_URL))
    assert (item.source_key, item.headline) == ("urn:x:1", "Prefixed")
    with pytest.raises(FeedError, match="ends before </atom:feed>"):
        parse_feed(data[:-12], url=FEED_URL)


# --- bodies ------------------------------------------------------------------------------


def _one(content: str, **extra: str) -> ImportItem:
    item_xml = "".join(f"<{key}>{value}</{key}>" for key, value in extra.items())
    data = (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0" '
        'xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel><title>x</title>'
        f"<item><title>T</title><link>https://site.example/a/1</link>{item_xml}"
        f"<content:encoded><![CDATA[{content}]]></content:encoded></item></channel></rss>"
    ).encode()
    (item,) = list(parse_feed(data, url="https://site.example/feed/"))
    return item


def test_body_html_is_sanitised_to_the_blocks_an_article_has():
    item = _one(
        '<h1 onclick="x()">Title</h1><div class="x"><p style="color:red">One '
        '<a href="javascript:alert(1)">bad</a> <a href="rel/2" target="_blank">good</a>'
        "<script>alert(1)</script></p></div><iframe src='https://evil.example/'></iframe>"
        "<h5>Small</h5><p><i>it</i> <b>bold</b> <u>u</u> <sup>2</sup></p><hr>"
        "<pre>code &lt;b&gt;</pre><img src='https://t.example/pixel.gif' width=1>"
    )
    assert item.body_html.startswith("<h2>Title</h2><p>One bad ")
    assert '<a href="https://site.example/feed/rel/2">good</a>' in item.body_html
    for word in ("onclick", "style", "javascript", "script", "iframe", "target", "class"):
        assert word not in item.body_html
    assert "<h3>Small</h3><p><em>it</em> <strong>bold</strong> <u>u</u> <sup>2</sup></p>" in (
        item.body_html
    )
    assert "<pre>code &lt;b&gt;</pre>" in item.body_html
    assert "an embedded iframe was dropped" in item.notes


def test_text_at_the_top_level_becomes_paragraphs():
    item = _one("First line.<br><br>Second <em>line</em>.<p>Third.</p>Fourth.")
    assert item.body_html == (
        "<p>First line.</p><p>Second <em>line</em>.</p><p>Third.</p><p>Fourth.</p>"
    )


def test_a_long_summary_is_cut_to_a_standfirst():
    words = " ".join(["word"] * 150)
    item = _one("", description=words)
    assert item.headline_only
    assert len(item.standfirst) <= 400 and item.standfirst.endswith("…")
    assert "the summary is longer than a standfirst: cut short" in item.notes


def test_an_entry_without_a_title_takes_its_first_words():
    data = (
        b'<rss version="2.0"><channel><title>x</title><item><link>https://x.example/1</link>'
        b"<description>A short note on the weather today, with no title of its own at all, "
        b"as microblogs post them.</description></item></channel></rss>"
    )
    (item,) = list(parse_feed(data, url=FEED_URL))
    assert item.headline == "A short note on the weather today, with no title…"
    assert "the entry has no title: the headline is its first words" in item.notes


def test_ids_that_are_not_uris_are_qualified_by_the_feeds_host():
    data = (
        b'<rss version="2.0"><channel><title>x</title><item><title>T</title>'
        b'<guid isPermaLink="false">4812</guid><description>d</description></item>'
        b"</channel></rss>"
    )
    (ours,) = list(parse_feed(data, url="https://Ledger.example.com/feed/"))
    (theirs,) = list(parse_feed(data, url="https://other.example.org/rss"))
    assert ours.source_key == "feed:ledger.example.com:4812"
    assert theirs.source_key == "feed:other.example.org:4812"


def test_a_very_long_id_becomes_a_stable_hash():
    long_id = "https://x.example/?" + "&".join(f"utm_{n}=x" for n in range(60))
    data = (
        f'<rss version="2.0"><channel><title>x</title><item><title>T</title>'
        f'<guid isPermaLink="false">{long_id.replace("&", "&amp;")}</guid>'
        f"<description>d</description></item></channel></rss>"
    ).encode()
    first = next(iter(parse_feed(data, url=FEED_URL)))
    again = next(iter(parse_feed(data, url=FEED_URL)))
    assert first.source_key.startswith("sha256:") and len(first.source_key) <= 255
    assert first.source_key == again.source_key


# --- hostile files -----------------------------------------------------------------------

BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE rss [
<!ENTITY a "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa">
<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">
<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">
<!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;">
<!ENTITY e "&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;">
<!ENTITY f "&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;">
<!ENTITY g "&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;">
<!ENTITY h "&g;&g;&g;&g;&g;&g;&g;&g;&g;&g;">
<!ENTITY i "&h;&h;&h;&h;&h;&h;&h;&h;&h;&h;">
]>
<rss version="2.0"><channel><title>x</title><item><title>Laughs &i;</title>
<link>https://x.example/1</link><description>&i;</description></item></channel></rss>"""


class _CountingHandler(http.server.BaseHTTPRequestHandler):
    requests: list[str] = []

    def do_GET(self):
        type(self).requests.append(self.path)
        body = b'<!ENTITY leak "LEAKED">' if self.path.endswith(".dtd") else b"LEAKED"
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def loopback_server():
    _CountingHandler.requests = []
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _CountingHandler)
    serve_in_background(server)
    yield f"http://127.0.0.1:{server.server_address[1]}", _CountingHandler.requests
    server.shutdown()
    server.server_close()


def test_an_entity_bomb_is_refused_at_once():
    with pytest.raises(FeedError, match="declares XML entities of its own"):
        parse_feed(BILLION_LAUGHS, url=FEED_URL)


def test_external_entities_are_refused_and_never_fetched(loopback_server, tmp_path):
    base, requests = loopback_server
    secret = tmp_path / "secret.txt"
    secret.write_text("LEAKED")
    data = (
        f'<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY file SYSTEM "file://{secret}">'
        f'<!ENTITY remote SYSTEM "{base}/remote">]><rss version="2.0"><channel><title>x'
        "</title><item><title>&file; &remote;</title><link>https://x.example/1</link>"
        "<description>d</description></item></channel></rss>"
    ).encode()
    with pytest.raises(FeedError, match="external entity"):
        parse_feed(data, url=FEED_URL)
    assert requests == []


def test_feedparser_never_fetches_an_external_dtd(loopback_server):
    # A DOCTYPE naming a DTD (as RSS 0.91 feeds do) is not an entity declaration: the feed
    # is read, and the DTD is not fetched, so what it declares never arrives.
    base, requests = loopback_server
    data = (
        f'<?xml version="1.0"?><!DOCTYPE rss SYSTEM "{base}/rss-0.91.dtd"><rss version="0.91">'
        "<channel><title>x</title><item><title>Dtd &leak;</title><link>https://x.example/1</link>"
        "<description>d</description></item></channel></rss>"
    ).encode()
    (item,) = list(parse_feed(data, url=FEED_URL))
    assert "LEAKED" not in item.headline
    assert requests == []


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "the feed is empty"),
        (b" \r\n\t", "the feed is empty"),
        (b"\x89PNG\r\n\x1a\n" + bytes(range(256)), "not a feed: it is a PNG image"),
        (b"\x1f\x8b\x08\x00" + bytes(64), "gzip-compressed"),
        (bytes(range(256)) * 20, "binary data"),
        (b"<!DOCTYPE html><html><body><p>Hello</p></body></html>", "an HTML page"),
        (b'<?xml version="1.0"?><note><to>Tove</to></note>', "no <rss>, <feed> or <rdf:RDF>"),
        (b'{"version": "https://jsonfeed.org/version/1.1", "items": []}', "no <rss>"),
    ],
)
def test_files_that_are_not_feeds_get_a_one_line_error(data, message):
    with pytest.raises(FeedError, match=message) as raised:
        parse_feed(data, url=FEED_URL)
    assert "\n" not in str(raised.value)


def test_a_truncated_feed_is_refused_rather_than_read_in_part():
    data = (FIXTURES / "rss20_wordpress.xml").read_bytes()
    with pytest.raises(FeedError, match="the feed is truncated: it ends before </rss>"):
        parse_feed(data[: len(data) // 2], url=FEED_URL)
    atom = (FIXTURES / "atom10_xhtml.xml").read_bytes()
    with pytest.raises(FeedError, match="</feed>"):
        parse_feed(atom[:-40], url=FEED_URL)


def test_an_oversized_feed_is_refused(monkeypatch):
    from gazette.importers.sources import feed

    monkeypatch.setattr(feed, "MAX_FEED_BYTES", 1000)
    with pytest.raises(FeedError, match="over"):
        parse_feed((FIXTURES / "rss20_wordpress.xml").read_bytes(), url=FEED_URL)


def test_one_bad_entry_fails_alone(monkeypatch):
    from gazette.importers.sources import feed

    real = feed._Body.from_html

    def explode_on_the_second(markup, *, base):
        if "Second" in markup:
            raise ValueError("boom\nwith a second line")
        return real(markup, base=base)

    monkeypatch.setattr(feed._Body, "from_html", staticmethod(explode_on_the_second))
    data = (
        b'<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/">'
        b"<channel><title>x</title>"
        + b"".join(
            f"<item><title>{word}</title><guid isPermaLink='false'>k-{word}</guid>"
            f"<content:encoded>&lt;p&gt;{word} body&lt;/p&gt;</content:encoded></item>".encode()
            for word in ("First", "Second", "Third")
        )
        + b"</channel></rss>"
    )
    first, second, third = list(parse_feed(data, url=FEED_URL))
    assert first.headline == "First" and third.headline == "Third"
    assert isinstance(second, FailedItem)
    assert second.position == "entry 2" and second.source_key == "feed:feeds.example.com:k-Second"
    assert second.reason == "the entry could not be read (ValueError: boom with a second line)"
