"""The suite runs twice: on SQLite, and on PostgreSQL+Redis when DATABASE_URL and REDIS_URL
are set (``make test`` does both). This makes sure each run really uses what it claims."""

import os

from django.conf import settings
from django.core.cache import cache
from django.db import connection


def test_database_is_the_one_the_environment_names(db):
    url = os.environ.get("DATABASE_URL", "")
    expected = "postgresql" if url.startswith(("postgres://", "postgresql://")) else "sqlite"
    assert connection.vendor == expected


def test_cache_is_redis_when_redis_url_is_set():
    backend = settings.CACHES["default"]["BACKEND"]
    if os.environ.get("REDIS_URL"):
        assert backend == "django_redis.cache.RedisCache"
        cache.set("backend-probe", "yes", 10)
        assert cache.get("backend-probe") == "yes"
    else:
        assert backend == "django.core.cache.backends.locmem.LocMemCache"


def test_sqlite_runs_in_wal_mode_outside_tests():
    if connection.vendor == "sqlite":
        assert "journal_mode=WAL" in settings.DATABASES["default"]["OPTIONS"]["init_command"]


def test_sqlite_writers_wait_for_each_other_well_past_a_loaded_moment(db):
    """SQLite has one writer: an editor's request waits for the task worker's write rather
    than fail with "database is locked" (a 500). 5 s ran out on a loaded machine."""
    if connection.vendor != "sqlite":
        return
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA busy_timeout")
        (milliseconds,) = cursor.fetchone()
    assert milliseconds >= 15_000
    assert settings.DATABASES["default"]["OPTIONS"]["timeout"] >= 15
