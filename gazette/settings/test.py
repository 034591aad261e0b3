"""Test settings: fast hashing, throwaway media; the database comes from DATABASE_URL."""

import atexit
import os
import shutil
import tempfile
from pathlib import Path
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit


def _own_redis_database(url: str, worker: str) -> str:
    """The Redis URL with a database of this pytest-xdist worker's own (gw0 → 1, gw1 → 2...):
    the path of redis://, the ``db`` of a Unix socket's unix:// (its path is the socket's)."""
    parts = urlsplit(url)
    database = str(int(worker[2:]) + 1)
    if parts.scheme == "unix":
        query = dict(parse_qsl(parts.query)) | {"db": database}
        return f"unix://{parts.path}?{urlencode(query)}"  # urlunsplit would drop the "//"
    return urlunsplit(parts._replace(path=f"/{database}"))


# pytest-xdist runs the suite in several processes at once: each gets a Redis database of its
# own, so the caches, view counters and rate limits of tests running side by side never meet.
# Set before the base settings read it, and inherited by the processes the tests start.
_worker = os.environ.get("PYTEST_XDIST_WORKER", "")
if os.environ.get("REDIS_URL") and _worker.startswith("gw"):
    os.environ["REDIS_URL"] = _own_redis_database(os.environ["REDIS_URL"], _worker)

from .base import *  # noqa: E402, F403

# The demo builder and the synthetic newsroom are tested too; production leaves them out.
INSTALLED_APPS = ["gazette.demo", *INSTALLED_APPS]  # noqa: F405
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def _throwaway_directory(prefix: str) -> Path:
    """A temporary directory removed when the process that made it exits: every test process
    (each xdist worker, each site or worker a test starts) makes its own, and the suite's runs
    had left 1,182 of each in /tmp, 1.3 GB of test pictures. Only the maker removes it: a
    forked child that exits normally (a gunicorn worker) runs its parent's atexit hooks too.
    A process killed by a signal (the fault tests' children) still leaves its own."""
    path = Path(tempfile.mkdtemp(prefix=prefix))
    maker = os.getpid()

    def remove() -> None:
        if os.getpid() == maker:
            shutil.rmtree(path, ignore_errors=True)

    atexit.register(remove)
    return path


MEDIA_ROOT = _throwaway_directory("gazette-test-media-")
GAZETTE_IMPORT_DIR = _throwaway_directory("gazette-test-imports-")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
WAGTAILADMIN_BASE_URL = "http://testserver"

# Serve static files straight from the app directories, as in development.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
SERVE_MEDIA = True

# Tests flush counted views themselves: no background thread writing behind their backs
# (tests that start real server processes turn it back on through the environment).
GAZETTE_VIEWS_FLUSH_IN_PROCESS = env.bool("GAZETTE_VIEWS_FLUSH_IN_PROCESS", default=False)  # noqa: F405

# Tests log in with force_login or client.login, which carry no request: leave django-axes'
# backend out here; tests/users/test_login_protection.py puts it back.
AUTHENTICATION_BACKENDS = ["django.contrib.auth.backends.ModelBackend"]
