#!/usr/bin/env python3
"""Back up Gazette's database and media into one archive, and restore it.

    python deploy/backup.py backup --database-url URL --media DIR --to FILE.tar.gz
    python deploy/backup.py restore --from FILE.tar.gz --database-url URL --media DIR [--force]

The archive (a .tar.gz) holds ``manifest.json`` (when, which Gazette commit, the applied
migrations, what is inside), ``database.dump`` (``pg_dump --format=custom``, without owners
or privileges, so any role can restore it) and ``media/`` (originals and renditions).

``restore`` checks the archive first, then loads the dump into an EMPTY database with
``pg_restore --single-transaction`` (all or nothing) and unpacks the media into DIR. It
refuses a database that has tables, or a media directory that has files, unless ``--force``:
then the database's ``public`` schema is dropped and made again before the restore, and
media files of the backup overwrite those of the same name (others are left alone).

Standard library only (plus deploy/local_services.py, which finds PostgreSQL's tools), so it
runs on a database host without the virtualenv. Exit status 0 on success, 1 with one clear
message on stderr otherwise.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tarfile
import tempfile
import zlib
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

# Run as a script, the repository is not on the path: deploy.local_services must be.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from deploy.local_services import ServiceError, find_pg_bin

REPOSITORY = Path(__file__).resolve().parents[1]
FORMAT = 1  # of the archive; a restore refuses any other
MANIFEST = "manifest.json"
DUMP = "database.dump"
MEDIA = "media"
TOOL_TIMEOUT = 60 * 60  # seconds; a large site's dump takes a while, a hung one must not hang us


class BackupError(RuntimeError):
    """Something an operator must fix; the message says what."""


def redacted(url: str) -> str:
    """The URL without its password, for messages."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    netloc = parts.netloc.replace(f":{parts.password}@", ":***@", 1)
    return urlunsplit(parts._replace(netloc=netloc))


def _tool(name: str) -> str:
    """PostgreSQL's client tool ``name``, from the server's bin directory (pg_dump must be at
    least the server's version) or the PATH."""
    try:
        candidate = find_pg_bin() / name
        if candidate.is_file():
            return str(candidate)
    except ServiceError:
        pass
    found = shutil.which(name)
    if found is None:
        raise BackupError(f"{name} not found: apt-get install postgresql-client")
    return found


def _run(args: list[str], what: str) -> str:
    try:
        proc = subprocess.run(  # noqa: S603 - PostgreSQL's tools, our arguments
            args, capture_output=True, text=True, timeout=TOOL_TIMEOUT, check=False
        )
    except subprocess.TimeoutExpired:
        raise BackupError(f"{what} took longer than {TOOL_TIMEOUT} s") from None
    if proc.returncode != 0:
        detail = (proc.stderr or proc.stdout).strip()
        raise BackupError(f"{what} failed: {detail}")
    return proc.stdout


def _psql(database_url: str, sql: str) -> list[list[str]]:
    """Rows of ``sql`` as lists of strings (unaligned, tab-separated)."""
    out = _run(
        [
            _tool("psql"),
            "--no-psqlrc",
            "-X",
            "-At",
            "-F",
            "\t",
            "-v",
            "ON_ERROR_STOP=1",
            "-d",
            database_url,
            "-c",
            sql,
        ],
        f"psql on {redacted(database_url)}",
    )
    return [line.split("\t") for line in out.splitlines() if line]


def applied_migrations(database_url: str) -> list[list[str]]:
    """[app, migration] in the order they were applied (empty before the first migrate)."""
    exists = _psql(database_url, "SELECT to_regclass('public.django_migrations') IS NOT NULL")
    if exists != [["t"]]:
        return []
    return _psql(database_url, "SELECT app, name FROM django_migrations ORDER BY id")


def user_relations(database_url: str) -> int:
    """How many tables, views and sequences the database has outside PostgreSQL's own."""
    rows = _psql(
        database_url,
        "SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
        "WHERE c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f') "
        "AND n.nspname NOT IN ('pg_catalog', 'information_schema') "
        "AND n.nspname NOT LIKE 'pg_toast%'",
    )
    return int(rows[0][0])


def gazette_commit() -> str:
    try:
        proc = subprocess.run(  # noqa: S603 - a fixed git command
            ["git", "-C", str(REPOSITORY), "rev-parse", "HEAD"],  # noqa: S607 - git on PATH
            capture_output=True,
            text=True,
            timeout=10,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired):
        return "unknown"
    return proc.stdout.strip() if proc.returncode == 0 else "unknown"


def _media_files(media: Path) -> list[Path]:
    return sorted(path for path in media.rglob("*") if path.is_file() and not path.is_symlink())


# -- backup --------------------------------------------------------------------------------------


def backup(*, database_url: str, media: Path, to: Path) -> dict:
    """Write the archive at ``to`` (never a half-written one) and return its manifest."""
    if not media.is_dir():
        raise BackupError(f"media directory {media} does not exist")
    if to.exists():
        raise BackupError(f"{to} exists already: choose another name or remove it")
    to.parent.mkdir(parents=True, exist_ok=True)
    migrations = applied_migrations(database_url)
    files = _media_files(media)
    with tempfile.TemporaryDirectory(prefix="gazette-backup-", dir=to.parent) as scratch:
        dump = Path(scratch) / DUMP
        _run(
            [
                _tool("pg_dump"),
                "--format=custom",
                "--no-owner",
                "--no-privileges",
                "--file",
                str(dump),
                "--dbname",
                database_url,
            ],
            f"pg_dump of {redacted(database_url)}",
        )
        manifest = {
            "format": FORMAT,
            "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "gazette_commit": gazette_commit(),
            "database": {"dump": DUMP, "bytes": dump.stat().st_size, "migrations": migrations},
            "media": {"files": len(files), "bytes": sum(path.stat().st_size for path in files)},
        }
        (Path(scratch) / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n")
        partial = Path(scratch) / "archive.tar.gz"
        # The dump and the pictures are compressed already: the fastest gzip level will do.
        with tarfile.open(partial, "w:gz", compresslevel=1) as archive:
            archive.add(Path(scratch) / MANIFEST, arcname=MANIFEST)
            archive.add(dump, arcname=DUMP)
            archive.add(media, arcname=MEDIA, recursive=False)
            for path in files:
                archive.add(path, arcname=f"{MEDIA}/{path.relative_to(media).as_posix()}")
        partial.replace(to)
    return manifest


# -- restore -------------------------------------------------------------------------------------


def read_manifest(archive: tarfile.TarFile, source: Path) -> dict:
    try:
        member = archive.getmember(MANIFEST)
        manifest = json.load(archive.extractfile(member))
    except (KeyError, ValueError, AttributeError) as exc:
        raise BackupError(f"{source} is not a Gazette backup (no readable {MANIFEST})") from exc
    if manifest.get("format") != FORMAT:
        raise BackupError(
            f"{source} is a backup of format {manifest.get('format')!r}; "
            f"this tool reads format {FORMAT}"
        )
    try:
        archive.getmember(DUMP)
    except KeyError:
        raise BackupError(f"{source} has no {DUMP}: the archive is incomplete") from None
    return manifest


def _media_members(archive: tarfile.TarFile) -> list[tarfile.TarInfo]:
    prefix = f"{MEDIA}/"
    members = []
    for member in archive.getmembers():
        if member.name.startswith(prefix) and member.isfile():
            member = member.replace(name=member.name[len(prefix) :], deep=False)
            members.append(member)
    return members


def _open_archive(source: Path) -> tarfile.TarFile:
    """The archive, its index read through once: a truncated or corrupt file fails here,
    before anything is changed."""
    try:
        archive = tarfile.open(source, "r:gz")  # noqa: SIM115 - the caller closes it
        archive.getmembers()
    except (tarfile.TarError, EOFError, zlib.error, OSError) as exc:
        raise BackupError(f"{source} is not a readable .tar.gz: {exc}") from None
    return archive


def restore(*, source: Path, database_url: str, media: Path, force: bool = False) -> dict:
    """Restore the archive at ``source``; return its manifest. Checks everything it can before
    changing anything."""
    if not source.is_file():
        raise BackupError(f"{source} does not exist")
    with _open_archive(source) as archive:
        manifest = read_manifest(archive, source)
        tables = user_relations(database_url)
        if tables and not force:
            raise BackupError(
                f"the database {redacted(database_url)} is not empty ({tables} tables, views "
                "or sequences): restore into a new database (createdb), or pass --force to "
                "drop its public schema first"
            )
        if media.exists() and not media.is_dir():
            raise BackupError(f"{media} is not a directory")
        if media.is_dir() and any(media.iterdir()) and not force:
            raise BackupError(
                f"the media directory {media} is not empty: restore into a new one, or pass "
                "--force to write over files of the same name"
            )

        with tempfile.TemporaryDirectory(prefix="gazette-restore-") as scratch:
            archive.extract(DUMP, scratch, filter="data")
            if tables:
                _psql(database_url, "DROP SCHEMA public CASCADE; CREATE SCHEMA public;")
            _run(
                [
                    _tool("pg_restore"),
                    "--no-owner",
                    "--no-privileges",
                    "--exit-on-error",
                    "--single-transaction",
                    "--dbname",
                    database_url,
                    str(Path(scratch) / DUMP),
                ],
                f"pg_restore into {redacted(database_url)}",
            )
        media.mkdir(parents=True, exist_ok=True)
        # The "data" filter refuses absolute paths, links out of the directory, devices.
        archive.extractall(media, members=_media_members(archive), filter="data")
    return manifest


# -- command line --------------------------------------------------------------------------------


def _summary(manifest: dict) -> str:
    database, media = manifest["database"], manifest["media"]
    latest = {app: name for app, name in database["migrations"]}
    ours = ", ".join(f"{app} {name}" for app, name in sorted(latest.items()) if app in _APPS)
    return (
        f"backup of {manifest['created_at']}, Gazette {manifest['gazette_commit'][:12]}: "
        f"database {database['bytes']:,} bytes ({len(database['migrations'])} migrations"
        f"{'; ' + ours if ours else ''}), media {media['files']:,} files, {media['bytes']:,} bytes"
    )


_APPS = {path.parent.parent.name for path in REPOSITORY.glob("gazette/*/migrations/__init__.py")}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="action", required=True)
    out = sub.add_parser("backup", help="dump the database and the media into one archive")
    out.add_argument("--database-url", required=True, help="postgres://user@host:port/name")
    out.add_argument("--media", type=Path, required=True, help="MEDIA_ROOT")
    out.add_argument("--to", type=Path, required=True, help="FILE.tar.gz to write")
    back = sub.add_parser("restore", help="restore an archive into an empty database")
    back.add_argument("--from", dest="source", type=Path, required=True, help="FILE.tar.gz")
    back.add_argument("--database-url", required=True, help="an empty database")
    back.add_argument("--media", type=Path, required=True, help="MEDIA_ROOT to fill")
    back.add_argument(
        "--force", action="store_true", help="drop a non-empty database's public schema first"
    )
    args = parser.parse_args(argv)
    try:
        if args.action == "backup":
            manifest = backup(database_url=args.database_url, media=args.media, to=args.to)
            print(f"wrote {args.to}: {_summary(manifest)}")
        else:
            manifest = restore(
                source=args.source,
                database_url=args.database_url,
                media=args.media,
                force=args.force,
            )
            print(f"restored {_summary(manifest)}")
            print("next: manage.py migrate (if this release is newer), then start the app servers")
    except BackupError as exc:
        print(f"backup.py: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
