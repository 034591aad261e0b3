"""Backup and restore round trip (deploy/backup.py): the running stack's database and media
into one archive, restored into a fresh PostgreSQL cluster and an empty media directory, and
the restored copy serves the same pages and the same picture files."""

from __future__ import annotations

import hashlib
import json
import re
import subprocess
import sys
import tarfile
from pathlib import Path
from urllib.parse import urlsplit

import psycopg

from deploy import stack
from deploy.local_services import PostgresCluster

REPOSITORY = Path(__file__).resolve().parents[2]
BACKUP = [sys.executable, str(REPOSITORY / "deploy" / "backup.py")]

# Renders pages with Django's test client, in a process of its own with the stack's
# production settings pointed at the restored database and media.
SERVE_PAGES = """
import json, sys
import django
django.setup()
from django.test import Client
client = Client(HTTP_HOST=sys.argv[1])
pages = {}
for path in sys.argv[2:]:
    response = client.get(path)
    pages[path] = [response.status_code, response.content.decode()]
print(json.dumps(pages))
"""

# What differs between two renderings of the same page by design.
PER_REQUEST = [
    re.compile(r'(name="csrfmiddlewaretoken" value=")[^"]+'),
    re.compile(r'(nonce=")[^"]+'),
    # The comment form's signed stamp: its article, then when the page was rendered.
    re.compile(r'(name="stamp" value="\d+:)[^"]+'),
]
# Readers' views: the running site adds those still waiting in Redis (a backup holds the
# flushed ones only, as documented) and keeps Popular Now in its cache for a minute. Other
# stack tests count views; these parts of a page may differ, nothing else.
READER_COUNTS = [
    re.compile(r'(<span class="byline__views")[^>]*>.*?</span>', re.S),
    re.compile(
        r'(<section class="rail__block" aria-labelledby="popular-now-heading">).*?</section>', re.S
    ),
]


def _same_modulo_request(html: str) -> str:
    for pattern in PER_REQUEST + READER_COUNTS:
        html = pattern.sub(r"\1…", html)
    return html


def _run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [*BACKUP, *args], capture_output=True, text=True, timeout=120, check=False
    )


def _restore(archive: Path, database_url: str, media: Path, *extra: str):
    return _run(
        "restore",
        "--from",
        str(archive),
        "--database-url",
        database_url,
        "--media",
        str(media),
        *extra,
    )


def _tree(root: Path) -> dict[str, str]:
    return {
        path.relative_to(root).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(root.rglob("*"))
        if path.is_file()
    }


def _serve_restored(running_stack, database_url: str, media: Path, paths: list[str]) -> dict:
    env = stack.app_environment(stack.Stack.load(running_stack.dir), workers=1)
    for only_the_running_stack in (
        "DATABASE_REPLICA_URLS",
        "REDIS_URL",
        "FRONTEND_CACHE_PURGE_URLS",
    ):
        env.pop(only_the_running_stack, None)
    env |= {"DATABASE_URL": database_url, "MEDIA_ROOT": str(media), "LOG_LEVEL": "WARNING"}
    host = urlsplit(running_stack.url).netloc
    served = subprocess.run(
        [sys.executable, "-c", SERVE_PAGES, host, *paths],
        cwd=REPOSITORY,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert served.returncode == 0, served.stderr[-3000:]
    return json.loads(served.stdout.splitlines()[-1])


def test_a_restored_backup_serves_the_same_pages_and_pictures(
    running_stack, demo_article, tmp_path
):
    paths = ["/", demo_article["path"], demo_article["section_path"]]
    reader = running_stack.client()
    media = running_stack.dir / "media"
    archive = tmp_path / "gazette.tar.gz"

    def site_now() -> dict[str, str]:
        pages = {path: reader.get(path) for path in paths}
        assert all(response.status_code == 200 for response in pages.values())
        return {path: _same_modulo_request(response.text) for path, response in pages.items()}

    # The pages as readers see them while the backup is taken. The stack's worker may still
    # be finishing an earlier test's task (a related-articles recompute): take the backup
    # again until the site stood still around it.
    for _ in range(3):
        before = site_now()
        made = _run(
            "backup",
            "--database-url",
            running_stack.database_url,
            "--media",
            str(media),
            "--to",
            str(archive),
        )
        assert made.returncode == 0, made.stderr
        if site_now() == before:
            break
        archive.unlink()
    else:
        raise AssertionError("the site kept changing while the backup was taken")

    with tarfile.open(archive) as contents:
        manifest = json.load(contents.extractfile("manifest.json"))
    with running_stack.primary() as db:
        applied = db.execute("SELECT app, name FROM django_migrations ORDER BY id").fetchall()
    assert [tuple(row) for row in manifest["database"]["migrations"]] == applied
    assert ("users", "0002_contributors_group") in applied
    assert manifest["media"]["files"] == len(_tree(media)) > 0

    restored_media = tmp_path / "restored-media"
    with PostgresCluster(fast=True) as fresh:
        restored = _restore(archive, fresh.url, restored_media)
        assert restored.returncode == 0, restored.stderr

        # A second restore into what is now a full database is refused, and says why.
        again = _restore(archive, fresh.url, tmp_path / "elsewhere")
        assert again.returncode == 1
        assert "is not empty" in again.stderr and "--force" in again.stderr

        pages = _serve_restored(running_stack, fresh.url, restored_media, paths)

        # With --force it replaces what is there: the same pages, no row twice.
        forced = _restore(archive, fresh.url, restored_media, "--force")
        assert forced.returncode == 0, forced.stderr
        with psycopg.connect(fresh.url) as db:
            restored_pages = db.execute("SELECT count(*) FROM wagtailcore_page").fetchone()
        with running_stack.primary() as db:
            assert db.execute("SELECT count(*) FROM wagtailcore_page").fetchone() == restored_pages

    for path in paths:
        status, html = pages[path]
        assert status == 200, (path, html[:1000])
        assert _same_modulo_request(html) == before[path], path

    # Every picture, original and rendition, came back byte for byte; the one the restored
    # article page shows is the one nginx serves the readers of the running site.
    assert _tree(restored_media) == _tree(media)
    rendition = re.search(r'src="/media/([^"]+)"', pages[demo_article["path"]][1])
    assert rendition, "the restored article page shows no picture"
    served = running_stack.client().get(f"/media/{rendition.group(1)}")
    assert served.status_code == 200
    assert (restored_media / rendition.group(1)).read_bytes() == served.content


def test_restore_refuses_what_is_not_a_gazette_backup(running_stack, tmp_path):
    garbage = tmp_path / "garbage.tar.gz"
    garbage.write_bytes(b"not an archive")
    foreign = tmp_path / "foreign.tar.gz"
    with tarfile.open(foreign, "w:gz") as archive:
        archive.add(__file__, arcname="something.py")
    media = tmp_path / "media"
    for source, message in (
        (tmp_path / "missing.tar.gz", "does not exist"),
        (garbage, "is not a readable .tar.gz"),
        (foreign, "is not a Gazette backup"),
    ):
        refused = _restore(source, running_stack.database_url, media)
        assert refused.returncode == 1, refused
        assert message in refused.stderr
    assert not media.exists()  # nothing was touched
