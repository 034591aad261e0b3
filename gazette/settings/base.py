"""Settings shared by every environment, read from the environment.

Every value has a safe development default; ``production.py`` only hardens.
"""

import copy
from pathlib import Path

import environ

PROJECT_DIR = Path(__file__).resolve().parent.parent
BASE_DIR = PROJECT_DIR.parent

env = environ.Env()

# Generated state (SQLite database, media, collected static) lives in var/, out of git.
VAR_DIR = Path(env("GAZETTE_VAR_DIR", default=str(BASE_DIR / "var")))

DEBUG = env.bool("DEBUG", default=False)
SECRET_KEY = env("SECRET_KEY", default="django-insecure-development-only-key-not-for-production")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
# Client addresses come from X-Real-IP only when the request came through a proxy we trust.
TRUSTED_PROXIES = env.list("TRUSTED_PROXIES", default=["127.0.0.1", "::1"])

INSTALLED_APPS = [
    "gazette.core",
    "gazette.users",
    "gazette.twofactor",
    "gazette.images",
    "gazette.people",
    "gazette.news",
    "gazette.home",
    "gazette.importers",
    "gazette.distribution",
    "gazette.search",
    "gazette.analytics",
    "gazette.comments",
    "gazette.related",
    "gazette.topics",
    "gazette.corrections",
    "gazette.checks",
    "gazette.newsletters",
    "wagtail.locales",
    # The admin's Translate action (gazette.news.translating); its permission is
    # simple_translation.submit_translation, granted to Editors and Moderators.
    "wagtail.contrib.simple_translation",
    "wagtail.contrib.forms",
    "wagtail.contrib.redirects",
    "wagtail.contrib.settings",
    "wagtail.contrib.frontend_cache",
    "wagtail.embeds",
    "wagtail.sites",
    "wagtail.users",
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail",
    "modelcluster",
    "taggit",
    "django_filters",
    "django_tasks",
    "django_tasks_db",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "csp",
    "axes",  # last, as django-axes asks
]

MIDDLEWARE = [
    "gazette.core.request_id.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # django-csp's, letting the admin frame its preview (gazette.core.preview_framing).
    "gazette.core.preview_framing.ContentSecurityPolicyMiddleware",
    # The view beacon stops here: it needs none of what follows (see the class).
    "gazette.analytics.middleware.BeaconShortcutMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "gazette.core.db_routing.ReplicaRoutingMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # The language of the address's prefix (/ko/...), never Accept-Language or a cookie:
    # pages stay keyed by their URL alone (gazette.core.editions).
    "gazette.core.editions.EditionLanguageMiddleware",
    # Times in the site's zone (Settings > Site identity), or an editor's own in the admin.
    "gazette.core.newsroom_time.NewsroomTimeZoneMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "gazette.twofactor.middleware.AdminTwoFactorMiddleware",  # admin paths only
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # A hand-made admin form answers 400, not Wagtail's 500 (gazette.core.tampered_forms).
    "gazette.core.tampered_forms.TamperedAdminFormMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
    # Imported WordPress short links (/?p=123): the home page would answer them itself.
    "gazette.importers.middleware.OldShortLinkMiddleware",
    "axes.middleware.AxesMiddleware",  # last, as django-axes asks
]

ROOT_URLCONF = "gazette.urls"
WSGI_APPLICATION = "gazette.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PROJECT_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "wagtail.contrib.settings.context_processors.settings",
                "gazette.news.navigation.site_navigation",
                "gazette.newsletters.context_processors.breaking_banner",
            ],
        },
    },
]

# SQLite is the embedded default; DATABASE_URL switches to PostgreSQL.
DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'gazette.sqlite3'}"),
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    # WAL lets readers run while a writer commits; IMMEDIATE avoids lock-upgrade deadlocks.
    # One writer at a time: a request waits for the task worker's or the scheduler's write to
    # end, up to the busy timeout, rather than answer "database is locked" (a 500). 5 s was
    # seen running out on a loaded machine while the worker stored You May Also Like lists.
    SQLITE_BUSY_SECONDS = env.float("SQLITE_BUSY_TIMEOUT", default=20.0)
    DATABASES["default"]["OPTIONS"] = {
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; "
            f"PRAGMA busy_timeout={int(SQLITE_BUSY_SECONDS * 1000)};"
        ),
        "transaction_mode": "IMMEDIATE",
        "timeout": SQLITE_BUSY_SECONDS,
    }
elif env.bool("DATABASE_POOL", default=True):
    # psycopg 3's connection pool: each app process keeps a few connections open and lends
    # them to its threads. The pool replaces persistent connections (CONN_MAX_AGE must be 0).
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    # The pool checks a connection before lending it (CONN_HEALTH_CHECKS): after a database
    # restart no request gets a dead one. Django's backend with our check, which asks the
    # server only when the connection's socket says something happened, not on every lending
    # (gazette.core.db_pool). While the database is down a request waits at most
    # DATABASE_POOL_TIMEOUT for a connection, then gets the 503 page (gazette.core.views).
    DATABASES["default"]["ENGINE"] = "gazette.core.postgresql"
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {
        "min_size": env.int("DATABASE_POOL_MIN_SIZE", default=1),
        "max_size": env.int("DATABASE_POOL_MAX_SIZE", default=10),
        "timeout": env.float("DATABASE_POOL_TIMEOUT", default=3.0),
    }
    DATABASES["default"]["OPTIONS"].setdefault(
        "connect_timeout", env.int("DATABASE_CONNECT_TIMEOUT", default=3)
    )
    # TCP keepalives on every pooled connection: a firewall or NAT between hosts keeps an idle
    # connection open, and a peer gone without a word is found within about a minute; either
    # way the socket then has news, so the pool's check asks the server before lending it
    # (gazette.core.db_pool). libpq ignores them on a Unix socket.
    for _option, _value in (
        ("keepalives", 1),
        ("keepalives_idle", env.int("DATABASE_KEEPALIVES_IDLE", default=30)),
        ("keepalives_interval", 10),
        ("keepalives_count", 3),
    ):
        DATABASES["default"]["OPTIONS"].setdefault(_option, _value)
else:
    DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("CONN_MAX_AGE", default=60))
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True

if DATABASES["default"]["ENGINE"] != "django.db.backends.sqlite3":
    # psycopg prepares nothing while this is None (Django's default). Django's ORM binds
    # parameters client-side and never prepares a statement whatever it says; a number lets
    # gazette.core.prepared's cursor prepare the few fixed statements of hot writes (a
    # reader's comment). Off behind a proxy that cannot keep prepared statements.
    DATABASES["default"].setdefault("OPTIONS", {})["prepare_threshold"] = (
        5 if env.bool("DATABASE_PREPARED_STATEMENTS", default=True) else None
    )

# Optional streaming replicas of the primary, comma-separated URLs. gazette.core.db_routing
# sends readers' page views to them; the admin, writes and read-after-write use the primary.
for _number, _url in enumerate(env.list("DATABASE_REPLICA_URLS", default=[])):
    _replica = env.db_url_config(_url)
    for _key in ("ENGINE", "OPTIONS", "CONN_MAX_AGE", "CONN_HEALTH_CHECKS"):
        if _key in DATABASES["default"]:
            _replica[_key] = copy.deepcopy(DATABASES["default"][_key])
    _replica["TEST"] = {"MIRROR": "default"}  # one test database, seen through every alias
    DATABASES[f"replica_{_number}"] = _replica
DATABASE_ROUTERS = ["gazette.core.db_routing.PrimaryReplicaRouter"] if len(DATABASES) > 1 else []
# How long a client that wrote keeps reading from the primary, and paths that always do.
DATABASE_REPLICA_PIN_SECONDS = env.int("DATABASE_REPLICA_PIN_SECONDS", default=10)
DATABASE_PRIMARY_PATH_PREFIXES = ["/admin/", "/django-admin/"]

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "users.User"

REDIS_URL = env("REDIS_URL", default="")
# Redis going down must not take the site with it: django-redis turns its errors into cache
# misses (logged), with short timeouts, so pages, sessions (from the database) and comments
# carry on without it (docs/operations.md, "Failures").
REDIS_TIMEOUT = env.float("REDIS_TIMEOUT", default=0.5)  # seconds, connect and each command
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": env("CACHE_KEY_PREFIX", default="gazette"),
            "OPTIONS": {
                # django-redis's client, its entries read faster (gazette.core.compat).
                "CLIENT_CLASS": "gazette.core.compat.RedisClient",
                "IGNORE_EXCEPTIONS": True,
                "LOG_IGNORED_EXCEPTIONS": True,
                "SOCKET_CONNECT_TIMEOUT": REDIS_TIMEOUT,
                "SOCKET_TIMEOUT": REDIS_TIMEOUT,
                # A Redis restarted with its data is noticed by every process: its next read
                # retires what Redis kept (gazette.core.redis_restarts).
                "CONNECTION_POOL_CLASS": "gazette.core.redis_restarts.RestartNoticingPool",
            },
        }
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "gazette",
        }
    }

# Sessions are read from the cache and written through to the database, so they survive a
# Redis restart. The in-process memory cache is not shared between processes: database then.
SESSION_ENGINE = (
    "django.contrib.sessions.backends.cached_db"
    if REDIS_URL
    else "django.contrib.sessions.backends.db"
)

# Admin logins are protected against brute force: django-axes locks a username at one client
# address out after repeated failures.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = env.float("AXES_COOLOFF_HOURS", default=0.25)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_CLIENT_IP_CALLABLE = "gazette.core.client.client_ip"

# Two-factor (TOTP) for the admin, gazette.twofactor on django-otp: optional for each editor;
# mandatory for superusers and/or the named groups ("*": every admin user) when set, e.g.
# GAZETTE_2FA_REQUIRED_GROUPS=Editors,Moderators. Wrong codes are throttled per device
# (1, 2, 4, 8... seconds). `manage.py reset_2fa USERNAME` resets a locked-out editor.
GAZETTE_2FA_REQUIRED_FOR_SUPERUSERS = env.bool("GAZETTE_2FA_REQUIRED_FOR_SUPERUSERS", default=False)
GAZETTE_2FA_REQUIRED_GROUPS = env.list("GAZETTE_2FA_REQUIRED_GROUPS", default=[])
OTP_TOTP_ISSUER = env("GAZETTE_2FA_ISSUER", default="Gazette")

# Reader pages run no inline script or style and load nothing from other hosts. The Wagtail
# admin (its own inline scripts) is left to its own defences.
CONTENT_SECURITY_POLICY = {
    "EXCLUDE_URL_PREFIXES": ["/admin/", "/django-admin/"],
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    },
}
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# The language of the site's reader pages, one per site: GAZETTE_LANGUAGE=ko or =ar switches
# the demo and any deployment (the catalogues are in gazette/locale, compiled at install by
# scripts/compile_messages.py). A regional variant picks the region's habits from CLDR, e.g.
# ar-eg writes numbers in Arabic-Indic digits, with the Arabic translations. One language per
# site: pages need no Accept-Language negotiation, and the shared page cache no vary.
LANGUAGE_CODE = env("GAZETTE_LANGUAGE", default="en-us")
LANGUAGES = [("en", "English"), ("ko", "한국어"), ("ar", "العربية")]
LOCALE_PATHS = [PROJECT_DIR / "locale"]
# Second-language editions (gazette.core.editions): a translation of the home page and its
# sections, served under its language's prefix (/ko/...); the site's own language keeps its
# addresses unprefixed.
WAGTAIL_I18N_ENABLED = True
WAGTAIL_CONTENT_LANGUAGES = LANGUAGES
# An edition's stories are its own: a story written in English is not copied (as an alias)
# into every other edition's tree, and unpublishing, moving or deleting a page leaves its
# translations alone (each is its edition's own decision).
WAGTAILSIMPLETRANSLATION_SYNC_PAGE_TREE = False
# Every date and time shown names its zone (gazette/formats/en/formats.py).
FORMAT_MODULE_PATH = ["gazette.formats"]
# Stored in UTC, shown in the site's zone: Settings > Site identity > Time zone (this is its
# default, and the zone of anything that runs for no site).
TIME_ZONE = env("TIME_ZONE", default="UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [PROJECT_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env("MEDIA_ROOT", default=str(VAR_DIR / "media")))
# nginx serves media in production; the app serves it itself in development and tests.
SERVE_MEDIA = env.bool("GAZETTE_SERVE_MEDIA", default=DEBUG)
STORAGES = {
    # Media on the filesystem (one host or a shared volume), or any Django storage backend,
    # e.g. object storage through django-storages: MEDIA_STORAGE=storages.backends.s3.S3Storage
    # with its options as JSON in MEDIA_STORAGE_OPTIONS (see docs/operations.md).
    "default": {
        "BACKEND": env("MEDIA_STORAGE", default="django.core.files.storage.FileSystemStorage"),
        "OPTIONS": env.json("MEDIA_STORAGE_OPTIONS", default={}),
    },
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

EMAIL_BACKEND = env("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="gazette@localhost")
# SMTP in production (EMAIL_BACKEND=django.core.mail.backends.smtp.EmailBackend): Django's
# defaults, each overridable from the environment; a timeout so a stuck server cannot hang a
# worker forever.
EMAIL_HOST = env("EMAIL_HOST", default="localhost")
EMAIL_PORT = env.int("EMAIL_PORT", default=25)
EMAIL_HOST_USER = env("EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env("EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", default=False)
EMAIL_USE_SSL = env.bool("EMAIL_USE_SSL", default=False)
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=30)

# Newsletters (gazette.newsletters): messages a second per task worker (0: as fast as the
# SMTP server takes them), deliveries claimed at a time, and how long a claim of a worker on
# another host is trusted before its rows are sent by another (gazette/newsletters/sending.py);
# a temporarily refused (4xx) message waits RETRY_BASE seconds, doubling, at most RETRY_MAX.
GAZETTE_NEWSLETTER_RATE = env.float("GAZETTE_NEWSLETTER_RATE", default=0)
GAZETTE_NEWSLETTER_BATCH_SIZE = env.int("GAZETTE_NEWSLETTER_BATCH_SIZE", default=200)
GAZETTE_NEWSLETTER_CLAIM_LEASE = env.int("GAZETTE_NEWSLETTER_CLAIM_LEASE", default=600)
GAZETTE_NEWSLETTER_RETRY_BASE = env.int("GAZETTE_NEWSLETTER_RETRY_BASE", default=120)
GAZETTE_NEWSLETTER_RETRY_MAX = env.int("GAZETTE_NEWSLETTER_RETRY_MAX", default=1800)

# View counts (gazette.analytics): buffered, then flushed in batches into hourly buckets. With
# Redis the worker flushes (`manage.py flush_views --loop --interval 2`); without, each process
# flushes its own in-memory buffer from a thread every GAZETTE_VIEWS_FLUSH_INTERVAL seconds.
GAZETTE_VIEWS_REDIS_URL = env("GAZETTE_VIEWS_REDIS_URL", default=REDIS_URL)
GAZETTE_VIEWS_FLUSH_IN_PROCESS = env.bool(
    "GAZETTE_VIEWS_FLUSH_IN_PROCESS", default=not GAZETTE_VIEWS_REDIS_URL
)
GAZETTE_VIEWS_FLUSH_INTERVAL = env.float("GAZETTE_VIEWS_FLUSH_INTERVAL", default=2.0)
# Seconds Redis keeps its copy of an article's stored view total before reading it afresh.
GAZETTE_VIEWS_STORED_SECONDS = env.int("GAZETTE_VIEWS_STORED_SECONDS", default=600)
# Popular Now: the most viewed articles of this many past hours.
GAZETTE_POPULAR_WINDOW_HOURS = env.int("GAZETTE_POPULAR_WINDOW_HOURS", default=24)

# Background work goes through Django's tasks API (the django-tasks package).
# TASKS_BACKEND=immediate (default) runs them in-process, with nothing to start;
# TASKS_BACKEND=database queues them in the database (django-tasks-db) for the worker,
# `manage.py db_worker`, as the production stack does.
TASKS_BACKENDS = {
    "immediate": "django_tasks.backends.immediate.ImmediateBackend",
    "database": "django_tasks_db.DatabaseBackend",
}
TASKS = {"default": {"BACKEND": TASKS_BACKENDS[env("TASKS_BACKEND", default="immediate")]}}
# A task RUNNING longer than this (seconds) is taken to have lost its worker: the next worker to
# start queues it again (gazette.core.task_recovery; a dead worker on the same host at once).
GAZETTE_TASK_STALE_AFTER = env.int("GAZETTE_TASK_STALE_AFTER", default=3600)

# The admin's Import (gazette.importers): uploads are kept here, outside MEDIA_ROOT so they are
# never served; the task worker must see the same folder. The cap matches nginx's body limit
# (deploy/nginx.conf); a larger archive goes by address or through `import_articles`. A check
# or an import with no word from its task for GAZETTE_IMPORT_STALLED_AFTER seconds is shown as
# stalled, to be run again.
GAZETTE_IMPORT_DIR = Path(env("GAZETTE_IMPORT_DIR", default=str(VAR_DIR / "imports")))
GAZETTE_IMPORT_MAX_UPLOAD_BYTES = env.int(
    "GAZETTE_IMPORT_MAX_UPLOAD_BYTES", default=32 * 1024 * 1024
)
GAZETTE_IMPORT_STALLED_AFTER = env.int("GAZETTE_IMPORT_STALLED_AFTER", default=600)

# Purge the page cache when content changes (gazette.core.purge): one URL per nginx (or CDN
# purge endpoint), e.g. FRONTEND_CACHE_PURGE_URLS=http://10.0.0.5:80,http://10.0.0.6:80
WAGTAILFRONTENDCACHE = {
    f"cache_{number}": {"BACKEND": "gazette.core.purge.NginxPurgeBackend", "LOCATION": url}
    for number, url in enumerate(env.list("FRONTEND_CACHE_PURGE_URLS", default=[]))
}

WAGTAIL_SITE_NAME = env("GAZETTE_SITE_NAME", default="Gazette")
# The address readers reach the site at, e.g. https://news.example.org: every absolute URL
# (canonical, feeds, sitemaps...) is built from it. Applied to the site at each migrate and by
# `manage.py set_site_address`; `make run` and `make stack` set their own
# (gazette.core.site_address).
GAZETTE_BASE_URL = env("GAZETTE_BASE_URL", default="")
WAGTAILADMIN_BASE_URL = env(
    "WAGTAILADMIN_BASE_URL", default=GAZETTE_BASE_URL or "http://127.0.0.1:8000"
)
WAGTAILIMAGES_IMAGE_MODEL = "images.CustomImage"
WAGTAILIMAGES_IMAGE_FORM_BASE = "gazette.images.forms.CreditedImageForm"  # credit required
# The admin asks no outside host for anything: no release check (a request to Wagtail's server
# on every dashboard, an error on a newsroom machine without internet) unless turned on
# (true, or "lts" for long-term releases only), no avatars from Gravatar (initials instead),
# no "What's new in Wagtail" banner (a promotion of Wagtail's guide, not news for editors).
WAGTAIL_ENABLE_UPDATE_CHECK = (
    "lts"
    if env("WAGTAIL_ENABLE_UPDATE_CHECK", default="").lower() == "lts"
    else env.bool("WAGTAIL_ENABLE_UPDATE_CHECK", default=False)
)
WAGTAIL_GRAVATAR_PROVIDER_URL = None
WAGTAIL_ENABLE_WHATS_NEW_BANNER = False
WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "wagtail.search.backends.database"}}
WAGTAILDOCS_EXTENSIONS = ["csv", "docx", "odt", "pdf", "pptx", "rtf", "txt", "xlsx", "zip"]
WAGTAILEMBEDS_RESPONSIVE_HTML = True
# Tags are readers' topics (gazette.topics): "Climate" and "climate" typed by two editors are
# one topic, not two pages.
TAGGIT_CASE_INSENSITIVE = True

# Distribution: feeds carry the whole story, or only its standfirst (the default).
GAZETTE_FEED_FULL_TEXT = env.bool("GAZETTE_FEED_FULL_TEXT", default=False)
# Articles per sitemap page (an id range; at most 50,000 by the sitemaps protocol).
GAZETTE_SITEMAP_PAGE_SIZE = env.int("GAZETTE_SITEMAP_PAGE_SIZE", default=10_000)
# Public API allowance per client IP, counted by django-ratelimit in the default cache.
GAZETTE_API_RATE_LIMIT = env("GAZETTE_API_RATE_LIMIT", default="120/m")
# While the cache (Redis) is unreachable, rate limits let requests through rather than refuse
# every comment and API call: the spam rules and moderation still apply.
RATELIMIT_FAIL_OPEN = True
DATA_UPLOAD_MAX_NUMBER_FIELDS = 10_000

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    # LOG_FORMAT=json: one JSON object per line with the request id (production's default).
    "formatters": {
        "text": {"format": "%(levelname)s %(name)s [%(request_id)s] %(message)s"},
        "json": {"()": "gazette.core.json_logging.JsonFormatter"},
    },
    "filters": {"request_id": {"()": "gazette.core.request_id.RequestIdFilter"}},
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "filters": ["request_id"],
            "formatter": env("LOG_FORMAT", default="text"),
        }
    },
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    # Each task and publish logs a line at INFO; keep imports and the console readable.
    "loggers": {
        "django_tasks": {"level": "WARNING"},
        "wagtail": {"level": "WARNING"},
        "axes": {"level": "WARNING"},
    },
}
