"""Hostile input for the stack tests: hypothesis strategies (XSS-like, SQL-like, huge,
control characters, combining marks, bidi overrides, NUL, invalid UTF-8) and what an answer to
any of it must not be: a 5xx, slower than the client's time limit (the request raises), or the
input reflected unescaped in HTML.

Every value a test sends carries a marker of its own in front (``zq3f2a1-...``), so that its
reflection can be found in an answer whatever else the page holds.
"""

from __future__ import annotations

import itertools
import re
from html.parser import HTMLParser
from urllib.parse import quote

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

from tests.stack.web import TIMEOUT

# No answer may take longer (seconds): the client gives up and the example fails.
TIME_LIMIT = TIMEOUT


def hostile(examples: int) -> settings:
    """hypothesis's settings for ``examples`` requests through the stack."""
    return settings(
        max_examples=examples,
        deadline=None,  # the stack's speed is bench/'s business; TIME_LIMIT bounds each answer
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
    )


XSS = (
    "<script>alert(1)</script>",
    '"><script>alert(1)</script>',
    "'><img src=x onerror=alert(1)>",
    '" autofocus onfocus="alert(1)" x="',
    "<svg/onload=alert(1)>",
    "</textarea><script>alert(1)</script>",
    "</title><script>alert(1)</script>",
    "<iframe src=javascript:alert(1)></iframe>",
    '<a href="javascript:alert(1)">x</a>',
    "javascript:alert(1)",
    "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    "<!--<script>alert(1)//-->",
    "]]><script>alert(1)</script>",
    "{{ 7|add:7 }}{% debug %}${7*7}",
    "https://example.org/<script>alert(1)</script>",
    'www.example.org/?q="onmouseover=alert(1)//',
)
SQL = (
    "' OR '1'='1",
    "' OR 1=1 --",
    '"; DROP TABLE news_articlepage; --',
    "1' UNION SELECT NULL,NULL,NULL--",
    "%' AND 1=1 AND '%'='",
    "1; SELECT pg_sleep(30)--",
    "' || pg_sleep(30) || '",
    "1 AND 1=CAST((SELECT version()) AS int)",
    "') OR ('x'='x",
    "\\",
    "'",
    '"',
    "%",
    "_",
    "*",
    "1e309",
    "-1",
    "99999999999999999999999999999",
    "NaN",
)
BIDI = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c"
INVALID_UTF8 = (
    b"\xff",
    b"\xfe\xff",
    b"\xc0\xaf",
    b"\xed\xa0\x80",
    b"\xf8\x88\x80\x80\x80",
    b"\x80",
)

control = st.text(
    alphabet=st.characters(min_codepoint=0, max_codepoint=0x1F)
    | st.characters(min_codepoint=0x7F, max_codepoint=0x9F),
    min_size=1,
    max_size=40,
)
combining = st.text(alphabet=st.characters(categories=["Mn", "Me"]), min_size=1, max_size=400)
bidi = st.text(alphabet=st.sampled_from(BIDI) | st.sampled_from("abc<>'\" "), min_size=1)
nul = st.builds(lambda a, b: f"{a}\x00{b}", st.text(max_size=20), st.text(max_size=20))
huge = st.builds(
    lambda piece, times: piece * times,
    st.sampled_from(["a", "é", "<", "'", "\u0301", "\u202e", "word "]),
    st.integers(min_value=500, max_value=3000),
)
hostile_text = st.one_of(
    st.sampled_from(XSS),
    st.sampled_from(SQL),
    control,
    combining,
    bidi,
    nul,
    huge,
    st.text(max_size=60),
    # Mixtures: a payload hidden behind marks, overrides or control characters.
    st.builds(lambda a, b: a + b, st.sampled_from(XSS + SQL), combining | bidi | control | nul),
    st.builds(lambda a, b: a + b, combining | bidi | control, st.sampled_from(XSS + SQL)),
)
invalid_utf8 = st.builds(
    lambda head, bad, tail: head.encode() + bad + tail.encode(),
    st.text(max_size=10),
    st.sampled_from(INVALID_UTF8) | st.binary(min_size=1, max_size=16),
    st.text(max_size=10),
)
# What a query string, a path segment or a form field can carry.
hostile_value = st.one_of(hostile_text, invalid_utf8)
# What a header can carry: bytes without CR or LF (a client cannot send those).
hostile_header = st.one_of(
    hostile_text.map(lambda text: text.encode("utf-8", "surrogatepass")), invalid_utf8
).map(lambda raw: raw.replace(b"\r", b" ").replace(b"\n", b" ").strip() or b"x")

_markers = itertools.count(1)
_addresses = itertools.count(1)


def marked(value: str | bytes) -> str | bytes:
    """``value`` behind a marker no page holds by itself."""
    marker = f"zq{next(_markers):x}-"
    return marker.encode() + value if isinstance(value, bytes) else marker + value


def mark_all(values: dict) -> tuple[dict, list]:
    """Every value (or list of values) of ``values`` marked; and the marked values."""
    out, sent = {}, []
    for name, value in values.items():
        if isinstance(value, list):
            out[name] = [marked(item) for item in value]
            sent += out[name]
        else:
            out[name] = marked(value)
            sent.append(out[name])
    return out, sent


def segment(value: str | bytes) -> str:
    """A value as one path segment."""
    return quote(value, safe="")


def another_reader() -> str:
    """A loopback address no earlier example used: the app's per-address limits (comments,
    the API) see a new reader, as the many readers of a real site would be."""
    number = next(_addresses)
    return f"127.{100 + number // 64516 % 100}.{number // 254 % 254 + 1}.{number % 254 + 1}"


SPECIAL = "<>\"'"


def raw_prefixes(value: str | bytes) -> list[str]:
    """The marked value up to each character HTML may need escaped, shortest first."""
    if isinstance(value, bytes):
        try:
            value = value.decode("utf-8")
        except UnicodeDecodeError:
            return []
    return [value[: position + 1] for position, c in enumerate(value) if c in SPECIAL]


def _unescaped_at(body: str, index: int, character: str) -> bool:
    """Is ``character`` at ``index`` of an HTML page markup a value must not make? A "<"
    anywhere; a quote or ">" inside a tag (an attribute's value) or a script element. A quote
    in a paragraph's text is only text (rich text keeps it so)."""
    if character == "<":
        return True
    in_tag = body.rfind("<", 0, index) > body.rfind(">", 0, index)
    in_script = body.rfind("<script", 0, index) > body.rfind("</script", 0, index)
    return in_tag or in_script


def check_answer(response, sent: list, what: str = "") -> None:
    """No 5xx, and no value of ``sent`` reflected unescaped in HTML (JSON may carry it: it is
    served as JSON, never sniffed as anything else)."""
    where = f"{response.request.method} {response.request.url[:300]} {what}"
    assert response.status_code < 500, f"{response.status_code} for {where}"
    content_type = response.headers.get("Content-Type", "")
    body = response.text
    for value in sent:
        for prefix in raw_prefixes(value):
            assert prefix not in response.headers.get("Location", ""), f"Location of {where}"
            if prefix not in body:
                break  # escaped here: the longer prefixes are not there either
            if content_type.startswith("application/json"):
                assert response.headers.get("X-Content-Type-Options") == "nosniff", where
                continue
            for found in re.finditer(re.escape(prefix), body):
                index = found.end() - 1
                assert not _unescaped_at(body, index, prefix[-1]), (
                    f"{prefix!r} unescaped in the {content_type} answer to {where}: "
                    f"{body[max(0, index - 200) : index + 50]!r}"
                )


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.targets: list[str] = []

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if name in ("href", "src", "action", "formaction") and value:
                self.targets.append(value)


SCRIPT_SCHEME = re.compile(r"^(?:java|vb)script:|^data:text/html", re.I)


def script_links(html: str) -> list[str]:
    """The links of a page (href, src, action) that would run a script, as a browser reads
    them: entities decoded, whitespace and control characters inside the scheme ignored."""
    parser = _Links()
    parser.feed(html)
    return [
        target
        for target in parser.targets
        if SCRIPT_SCHEME.match(re.sub(r"[\x00-\x20]", "", target))
    ]
