"""Browser tests: Playwright drives Debian's chromium against the live test server.

Browsers are never downloaded: the tests use /usr/bin/chromium and skip with a clear reason
where it is absent (``make test`` installs it).
"""

import contextlib
import os
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/browser/" in str(item.fspath):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="module")
def browser():
    """One chromium per test module. While it runs, Playwright's sync API keeps an event loop
    in this thread, so the plain synchronous ORM calls of the tests (and the database flush
    after each) need DJANGO_ALLOW_ASYNC_UNSAFE; it is set only for that time so it cannot
    leak into other tests or the subprocesses they start."""
    if not CHROMIUM.exists():
        pytest.skip("Debian's chromium is not installed (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_FLAGS)
            yield browser
            browser.close()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


class PageWatch:
    """Collects what a page did that a reader would not want: console errors, failed
    requests, requests to other hosts."""

    def __init__(self, page, allowed_origin: str):
        self.console_errors: list[str] = []
        self.foreign_requests: list[str] = []
        self.failed: list[str] = []
        page.on("console", self._console)
        page.on("pageerror", lambda error: self.console_errors.append(str(error)))
        page.on("request", lambda request: self._request(request, allowed_origin))
        page.on("requestfailed", lambda request: self.failed.append(request.url))
        page.on(
            "response",
            lambda response: response.status >= 400 and self.failed.append(response.url),
        )

    def _console(self, message):
        if message.type == "error":
            self.console_errors.append(message.text)

    def _request(self, request, allowed_origin):
        if not (request.url.startswith(allowed_origin) or request.url.startswith("data:")):
            self.foreign_requests.append(request.url)


@pytest.fixture
def open_page(browser, live_server):
    """Open a path of the live server in a fresh context; returns (page, watch)."""
    contexts = []

    def _open(path: str, *, width: int = 1280, javascript: bool = True, scheme: str = "light"):
        context = browser.new_context(
            viewport={"width": width, "height": 900},
            java_script_enabled=javascript,
            color_scheme=scheme,
        )
        contexts.append(context)
        page = context.new_page()
        watch = PageWatch(page, live_server.url)
        page.goto(live_server.url + path)
        return page, watch

    yield _open
    close_when_idle(contexts)


def close_when_idle(contexts) -> None:
    """Close the contexts once their pages have no request in flight: a view beacon still
    being served when the test ends would hold a table lock while the database is flushed
    (SQLite: "database table is locked"). An admin edit page also tells the server it is
    left (Wagtail's editing session "release", sent as the page unloads): that request is
    dropped, and the page is left for a blank one before the context closes."""
    from playwright.sync_api import Error as PlaywrightError

    for context in contexts:
        with contextlib.suppress(PlaywrightError):
            context.route("**/editing-sessions/**", lambda route: route.abort())
        for page in context.pages:
            with contextlib.suppress(PlaywrightError):
                page.wait_for_load_state("networkidle", timeout=5000)
                page.goto("about:blank")
                page.wait_for_timeout(300)
        context.close()


@pytest.fixture(scope="session")
def artifacts() -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS


@pytest.fixture(autouse=True)
def wagtail_tree_roots(transactional_db):
    """Tests with a live server flush the database after each test, taking with it the rows
    Wagtail's migrations made: the default locale and the roots of the page and collection
    trees. Put them back as the migrations do."""
    from django.conf import settings
    from wagtail.models import Collection, Locale, Page

    Locale.objects.get_or_create(language_code=settings.LANGUAGE_CODE.split("-")[0])
    if not Collection.get_first_root_node():
        Collection.add_root(name="Root")
    if not Page.get_first_root_node():
        Page.add_root(instance=Page(title="Root", slug="root", live=True))


@pytest.fixture
def seeded(home):
    """The reference page imported, as tests/conftest.py's `seeded`; after this process's first
    such import past a flush, its rows put back instead of imported again (reference_rows)."""
    from tests.browser import reference_rows
    from tests.conftest import _import_the_reference_page

    return reference_rows.seeded(home, _import_the_reference_page)
