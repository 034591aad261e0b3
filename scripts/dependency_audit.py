"""Audit the locked dependencies with pip-audit (`make audit`, part of `make test`).

pip-audit asks a vulnerability service about each pinned package. Where PyPI's advisory API
answers, that is the source (`--source live`). Where it does not (CI machines without the
open internet), pip-audit asks an OSV endpoint served here on loopback from a vendored
snapshot of the PyPA advisory database (`--source snapshot`), through its `--osv-url` option:
the audit itself, its output and its exit status are pip-audit's own either way.

    python scripts/dependency_audit.py [--source auto|live|snapshot] [-r requirements.lock]
                                       [--ignore-vuln ID ...]
    python scripts/dependency_audit.py snapshot --from PATH/TO/advisory-database

The snapshot is refreshed from a checkout of github.com/pypa/advisory-database; it says how
old it is on every run, so a stale one is seen.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import gzip
import json
import subprocess
import sys
import threading
import urllib.error
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from packaging.utils import canonicalize_name
from packaging.version import InvalidVersion, Version

ROOT = Path(__file__).resolve().parent.parent
SNAPSHOT = ROOT / "scripts" / "advisories" / "pypa-advisory-database.json.gz"
LOCK = ROOT / "requirements.lock"
# Any pinned release answers here when PyPI's per-release JSON API (and its advisories) is up.
LIVE_PROBE_URL = "https://pypi.org/pypi/pip/24.0/json"
# The fields pip-audit reads from an OSV record; references and the rest stay out of the file.
KEPT_FIELDS = ("id", "modified", "published", "withdrawn", "aliases", "summary", "details")


# --- the snapshot ---------------------------------------------------------------------------


class AdvisorySnapshot:
    """The PyPA advisory database as OSV records, indexed by canonical package name."""

    def __init__(self, data: dict):
        self.source = data["source"]
        self.as_of = data["as_of"]
        self.records = data["advisories"]
        self._by_package: dict[str, list[dict]] = {}
        for record in self.records:
            for name in {canonicalize_name(a["package"]["name"]) for a in record["affected"]}:
                self._by_package.setdefault(name, []).append(record)

    @classmethod
    def load(cls, path: Path = SNAPSHOT) -> AdvisorySnapshot:
        with gzip.open(path, "rt", encoding="utf-8") as handle:
            return cls(json.load(handle))

    def age_days(self, today: dt.date | None = None) -> int:
        today = today or dt.datetime.now(dt.timezone.utc).date()
        return (today - dt.date.fromisoformat(self.as_of[:10])).days

    def vulnerabilities(self, package: str, version: str) -> list[dict]:
        """The records under which `version` of `package` is affected, as OSV's query answers."""
        name = canonicalize_name(package)
        return [
            record
            for record in self._by_package.get(name, [])
            if any(
                canonicalize_name(affected["package"]["name"]) == name
                and affected_version(affected, version)
                for affected in record["affected"]
            )
        ]


def affected_version(affected: dict, version: str) -> bool:
    """OSV's rule for one `affected` entry: listed, or inside an ECOSYSTEM range."""
    if version in affected.get("versions", ()):
        return True
    try:
        parsed = Version(version)
    except InvalidVersion:
        return False
    return any(
        in_range(rng["events"], parsed)
        for rng in affected.get("ranges", ())
        if rng["type"] == "ECOSYSTEM"
    )


def in_range(events: list[dict], version: Version) -> bool:
    """Walk the range's events in version order; `introduced` opens, `fixed` closes.

    The database lists several branches in one range (introduced 5.0, fixed 5.0.8, introduced
    4.2, fixed 4.2.15), so the events are sorted before the walk, as the OSV schema says.
    """

    def event_version(event: dict) -> Version:
        (value,) = event.values()
        return Version("0") if value == "0" else Version(value)

    affected = False
    try:
        ordered = sorted(events, key=event_version)
    except InvalidVersion:
        return False
    for event in ordered:
        at = event_version(event)
        if "introduced" in event and version >= at:
            affected = True
        elif ("fixed" in event and version >= at) or ("last_affected" in event and version > at):
            affected = False
    return affected


def build_snapshot(database: Path) -> dict:
    """Read every `vulns/<package>/*.yaml` of a pypa/advisory-database checkout."""
    import yaml

    advisories = []
    for path in sorted((database / "vulns").rglob("*.yaml")):
        record = yaml.safe_load(path.read_text(encoding="utf-8"))
        kept = {key: _rfc3339(record[key]) for key in KEPT_FIELDS if key in record}
        kept["affected"] = [
            {key: a[key] for key in ("package", "ranges", "versions") if key in a}
            for a in record.get("affected", ())
        ]
        advisories.append(kept)
    as_of = max(str(record.get("modified", "")) for record in advisories)
    commit = _git_head(database)
    return {
        "source": f"pypa/advisory-database{f' at {commit}' if commit else ''}",
        "as_of": as_of,  # the newest record's `modified`: how current the data is
        "advisories": advisories,
    }


def _rfc3339(value):
    """YAML reads the timestamps as datetimes; OSV (and pip-audit) want RFC 3339 text."""
    if isinstance(value, dt.datetime):
        value = value.astimezone(dt.timezone.utc).replace(tzinfo=None)
        return value.isoformat(timespec="microseconds" if value.microsecond else "seconds") + "Z"
    return value


def _git_head(path: Path) -> str:
    with contextlib.suppress(OSError, subprocess.CalledProcessError):
        return subprocess.run(  # noqa: S603 - git, our arguments
            ["git", "-C", str(path), "rev-parse", "HEAD"],  # noqa: S607 - git from PATH
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    return ""


def write_snapshot(data: dict, path: Path = SNAPSHOT) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    payload = json.dumps(data, separators=(",", ":"), sort_keys=True, default=str)
    # mtime=0: the same database gives the same bytes, so git sees no change.
    with open(path, "wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", mtime=0) as handle:
        handle.write(payload.encode("utf-8"))


# --- the OSV endpoint -----------------------------------------------------------------------


class OsvQueryHandler(BaseHTTPRequestHandler):
    """`POST /v1/query` as api.osv.dev answers it, for pip-audit's package/version queries."""

    snapshot: AdvisorySnapshot

    def do_POST(self):
        if self.path != "/v1/query":
            self.send_error(404)
            return
        try:
            length = int(self.headers.get("Content-Length", "0"))
            query = json.loads(self.rfile.read(length))
            package = query["package"]["name"]
            version = query["version"]
        except (ValueError, KeyError, TypeError):
            self.send_error(400, "expected {package: {name}, version}")
            return
        vulns = self.snapshot.vulnerabilities(package, version)
        body = json.dumps({"vulns": vulns} if vulns else {}, default=str).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format, *args):  # pip-audit's report is the output, not our access log
        pass


@contextlib.contextmanager
def serve_osv(snapshot: AdvisorySnapshot):
    """An OSV query endpoint on a free loopback port; yields its URL."""
    handler = type("SnapshotOsvHandler", (OsvQueryHandler,), {"snapshot": snapshot})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/v1/query"
    finally:
        server.shutdown()
        server.server_close()


# --- running pip-audit ----------------------------------------------------------------------


def live_service_answers(timeout: float = 5.0) -> bool:
    """Does PyPI's per-release JSON (where pip-audit reads advisories) answer from here?"""
    try:
        with urllib.request.urlopen(LIVE_PROBE_URL, timeout=timeout) as response:
            return response.status == 200 and "vulnerabilities" in json.load(response)
    except (OSError, ValueError, urllib.error.URLError):
        return False


def pip_audit_command(requirements: Path, *extra: str) -> list[str]:
    # The lock pins and hashes every package, so pip-audit needs neither pip nor a resolver;
    # --strict fails the audit if any package could not be checked.
    return [
        sys.executable,
        "-m",
        "pip_audit",
        "--requirement",
        str(requirements),
        "--disable-pip",
        "--strict",
        "--progress-spinner",
        "off",
        "--desc",
        "off",
        "--aliases",
        "on",
        *extra,
    ]


def audit(requirements: Path, source: str = "auto", extra: list[str] = ()) -> int:
    if source == "auto":
        source = "live" if live_service_answers() else "snapshot"
    if source == "live":
        print(f"pip-audit of {requirements.name} against PyPI's advisories (live)", flush=True)
        return subprocess.call(pip_audit_command(requirements, *extra))  # noqa: S603 - pip-audit

    snapshot = AdvisorySnapshot.load()
    print(
        f"pip-audit of {requirements.name} against the PyPA advisory database snapshot "
        f"({snapshot.source}; {len(snapshot.records)} advisories, newest {snapshot.as_of[:10]}, "
        f"{snapshot.age_days()} days old). PyPI's live advisories are not reachable from here; "
        "refresh the snapshot with `python scripts/dependency_audit.py snapshot --from DIR`.",
        flush=True,
    )
    with serve_osv(snapshot) as url:
        return subprocess.call(  # noqa: S603 - pip-audit, our arguments
            pip_audit_command(
                requirements, "--vulnerability-service", "osv", "--osv-url", url, *extra
            )
        )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command")
    refresh = sub.add_parser("snapshot", help="rebuild the vendored advisory snapshot")
    refresh.add_argument("--from", dest="database", type=Path, required=True)
    parser.add_argument("--source", choices=("auto", "live", "snapshot"), default="auto")
    parser.add_argument("-r", "--requirement", type=Path, default=LOCK)
    parser.add_argument(
        "--ignore-vuln",
        action="append",
        default=[],
        metavar="ID",
        help="a finding that does not apply to Gazette (say why where you pass it)",
    )
    args = parser.parse_args(argv)

    if args.command == "snapshot":
        if not (args.database / "vulns").is_dir():
            parser.error(f"{args.database} has no vulns/ folder: not an advisory-database checkout")
        data = build_snapshot(args.database)
        write_snapshot(data)
        print(f"{SNAPSHOT}: {len(data['advisories'])} advisories, newest {data['as_of'][:10]}")
        return 0
    ignored = [flag for vuln in args.ignore_vuln for flag in ("--ignore-vuln", vuln)]
    return audit(args.requirement, args.source, ignored)


if __name__ == "__main__":
    sys.exit(main())
