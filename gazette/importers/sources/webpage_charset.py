"""Decode a web page's bytes whatever its declarations say.

Pages lie about their encoding: a server's header says ISO-8859-1 for a UTF-8 page, an old
template keeps ``<meta charset="utf-8">`` after the site moved to EUC-KR, a saved page has no
declaration at all. The order, strongest evidence first:

1. a byte-order mark;
2. the bytes are valid UTF-8 with non-ASCII characters in them: a text in any other encoding
   is almost never valid UTF-8 by accident, so this outranks every declaration;
3. the declared charset (HTTP header), then the page's own ``<meta>``, if it decodes
   cleanly; a single-byte charset decodes anything, so it is checked against detection;
4. detection (charset-normalizer), with windows-1252 for text in the Latin alphabets, as
   browsers do with an undeclared page.

Labels are read as the WHATWG Encoding standard reads them (ISO-8859-1 is windows-1252,
EUC-KR is windows-949), since that is what the page's author saw in a browser.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass

import charset_normalizer

__all__ = ["DecodedPage", "decode_html"]

_BOMS = (
    # UTF-32 LE's mark starts with UTF-16 LE's: test it first.
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)

# WHATWG label -> the Python codec that decodes what a browser decodes.
_WHATWG = {
    **dict.fromkeys(
        ("iso-8859-1", "iso8859-1", "latin1", "latin-1", "l1", "us-ascii", "ascii", "cp819"),
        "cp1252",
    ),
    **dict.fromkeys(("euc-kr", "ks_c_5601-1987", "ksc5601", "ks_c_5601", "korean"), "cp949"),
    **dict.fromkeys(("gb2312", "gbk", "x-gbk", "gb_2312-80", "chinese"), "gb18030"),
    **dict.fromkeys(("shift_jis", "shift-jis", "sjis", "x-sjis", "ms_kanji"), "cp932"),
    **dict.fromkeys(("iso-8859-9", "latin5"), "cp1254"),
    **dict.fromkeys(("tis-620", "iso-8859-11"), "cp874"),
    "big5": "big5hkscs",
    "x-user-defined": "cp1252",
}
# Latin-alphabet single-byte codecs: detection cannot tell them apart on a short text.
_LATIN = {
    "cp1252", "latin_1", "iso8859_15", "cp1250", "iso8859_2", "mac_roman", "cp850",
    "cp437", "mac_latin2", "iso8859_9", "cp1254", "iso8859_3", "iso8859_4", "iso8859_10",
    "iso8859_13", "iso8859_14", "iso8859_16", "cp1257",
}  # fmt: skip
# Codecs in which (nearly) every byte decodes: a clean decode proves nothing.
_SINGLE_BYTE = _LATIN | {"iso8859_5", "cp1251", "koi8_r", "cp1253", "cp1255", "cp1256", "cp874"}
_MULTIBYTE = {"cp949", "euc_kr", "gb18030", "gb2312", "gbk", "big5", "big5hkscs", "cp932"}
_MULTIBYTE |= {"shift_jis", "euc_jp", "iso2022_jp", "johab", "hz", "cp950"}
# In the spelling codecs.lookup() gives names ("iso8859-1", "mac-latin2"), as codec_for does.
_LATIN = {codecs.lookup(name).name for name in _LATIN}
_SINGLE_BYTE = {codecs.lookup(name).name for name in _SINGLE_BYTE}
_MULTIBYTE = {codecs.lookup(name).name for name in _MULTIBYTE}

_META_CHARSET = re.compile(
    rb"""<meta[^>]+?charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)"""
    rb"""|<\?xml[^>]+encoding\s*=\s*["']([A-Za-z0-9_.:-]+)""",
    re.IGNORECASE,
)
# Declarations sit in the head; a page with a lot of inline CSS pushes them far down.
_PRESCAN_BYTES = 16 * 1024


@dataclass(frozen=True)
class DecodedPage:
    text: str
    encoding: str  # the Python codec used
    notes: tuple[str, ...]


def codec_for(label: str | None) -> str | None:
    """The Python codec for a charset label, or None when the label names none."""
    if not label:
        return None
    label = label.strip().strip("\"'").lower()
    label = _WHATWG.get(label, label)
    try:
        return codecs.lookup(label).name
    except LookupError:
        return None


def _meta_charset(data: bytes) -> str | None:
    match = _META_CHARSET.search(data[:_PRESCAN_BYTES])
    if match is None:
        return None
    return (match.group(1) or match.group(2)).decode("ascii")


def _strict(data: bytes, codec: str) -> str | None:
    try:
        return data.decode(codec)
    except (UnicodeDecodeError, LookupError):
        return None


def _detected(data: bytes) -> str | None:
    best = charset_normalizer.from_bytes(data).best()
    return codec_for(best.encoding) if best is not None else None


def _undeclared(data: bytes, notes: list[str], reason: str) -> DecodedPage:
    detected = _detected(data)
    if detected is None or detected in _LATIN:
        # Browsers read an undeclared page in the Latin alphabets as windows-1252.
        detected = "cp1252"
    notes.append(f"{reason}; read as {detected}")
    return DecodedPage(data.decode(detected, errors="replace"), detected, tuple(notes))


def decode_html(data: bytes, declared_charset: str | None = None) -> DecodedPage:
    """Decode the page's bytes; never fails (undecodable bytes become U+FFFD)."""
    for bom, codec in _BOMS:
        if data.startswith(bom):
            return DecodedPage(data[len(bom) :].decode(codec, errors="replace"), codec, ())
    notes: list[str] = []
    declared = codec_for(declared_charset)
    if declared_charset and declared is None:
        notes.append(f"the declared charset {declared_charset!r} is unknown; ignored")
    in_page_label = _meta_charset(data)
    in_page = codec_for(in_page_label)
    if data.isascii():
        return DecodedPage(data.decode("ascii"), "ascii", tuple(notes))

    utf8 = _strict(data, "utf-8")
    if utf8 is not None:
        for label, codec in ((declared_charset, declared), (in_page_label, in_page)):
            if codec not in (None, "utf-8"):
                notes.append(f"the page declares {label!r} but is UTF-8; read as UTF-8")
                break
        return DecodedPage(utf8, "utf-8", tuple(notes))

    for label, codec in ((declared_charset, declared), (in_page_label, in_page)):
        if codec is None:
            continue
        text = _strict(data, codec)
        if text is None:
            notes.append(f"the page declares {label!r} but is not in it")
            continue
        if codec not in _SINGLE_BYTE:
            return DecodedPage(text, codec, tuple(notes))
        # Any byte soup decodes as windows-1252: a Korean page mislabelled Latin-1 would
        # come out as mojibake. Detection decides between the label and a multibyte codec.
        detected = _detected(data)
        if detected in _MULTIBYTE and _strict(data, detected) is not None:
            notes.append(f"the page declares {label!r} but is {detected}; read as {detected}")
            return DecodedPage(data.decode(detected), detected, tuple(notes))
        return DecodedPage(text, codec, tuple(notes))

    reason = "the page declares no charset" if not notes else "no declared charset fits"
    return _undeclared(data, notes, reason)
