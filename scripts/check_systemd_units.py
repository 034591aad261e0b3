"""Check the production systemd units (deploy/systemd/) with `systemd-analyze verify`, as
`make lint` does; skipped, with a line saying so, where systemd-analyze is not installed.

    python scripts/check_systemd_units.py [--units deploy/systemd]

The units name the release where docs/operations.md installs it (/srv/gazette, its
virtualenv in /srv/gazette/.venv). verify insists that ExecStart's program exists, so each
unit is checked as a copy with those paths rewritten to this checkout and its virtualenv.
systemd-analyze only warns (exit 0) about a value it cannot parse and ignores: any line it
prints fails the check. Standard library only.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

REPOSITORY = Path(__file__).resolve().parent.parent
UNITS = REPOSITORY / "deploy" / "systemd"
INSTALLED_RELEASE = "/srv/gazette"
UNIT_SUFFIXES = (".service", ".target")


def systemd_analyze() -> str | None:
    return shutil.which("systemd-analyze") or (
        "/usr/bin/systemd-analyze" if Path("/usr/bin/systemd-analyze").exists() else None
    )


def localised(text: str, *, release: Path, venv_bin: Path) -> str:
    """The unit with the installed release's paths pointing at this checkout."""
    return text.replace(f"{INSTALLED_RELEASE}/.venv/bin/", f"{venv_bin}/").replace(
        INSTALLED_RELEASE, str(release)
    )


def unit_files(units: Path) -> list[Path]:
    return sorted(p for p in units.iterdir() if p.suffix in UNIT_SUFFIXES)


def verify(
    units: Path = UNITS, *, release: Path = REPOSITORY, venv_bin: Path | None = None
) -> list[str]:
    """What systemd-analyze verify says about the units (an empty list: nothing)."""
    analyze = systemd_analyze()
    if analyze is None:
        raise FileNotFoundError("systemd-analyze is not installed")
    venv_bin = venv_bin or Path(sys.executable).parent
    files = unit_files(units)
    if not files:
        return [f"no unit files in {units}"]
    with tempfile.TemporaryDirectory(prefix="gazette-units-") as tmp:
        copies = []
        for path in files:
            copy = Path(tmp) / path.name
            copy.write_text(localised(path.read_text(), release=release, venv_bin=venv_bin))
            copies.append(str(copy))
        done = subprocess.run(  # noqa: S603 - systemd-analyze on our own unit copies
            [analyze, "verify", "--man=no", *copies],
            capture_output=True,
            text=True,
            check=False,
        )
    problems = [line for line in (done.stdout + done.stderr).splitlines() if line.strip()]
    if done.returncode != 0 and not problems:
        problems.append(f"systemd-analyze verify exited {done.returncode}")
    return problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--units", type=Path, default=UNITS)
    args = parser.parse_args(argv)
    if systemd_analyze() is None:
        print("systemd units: systemd-analyze is not installed, not verified")
        return 0
    problems = verify(args.units)
    for line in problems:
        print(f"systemd units: {line}", file=sys.stderr)
    if not problems:
        print(f"systemd units: {len(unit_files(args.units))} verified")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
