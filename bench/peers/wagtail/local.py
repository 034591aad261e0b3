# benchsite/settings/local.py of the `wagtail start` site the peers bench makes (read by its
# production.py): the bench's article app, loopback hosts, the paths and key from the
# environment. Everything else is what `wagtail start` wrote.
import os

from .base import INSTALLED_APPS

INSTALLED_APPS = ["articles", *INSTALLED_APPS]
SECRET_KEY = os.environ["BENCH_SECRET_KEY"]
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
WAGTAILADMIN_BASE_URL = os.environ.get("BENCH_BASE_URL", "http://127.0.0.1")
CSRF_TRUSTED_ORIGINS = [WAGTAILADMIN_BASE_URL]
