"""Compile the reader side's translations (gazette/locale/<lang>/LC_MESSAGES/django.po) into
the .mo files Django reads, with Babel: no system gettext (msgfmt) needed on a fresh machine.
The .mo files are built, never committed; `make` runs this at install, the tests when missing.

    .venv/bin/python scripts/compile_messages.py          # every catalogue whose .mo is stale
    .venv/bin/python scripts/compile_messages.py --check  # also fail on untranslated or fuzzy
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

LOCALE_DIR = Path(__file__).resolve().parents[1] / "gazette" / "locale"


def catalogue_problems(po_path: Path) -> list[str]:
    """Messages a reader would see in English: untranslated or marked fuzzy."""
    with po_path.open("rb") as handle:
        catalog = read_po(handle)
    problems = []
    for message in catalog:
        if not message.id:
            continue
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        if message.fuzzy or not all(strings):
            problems.append(f"{po_path}: {message.id!r} is not translated")
    return problems


def compile_catalogue(po_path: Path, *, force: bool = False) -> Path | None:
    """Write the .mo beside the .po when it is missing or older; the path written, or None."""
    mo_path = po_path.with_suffix(".mo")
    if not force and mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
        return None
    with po_path.open("rb") as handle:
        catalog = read_po(handle, locale=po_path.parents[1].name)
    temporary = mo_path.with_suffix(f".mo.{os.getpid()}.tmp")  # test workers compile at once
    with temporary.open("wb") as handle:
        write_mo(handle, catalog, use_fuzzy=False)
    temporary.replace(mo_path)  # atomic: a server reading it never sees half a file
    return mo_path


def compile_all(locale_dir: Path = LOCALE_DIR, *, force: bool = False) -> list[Path]:
    written = []
    for po_path in sorted(locale_dir.glob("*/LC_MESSAGES/*.po")):
        if (mo_path := compile_catalogue(po_path, force=force)) is not None:
            written.append(mo_path)
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--force", action="store_true", help="rewrite every .mo")
    parser.add_argument("--check", action="store_true", help="fail on untranslated messages")
    args = parser.parse_args(argv)
    if args.check:
        problems = [
            problem
            for po_path in sorted(LOCALE_DIR.glob("*/LC_MESSAGES/*.po"))
            for problem in catalogue_problems(po_path)
        ]
        if problems:
            print("\n".join(problems), file=sys.stderr)
            return 1
    for mo_path in compile_all(force=args.force):
        print(f"compiled {mo_path.relative_to(LOCALE_DIR.parent.parent)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
