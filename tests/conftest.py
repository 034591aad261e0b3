import contextlib
from pathlib import Path

import pytest
from django.dispatch import receiver
from django.test.signals import setting_changed
from django.urls import clear_url_caches

from gazette.home.services import ensure_home_page

REPOSITORY = Path(__file__).resolve().parents[1]
SEED_FILE = REPOSITORY.parent / "shared" / "seed" / "000_9d8990e26df27fda.txt"
# Fixtures every test directory may use: `purged` (the URLs a change purges); and the flush
# after a transactional test putting back a snapshot instead of sending post_migrate.
pytest_plugins = ["tests.purge_recorder", "tests.cache_outage", "tests.flush_snapshot"]

ARTICLE_HEADLINE = "18 North Korean Soldiers Flee Russian Forces Near Ukraine Border, Reports Say"


def pytest_report_header(config):
    from django.conf import settings

    database = settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1]
    cache = settings.CACHES["default"]["BACKEND"].rsplit(".", 1)[-1]
    return f"gazette backends: database={database} cache={cache}"


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(config, items):
    """Keep an ``xdist_group`` on one pytest-xdist worker under pytest 9.2.

    pytest-xdist 3.8 groups tests (``--dist loadgroup``) by renaming ``item._nodeid``, which
    pytest 9.2 no longer reads (a node's id is ``item._id``): the stack tests were spread over
    both workers, each starting a stack of its own. Do the renaming xdist meant to do; a
    no-op once xdist's own renaming takes effect again (the id then has its suffix). A module
    that shares rows among its tests is a group of its own (`_module_rows_group`).
    """
    if not config.getoption("loadgroup", default=False):  # set in xdist's workers only
        return
    from _pytest.nodeid import coerce_node_id

    for item in items:
        groups = sorted(
            {
                str(m.args[0] if m.args else m.kwargs.get("name", "default"))
                for m in item.iter_markers("xdist_group")
            }
        )
        if not groups and (rows := _module_rows_group(item)):
            groups = [rows]
        suffix = "@" + "_".join(groups)
        if groups and not item.nodeid.endswith(suffix):
            item._id = coerce_node_id(item.nodeid + suffix)


@pytest.fixture
def editor_client(client, db):
    """A client logged in to the admin as a superuser editor."""
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.create_superuser("editor", "editor@example.org", "pw")
    client.force_login(user)
    return client


@pytest.fixture
def home(db):
    return ensure_home_page()


@pytest.fixture
def seeded(home):
    """The reference article page imported, as `make run` builds it."""
    return _import_the_reference_page(home)


def _import_the_reference_page(home):
    """Its 22 pages each indexed once, not once per save (the end state is the same:
    tests/core/test_compat.py): about a third of the import's cost."""
    from gazette.core.compat import index_updates_batched
    from gazette.importers.services import import_textdump_file

    with index_updates_batched():
        return import_textdump_file(path=SEED_FILE, home=home)


@contextlib.contextmanager
def kept_for_the_module(django_db_blocker):
    """Rows a module's tests share, made once in a transaction that is rolled back when the
    module ends. Each test's own changes roll back to them: the test's transaction is then a
    savepoint inside this one. For data dearer to make than the tests that read it, in a module
    whose every test uses it: a test of the module that does not would see the rows too."""
    from django.db import transaction

    with django_db_blocker.unblock(), transaction.atomic():
        yield
        transaction.set_rollback(True)


@pytest.fixture(scope="module")
def seeded_once(django_db_setup, django_db_blocker):
    """`seeded`, imported once for a module whose every test uses it (kept_for_the_module)."""
    with kept_for_the_module(django_db_blocker):
        yield _import_the_reference_page(ensure_home_page())


def translate(page, locale, **changes):
    """The page's translation into ``locale`` (as Wagtail's copy_for_translation makes it),
    with ``changes`` made and published."""
    from gazette.core.compat import index_updates_batched

    # Changed before its first publish, and indexed once: one publish where an editor's
    # translation takes two (copied, then edited) ends the same for what tests read.
    with index_updates_batched():
        copy = page.copy_for_translation(locale).specific
        for name, value in changes.items():
            setattr(copy, name, value)
        copy.save_revision().publish()
    return copy.specific_class.objects.get(pk=copy.pk)


@pytest.fixture
def editions(home):
    """A Korean edition beside the English site: the home page and World translated, one
    story translated (its Korean headline and text), one story in English only."""
    return _make_editions(home)


@pytest.fixture(scope="module")
def editions_once(django_db_setup, django_db_blocker):
    """`editions`' rows made once for a module whose every test uses them (kept_for_the_module),
    as their keys; such a module overrides `editions` with ``read_afresh(editions_once)``."""
    with kept_for_the_module(django_db_blocker):
        made = _make_editions(ensure_home_page())
        yield {name: (type(row), row.pk) for name, row in made.items()}


def read_afresh(keys: dict) -> dict:
    """The rows of ``keys`` (name: (model, pk)) read again, for one test: an instance kept from
    an earlier test would carry what it cached there (a related row, an address)."""
    return {name: model.objects.get(pk=pk) for name, (model, pk) in keys.items()}


def _make_editions(home) -> dict:
    from django.core.cache import cache
    from wagtail.models import Locale

    from tests.factories import ArticleFactory, SectionFactory, make_curated_list

    korean = Locale.objects.create(language_code="ko")
    world = SectionFactory(title="World", slug="world", parent=home)
    english_story = ArticleFactory(title="Floods in the north", slug="floods", parent=world)
    english_only = ArticleFactory(title="Only in English", slug="english-only", parent=world)
    ko_home = translate(home, korean)
    ko_world = translate(world, korean, title="세계")
    ko_story = translate(
        english_story,
        korean,
        title="북부 홍수",
        standfirst="북부 지방에 큰 비가 내렸다.",
        body=[("paragraph", "<p>주민들이 대피했다. 도로가 잠겼다.</p>")],
    )
    make_curated_list("must-reads", [english_story, ko_story])
    cache.clear()
    return {
        "home": home,
        "korean": korean,
        "ko_home": ko_home,
        "world": world,
        "ko_world": ko_world,
        "story": english_story,
        "english_only": english_only,
        "ko_story": ko_story,
    }


@receiver(setting_changed)
def _addresses_follow_the_site_language(setting, **kwargs):
    """Django keeps each language's reversed addresses, with the language's prefix (/ar/) or
    none for the site's own language, as it found them first. A test that changes the site's
    language (use_site_language, the ``settings`` fixture undoing it) starts them afresh."""
    if setting == "LANGUAGE_CODE":
        clear_url_caches()


def use_site_language(settings, code: str) -> None:
    """Switch the site to ``code`` as GAZETTE_LANGUAGE does: LANGUAGE_CODE, and the site's own
    Locale in that language, as the migrations make it on such a site (pages of another
    locale would be a second-language edition's, rendered in theirs)."""
    from wagtail.models import Locale

    from gazette.core import editions

    own = editions.content_language(settings.LANGUAGE_CODE)
    settings.LANGUAGE_CODE = code
    target = editions.content_language(code)
    if own != target and not Locale.objects.filter(language_code=target).exists():
        Locale.objects.filter(language_code=own).update(language_code=target)
    editions.retire_on_locale_change(sender=Locale)


@pytest.fixture(scope="session", autouse=True)
def _compiled_translations():
    """The .mo files are built at install (make), not committed: a fresh checkout's tests
    compile them first, as `make` would, so that every language's pages are translated."""
    import importlib.util

    spec = importlib.util.spec_from_file_location(
        "compile_messages", REPOSITORY / "scripts" / "compile_messages.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    module.compile_all()


@pytest.fixture(autouse=True)
def _empty_cache():
    """Each test starts with an empty cache: the database rolls back between tests, and a
    cache that remembered rows of an earlier test (renditions, settings) would lie."""
    empty_caches()


def empty_caches() -> None:
    """Every cache emptied, as at a test's start (for a subtest that needs the same)."""
    from django.core.cache import caches

    for alias in caches:
        caches[alias].clear()


@pytest.fixture(autouse=True)
def _empty_view_counter():
    """Each test starts with no counted views waiting to be flushed (they live in this
    process's memory on SQLite, in Redis otherwise), for the same reason."""
    from gazette.analytics.counters import counter

    counter.reset()


def _module_rows_group(item) -> str | None:
    """The xdist group of a test that reads rows made once for its module (a module-scoped
    fixture on the database: `seeded_once`, `editions_once`, the distribution tests'
    newsroom...): the module's tests run on one worker. Spread over two, as ``--dist
    loadgroup`` spreads ungrouped tests, each worker would make the rows again (the reference
    page's import: 10-30 s a worker)."""
    definitions = getattr(item, "_fixtureinfo", None)
    if definitions is None:
        return None
    for name in item.fixturenames:
        fixture = definitions.name2fixturedefs.get(name, (None,))[-1]
        shared = fixture is not None and fixture.scope == "module"
        if shared and "django_db_blocker" in fixture.argnames:
            return f"rows-of-{item.module.__name__}"
    return None
