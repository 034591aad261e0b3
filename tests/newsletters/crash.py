"""Helpers to run the sender in another process against this test's database: on PostgreSQL
the test database itself (the test commits its rows: transactional_db), on SQLite a copy of
the in-memory test database written to a file (sqlite3's backup)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from django.db import connection

REPOSITORY = Path(__file__).resolve().parents[2]


def database_environment(tmp_path: Path) -> dict[str, str]:
    environment = {**os.environ, "DJANGO_SETTINGS_MODULE": "gazette.settings.test"}
    if connection.vendor == "sqlite":
        var = tmp_path / "var"
        var.mkdir(exist_ok=True)
        connection.ensure_connection()
        import sqlite3

        target = sqlite3.connect(var / "gazette.sqlite3")
        connection.connection.backup(target)
        target.close()
        environment.pop("DATABASE_URL", None)
        environment["GAZETTE_VAR_DIR"] = str(var)
    else:
        url = urlsplit(os.environ["DATABASE_URL"])
        environment["DATABASE_URL"] = urlunsplit(
            url._replace(path="/" + connection.settings_dict["NAME"])
        )
    return environment


def start_worker(issue_id: int, environment: dict, *, port: int, batch: int) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "tests.newsletters.send_worker", str(issue_id)],
        cwd=REPOSITORY,
        env={**environment, "EMAIL_PORT": str(port), "BATCH_SIZE": str(batch)},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def statuses(environment: dict, issue_id: int) -> dict[str, int]:
    """Delivery statuses as the worker's database has them (the SQLite copy is not ours)."""
    script = (
        "import django,json;django.setup();"
        "from django.db.models import Count;"
        "from gazette.newsletters.models import Delivery, Issue;"
        f"rows=Delivery.objects.filter(issue_id={issue_id}).values('status')"
        ".annotate(n=Count('pk'));"
        "print(json.dumps({r['status']: r['n'] for r in rows}));"
        f"print(Issue.objects.get(pk={issue_id}).status)"
    )
    done = subprocess.run(
        [sys.executable, "-c", script],
        cwd=REPOSITORY,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    import json

    lines = done.stdout.strip().splitlines()
    return {**json.loads(lines[-2]), "issue": lines[-1]}
