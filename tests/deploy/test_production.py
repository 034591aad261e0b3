"""Settings come from the environment with safe development defaults; production.py only
hardens, refuses to start without a real SECRET_KEY, and `manage.py check --deploy` finds
nothing to complain about. Each case runs in a fresh interpreter with its own environment."""

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

REPOSITORY = Path(__file__).resolve().parents[2]
SECRET = "p" + "0Qx7-kV2mZr9LwT4bY8nHc3JdF6sGa1uEo5iR_yXqNjMvBtKe"  # 50 characters
# Variables of the machine's environment that would leak into the settings under test.
OURS = (
    "DATABASE_URL",
    "DATABASE_REPLICA_URLS",
    "DATABASE_PREPARED_STATEMENTS",
    "REDIS_URL",
    "SECRET_KEY",
    "ALLOWED_HOSTS",
    "DEBUG",
    "TASKS_BACKEND",
    "FRONTEND_CACHE_PURGE_URLS",
    "LOG_FORMAT",
    "MEDIA_STORAGE",
    "MEDIA_STORAGE_OPTIONS",
    "DJANGO_SETTINGS_MODULE",
    "DJANGO_ALLOW_ASYNC_UNSAFE",  # the browser tests set it for their live server
)

DUMP = textwrap.dedent(
    """
    import json, sys
    import django
    from django.apps import apps
    from django.conf import settings
    from django.core.management import get_commands
    django.setup()
    if "--check" in sys.argv:
        from django.core.management import call_command
        call_command("check", deploy=True, fail_level="WARNING")
    print("SETTINGS=" + json.dumps({
        "DEBUG": settings.DEBUG,
        "DATABASES": settings.DATABASES,
        "DATABASE_ROUTERS": settings.DATABASE_ROUTERS,
        "CACHES": settings.CACHES,
        "SESSION_ENGINE": settings.SESSION_ENGINE,
        "TASKS": settings.TASKS,
        "WAGTAILFRONTENDCACHE": settings.WAGTAILFRONTENDCACHE,
        "STORAGES": settings.STORAGES,
        "EMAIL_BACKEND": settings.EMAIL_BACKEND,
        "ALLOWED_HOSTS": settings.ALLOWED_HOSTS,
        "LOG_FORMATTER": settings.LOGGING["handlers"]["console"]["formatter"],
        "MIDDLEWARE": settings.MIDDLEWARE,
        "SERVE_MEDIA": settings.SERVE_MEDIA,
        "INSTALLED_APPS": settings.INSTALLED_APPS,
        "APPS": [[config.name, config.label] for config in apps.get_app_configs()],
        "COMMANDS": get_commands(),
    }, default=str))
    """
)


def run_settings(module: str, env: dict[str, str], tmp_path: Path, *args: str):
    clean = {k: v for k, v in os.environ.items() if k not in OURS}
    clean |= {"DJANGO_SETTINGS_MODULE": module, "GAZETTE_VAR_DIR": str(tmp_path), **env}
    return subprocess.run(
        [sys.executable, "-c", DUMP, *args],
        cwd=REPOSITORY,
        env=clean,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def settings_of(result) -> dict:
    assert result.returncode == 0, result.stderr
    line = next(line for line in result.stdout.splitlines() if line.startswith("SETTINGS="))
    return json.loads(line.removeprefix("SETTINGS="))


PRODUCTION_ENV = {
    "SECRET_KEY": SECRET,
    "ALLOWED_HOSTS": "news.example.org",
    "DATABASE_URL": "postgres://gazette@db.internal:5432/gazette",
    "DATABASE_REPLICA_URLS": (
        "postgres://gazette@replica-1.internal:5432/gazette,"
        "postgres://gazette@replica-2.internal:5432/gazette"
    ),
    "REDIS_URL": "redis://cache.internal:6379/0",
    "TASKS_BACKEND": "database",
    "FRONTEND_CACHE_PURGE_URLS": "http://10.0.0.5/_purge,http://10.0.0.6/_purge",
    "MEDIA_STORAGE": "django.core.files.storage.InMemoryStorage",
    "MEDIA_STORAGE_OPTIONS": '{"base_url": "https://media.example.org/"}',
    "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
}


@pytest.fixture(scope="module")
def production_var(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("production")


@pytest.fixture(scope="module")
def production(production_var):
    """Production settings from a full production environment, with check --deploy run."""
    return run_settings("gazette.settings.production", PRODUCTION_ENV, production_var, "--check")


def test_check_deploy_is_clean_on_production_settings(production):
    assert production.returncode == 0, production.stdout + production.stderr
    assert "System check identified no issues" in production.stdout + production.stderr


def test_production_reads_everything_from_the_environment(production):
    s = settings_of(production)
    assert s["DEBUG"] is False
    assert s["ALLOWED_HOSTS"] == ["news.example.org"]
    primary = s["DATABASES"]["default"]
    # Django's backend, its pool checking connections without a round trip each (db_pool).
    assert primary["ENGINE"] == "gazette.core.postgresql"
    assert primary["HOST"] == "db.internal"
    # psycopg 3's pool, which needs CONN_MAX_AGE = 0.
    assert primary["OPTIONS"]["pool"]["max_size"] >= 4
    assert primary["CONN_MAX_AGE"] == 0
    assert primary["CONN_HEALTH_CHECKS"] is True
    # A connection dropped silently between hosts is found (its socket then has news for the
    # pool's check), and an idle one is kept open through firewalls.
    assert primary["OPTIONS"]["keepalives"] == 1
    # psycopg may prepare: gazette.core.prepared's statements (the ORM's never are).
    assert primary["OPTIONS"]["prepare_threshold"] == 5
    assert 0 < primary["OPTIONS"]["keepalives_idle"] <= 60
    replicas = {alias: db for alias, db in s["DATABASES"].items() if alias != "default"}
    assert {db["HOST"] for db in replicas.values()} == {"replica-1.internal", "replica-2.internal"}
    assert {db["ENGINE"] for db in replicas.values()} == {"gazette.core.postgresql"}
    assert all(
        db["OPTIONS"]["pool"] and db["TEST"]["MIRROR"] == "default" for db in replicas.values()
    )
    assert s["DATABASE_ROUTERS"] == ["gazette.core.db_routing.PrimaryReplicaRouter"]
    assert s["CACHES"]["default"]["BACKEND"] == "django_redis.cache.RedisCache"
    # Redis down: cache misses rather than errors (docs/operations.md, "Failures").
    assert s["CACHES"]["default"]["OPTIONS"]["IGNORE_EXCEPTIONS"] is True
    # django-redis's client, its entries unpickled faster (gazette.core.compat).
    assert s["CACHES"]["default"]["OPTIONS"]["CLIENT_CLASS"] == "gazette.core.compat.RedisClient"
    assert s["CACHES"]["default"]["LOCATION"] == "redis://cache.internal:6379/0"
    assert s["SESSION_ENGINE"] == "django.contrib.sessions.backends.cached_db"
    assert s["TASKS"]["default"]["BACKEND"] == "django_tasks_db.DatabaseBackend"
    assert [c["LOCATION"] for c in s["WAGTAILFRONTENDCACHE"].values()] == [
        "http://10.0.0.5/_purge",
        "http://10.0.0.6/_purge",
    ]
    assert s["STORAGES"]["default"] == {
        "BACKEND": "django.core.files.storage.InMemoryStorage",
        "OPTIONS": {"base_url": "https://media.example.org/"},
    }
    assert s["STORAGES"]["staticfiles"]["BACKEND"].endswith("RememberingManifestStaticFilesStorage")
    assert s["EMAIL_BACKEND"] == "django.core.mail.backends.smtp.EmailBackend"
    assert s["LOG_FORMATTER"] == "json"
    assert s["MIDDLEWARE"][0] == "gazette.core.request_id.RequestIdMiddleware"
    assert s["SERVE_MEDIA"] is False  # nginx or the media storage serves them


# The demo builder and the synthetic newsroom: development, tests and the stack's demo commands
# install them; production never does.
DEMO_APPS = {"gazette.demo", "gazette.synthetic"}
DEMO_COMMANDS = {"build_demo_site", "generate_newsroom"}


def demo_parts(s: dict) -> set[str]:
    """The demo apps (by module or label) and their commands that these settings install."""
    labels = {name.rsplit(".", 1)[-1] for name in DEMO_APPS}
    apps = {
        name
        for name, label in s["APPS"]
        if label in labels or any(name == app or name.startswith(app + ".") for app in DEMO_APPS)
    }
    listed = {
        entry
        for entry in s["INSTALLED_APPS"]
        if any(entry == app or entry.startswith(app + ".") for app in DEMO_APPS)
    }
    return apps | listed | (DEMO_COMMANDS & set(s["COMMANDS"]))


def test_production_installs_no_demo_or_synthetic_app(production):
    assert demo_parts(settings_of(production)) == set()


def test_the_stacks_demo_settings_are_production_plus_the_demo_app(production, production_var):
    demo = settings_of(run_settings("gazette.settings.stack", PRODUCTION_ENV, production_var))
    prod = settings_of(production)
    assert demo_parts(demo) == {"gazette.demo"} | DEMO_COMMANDS
    assert demo["INSTALLED_APPS"] == ["gazette.demo", *prod["INSTALLED_APPS"]]
    differ = {"INSTALLED_APPS", "APPS", "COMMANDS"}
    assert {k: v for k, v in demo.items() if k not in differ} == {
        k: v for k, v in prod.items() if k not in differ
    }


def test_development_defaults_need_no_service(tmp_path):
    s = settings_of(run_settings("gazette.settings.dev", {}, tmp_path))
    assert s["DEBUG"] is True
    assert s["DATABASES"]["default"]["ENGINE"] == "django.db.backends.sqlite3"
    assert set(s["DATABASES"]) == {"default"}
    assert s["DATABASE_ROUTERS"] == []
    assert s["CACHES"]["default"]["BACKEND"].endswith("LocMemCache")
    assert s["SESSION_ENGINE"] == "django.contrib.sessions.backends.db"
    assert s["TASKS"]["default"]["BACKEND"].endswith("ImmediateBackend")
    assert s["WAGTAILFRONTENDCACHE"] == {}
    assert s["STORAGES"]["default"]["BACKEND"].endswith("FileSystemStorage")
    assert s["SERVE_MEDIA"] is True  # make run's pictures: no nginx in front
    assert s["LOG_FORMATTER"] == "text"
    assert demo_parts(s) == {"gazette.demo"} | DEMO_COMMANDS  # make run builds the demo site


@pytest.mark.parametrize("secret", [None, "django-insecure-whatever", "too-short"])
def test_production_refuses_to_start_without_a_real_secret_key(tmp_path, secret):
    env = {k: v for k, v in PRODUCTION_ENV.items() if k != "SECRET_KEY"}
    if secret is not None:
        env["SECRET_KEY"] = secret
    clean = {k: v for k, v in os.environ.items() if k not in OURS} | env
    result = subprocess.run(
        [sys.executable, "-c", "import gazette.settings.production"],
        cwd=REPOSITORY,
        env=clean | {"GAZETTE_VAR_DIR": str(tmp_path)},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode != 0
    assert "Set SECRET_KEY" in result.stderr


def test_prepared_statements_can_be_turned_off_for_a_pooling_proxy(tmp_path):
    env = PRODUCTION_ENV | {"DATABASE_PREPARED_STATEMENTS": "false"}
    s = settings_of(run_settings("gazette.settings.production", env, tmp_path))
    assert {db["OPTIONS"]["prepare_threshold"] for db in s["DATABASES"].values()} == {None}
