"""How well the web-page importer reads article pages: each field of each fixture, scored.

    .venv/bin/python bench/import_accuracy.py [--fixtures DIR] [--verbose]

A fixture is NAME.html with NAME.json beside it: the page's address, the charset its server
declared (or null) and the expected fields (tests/importers/fixtures/webpages/ holds the
project's own; point --fixtures at another folder of the same shape to score real pages).
Scores, per page:

- title: the headline exactly; authors: the same set of names; published and modified:
  within a minute (an expected null must come out empty);
- section, standfirst, canonical URL: exactly; tags: the same set, case aside;
- lead image: the URL, caption and credit exactly; figures: each expected caption and credit
  in the body;
- body: similarity of the body's text to the expected text, word by word (difflib's ratio).

Prints a table and a summary; exits 1 when the target (body similarity >= 0.95 on every
page, every title and date right) is missed.
"""

from __future__ import annotations

import argparse
import difflib
import json
import sys
import time
from datetime import datetime
from pathlib import Path

from lxml import html as lxml_html

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # this tree's gazette, wherever the script is run from

from gazette.importers.sources.webpage import (  # noqa: E402
    ExtractedPage,
    WebpageError,
    parse_webpage,
)

FIXTURES = ROOT / "tests" / "importers" / "fixtures" / "webpages"
TARGET_SIMILARITY = 0.95
FIELDS = ("title", "authors", "published", "modified", "section", "tags", "standfirst",
          "canonical", "lead image", "figures")  # fmt: skip


def similarity(got: str, expected: str) -> float:
    if not got and not expected:
        return 1.0
    matcher = difflib.SequenceMatcher(None, got.split(), expected.split(), autojunk=False)
    return matcher.ratio()


def _same_time(got: datetime | None, expected: str | None) -> bool:
    if expected is None:
        return got is None
    return got is not None and abs((got - datetime.fromisoformat(expected)).total_seconds()) <= 60


def body_figures(page: ExtractedPage) -> list[tuple[str, str]]:
    """(caption, credit) of each figure in the body."""
    if not page.body_html:
        return []
    root = lxml_html.fragment_fromstring(page.body_html, create_parent="div")
    found = []
    for caption in root.iter("figcaption"):
        credit = caption.find("small")
        credit_text = " ".join(credit.text_content().split()) if credit is not None else ""
        if credit is not None:
            credit.drop_tree()
        found.append((" ".join(caption.text_content().split()), credit_text))
    return found


def score(page: ExtractedPage, expected: dict) -> dict[str, bool | float]:
    lead = expected.get("lead_image")
    got_lead = page.lead_image
    lead_ok = (
        (got_lead is None)
        if lead is None
        else (
            got_lead is not None
            and (got_lead.url, got_lead.caption, got_lead.credit)
            == (lead["url"], lead["caption"], lead["credit"])
        )
    )
    figures = body_figures(page)
    wanted = [(f["caption"], f["credit"]) for f in expected.get("figures", [])]
    return {
        "title": page.headline == expected["headline"],
        "authors": set(page.authors) == set(expected["authors"]),
        "published": _same_time(page.published, expected["published"]),
        "modified": _same_time(page.modified, expected.get("modified")),
        "section": page.section == expected.get("section", ""),
        "tags": {t.casefold() for t in page.tags}
        == {t.casefold() for t in expected.get("tags", [])},
        "standfirst": page.standfirst == expected.get("standfirst", ""),
        "canonical": page.canonical_url == expected["canonical_url"],
        "lead image": lead_ok,
        "figures": all(f in figures for f in wanted),
        "body": similarity(page.body_text, expected["body_text"]),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--fixtures", type=Path, default=FIXTURES)
    parser.add_argument("--verbose", action="store_true", help="print what each miss got")
    args = parser.parse_args(argv)

    rows = []
    for sidecar in sorted(args.fixtures.glob("*.json")):
        fixture = json.loads(sidecar.read_text(encoding="utf-8"))
        data = sidecar.with_suffix(".html").read_bytes()
        started = time.perf_counter()
        try:
            page = parse_webpage(
                data, url=fixture["url"], declared_charset=fixture.get("declared_charset")
            )
        except WebpageError as exc:
            rows.append((sidecar.stem, None, 0.0, str(exc)))
            continue
        elapsed = time.perf_counter() - started
        result = score(page, fixture["expected"])
        rows.append((sidecar.stem, result, elapsed, page))
    if not rows:
        print(f"no fixtures in {args.fixtures}")
        return 1

    width = max(len(name) for name, *_ in rows)
    columns = [f"{'page':<{width}}", *FIELDS, "body similarity", "ms"]
    print("| " + " | ".join(columns) + " |")
    print("|" + "|".join("-" * (len(column) + 2) for column in columns) + "|")
    for name, result, elapsed, page in rows:
        if result is None:
            print(
                f"| {name:<{width}} | "
                + " | ".join("error" for _ in FIELDS)
                + f" | 0.000 | - |  {page}"
            )
            continue
        cells = [("ok" if result[f] else "MISS").center(len(f)) for f in FIELDS]
        body = f"{result['body']:.3f}".center(len("body similarity"))
        print(f"| {name:<{width}} | " + " | ".join(cells) + f" | {body} | {elapsed * 1000:.0f} |")
        if args.verbose:
            for field in FIELDS:
                if not result[field]:
                    print(f"    {field}: got {page!r:.300}")

    scored = [r for _, r, _, _ in rows if r is not None]
    print()
    for field in FIELDS:
        print(f"{field:>15}: {sum(bool(r[field]) for r in scored)}/{len(rows)}")
    bodies = [r["body"] for r in scored] + [0.0] * (len(rows) - len(scored))
    print(f"{'body':>15}: mean {sum(bodies) / len(bodies):.3f}, min {min(bodies):.3f}")
    met = (
        len(scored) == len(rows)
        and all(r["body"] >= TARGET_SIMILARITY for r in scored)
        and all(r["title"] and r["published"] and r["modified"] for r in scored)
    )
    print(f"target (body >= {TARGET_SIMILARITY} on every page, every title and date right): "
          f"{'met' if met else 'MISSED'}")  # fmt: skip
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
