"""A reader's search box text made into terms the full-text engines cannot choke on.

Wagtail hands terms to SQLite FTS5 and PostgreSQL tsquery as query syntax: a stray quote,
``NEAR(``, ``*`` or a NUL byte would be a syntax error (a 500) rather than a search. Only
runs of letters and digits survive, which is also all either engine indexes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

MAX_TERMS = 12
MAX_TERM_LENGTH = 60
WORD = re.compile(r"[^\W_]+")


@dataclass(frozen=True)
class SearchTerms:
    terms: tuple[str, ...]
    shortened: bool = False  # the query had more (or longer) words than are searched

    def __bool__(self) -> bool:
        return bool(self.terms)

    @property
    def text(self) -> str:
        return " ".join(self.terms)


def parse_terms(raw: str) -> SearchTerms:
    words = WORD.findall(raw or "")
    terms = []
    for word in words:
        lowered = word.lower()[:MAX_TERM_LENGTH]
        if lowered not in terms:
            terms.append(lowered)
    shortened = len(terms) > MAX_TERMS or any(len(word) > MAX_TERM_LENGTH for word in words)
    return SearchTerms(tuple(terms[:MAX_TERMS]), shortened)
