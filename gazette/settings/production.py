"""Production: everything of base.py, hardened. Nothing here adds features.

``manage.py check --deploy`` runs clean on these settings (tests/deploy/test_production.py).
The few values read here exist for the loopback stack (`make stack`), which has no TLS:
it sets SECURE_SSL_REDIRECT, SESSION_COOKIE_SECURE and CSRF_COOKIE_SECURE to false.
"""

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import LOGGING, SECRET_KEY, STORAGES, env

DEBUG = False
if SECRET_KEY.startswith("django-insecure") or len(SECRET_KEY) < 50:
    raise ImproperlyConfigured("Set SECRET_KEY (50 or more random characters) for production.")

STORAGES = {
    **STORAGES,
    # Hashed names let nginx serve static files with far-future cache headers (WhiteNoise's
    # CompressedManifestStaticFilesStorage, each name's address worked out once per process).
    "staticfiles": {"BACKEND": "gazette.core.static_storage.RememberingManifestStaticFilesStorage"},
}

# TLS ends at nginx (or the load balancer), which says so in X-Forwarded-Proto.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=60 * 60 * 24 * 365)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=True)
SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=True)
CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=True)
SESSION_COOKIE_HTTPONLY = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
X_FRAME_OPTIONS = "DENY"

# One JSON object per log line, with the request id, for the log shipper.
LOGGING["handlers"]["console"]["formatter"] = env("LOG_FORMAT", default="json")
