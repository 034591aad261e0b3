"""Text that is safe inside XML 1.0, which has no way to write most control characters."""

import re
from xml.sax.saxutils import escape

NOT_XML_CHARACTERS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def xml_text(text: str) -> str:
    """Text without the characters XML 1.0 cannot carry (Django's feed writer refuses them)."""
    return NOT_XML_CHARACTERS.sub("", text)


def xml_escape(text: str) -> str:
    return escape(xml_text(text))
