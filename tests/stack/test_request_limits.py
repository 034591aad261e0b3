"""Long URLs and large headers through nginx fail clean: a 414 or 400 from nginx for anything
over its limits, and no URL or header under them yields a 5xx, on every reader route. A
client's bad request never takes an app server out of rotation: readers keep getting their
pages while the sweep runs and after it."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field

import pytest

from tests.stack.web import Client

KB = 1024
# The URL limit in deploy/nginx.conf: a request line of 8 KB.
URL_LIMIT = 8 * KB
# Every whole KB from 1 to 16, around the lengths that gave 502 (3.2-4 KB) and either side
# of the limit.
URL_LENGTHS = sorted(
    {n * KB for n in range(1, 17)} | {3300, 3700, 8000, 8100, 8177, 8178, 8190, 8200}
)
HEADER_SIZES = [KB, 2 * KB, 4 * KB, 6 * KB, 7 * KB, 8 * KB - 40, 8 * KB, 9 * KB, 16 * KB]
COMBINING = "%CC%81"  # U+0301, percent-encoded as a browser sends it: 6 bytes a character


@dataclass
class Route:
    path: str
    query: str = ""  # the route's own parameters, kept in every URL of the sweep
    method: str = "GET"
    # The parameter a hostile URL stuffs (the page reads it), or None
    stuffed: str | None = None
    reader_page: bool = True  # a page a reader's URL gets 200 from, whatever else it carries


@pytest.fixture(scope="module")
def routes(running_stack, demo_article) -> list[Route]:
    with running_stack.primary() as db:
        (author,) = db.execute("SELECT slug FROM people_author ORDER BY id LIMIT 1").fetchone()
    article = demo_article["path"]
    return [
        Route("/"),
        Route(demo_article["section_path"], stuffed="page"),
        Route(article, stuffed="comments_page"),
        Route(f"/authors/{author}/", stuffed="page"),
        Route("/search/", "q=korea", stuffed="section"),
        Route("/search/", "q=korea&order=newest", stuffed="q"),
        Route("/api/v1/articles", "page_size=5", stuffed="section"),
        Route("/api/v1/articles/most-read", stuffed="limit"),
        Route("/api/v1/sections", stuffed="page"),
        Route("/api/v1/authors", stuffed="page_size"),
        Route(f"/api/v1/articles/{demo_article['id']}"),
        Route("/feeds/rss.xml"),
        Route("/sitemap.xml"),
        Route(f"/analytics/views/{demo_article['id']}/", method="POST", reader_page=False),
        Route(f"/comments/{demo_article['id']}/post/", method="POST", reader_page=False),
    ]


def url_of(route: Route, length: int, *, stuff: str) -> str:
    """The route's URL made ``length`` bytes long with a tracking parameter, a parameter the
    page reads (combining marks, as in issue 20's 502) or a long last path segment."""
    own = f"{route.query}&" if route.query else ""
    if stuff == "path":
        query = f"?{route.query}" if route.query else ""
        base = route.path.rstrip("/") + "/"
        return base + "x" * max(1, length - len(base) - len(query)) + query
    name = "utm_content" if stuff == "tracking" else route.stuffed
    prefix = f"{route.path}?{own}{name}="
    room = max(0, length - len(prefix))
    if stuff == "tracking":
        return prefix + "x" * room
    return prefix + COMBINING * (room // len(COMBINING)) + "a" * (room % len(COMBINING))


@dataclass
class Readers:
    """Normal readers reading the article, the home page and a search, all the while."""

    client: Client
    paths: list[str]
    answers: list[tuple[str, int]] = field(default_factory=list)
    _stop: threading.Event = field(default_factory=threading.Event)

    def run(self) -> None:
        while not self._stop.is_set():
            for path in self.paths:
                try:
                    status = self.client.get(path).status_code
                except OSError as error:  # a refused or reset connection is an answer too
                    status = f"{type(error).__name__}"
                self.answers.append((path, status))
            time.sleep(0.05)

    def __enter__(self) -> Readers:
        self._thread = threading.Thread(target=self.run, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()


def _send(client: Client, route: Route, url: str, **kwargs):
    headers = kwargs.pop("headers", {})
    if route.method == "POST":
        # As a browser's fetch from the page: the app answers, not its origin check.
        headers |= {"Sec-Fetch-Site": "same-origin", "Sec-Fetch-Dest": "empty"}
    return client.request(route.method, url, headers=headers, **kwargs)


def test_long_urls_and_large_headers_fail_clean_and_readers_carry_on(
    running_stack, demo_article, routes
):
    error_log_before = len(running_stack.log("nginx-error.log"))
    normal = [demo_article["path"], "/", "/search/?q=korea"]
    answers: list[tuple[str, int, str]] = []  # (what, status, url or header)
    with Readers(running_stack.client(), normal) as readers:
        client = running_stack.client()
        for route in routes:
            stuffing = ["tracking", "path"] + (["parameter"] if route.stuffed else [])
            for length in URL_LENGTHS:
                for stuff in stuffing:
                    url = url_of(route, length, stuff=stuff)
                    status = _send(client, route, url).status_code
                    answers.append((f"{route.method} {stuff} {len(url)}", status, url))
                    if stuff == "tracking" and route.reader_page and len(url) <= 8000:
                        # The page ignores the parameter: the page, whatever its length.
                        assert status == 200, (route.path, len(url), status)
                    if len(url) > URL_LIMIT:
                        assert status == 414, (route.path, len(url), status)
            for size in HEADER_SIZES:
                for name in ("X-Filler", "Referer", "User-Agent", "Cookie"):
                    value = "x" * size
                    if name == "Referer":
                        value = f"{running_stack.url}/?" + value[: size - 40]
                    elif name == "Cookie":
                        value = "filler=" + value
                    status = _send(client, route, route.path, headers={name: value}).status_code
                    answers.append((f"{route.method} {name} {size}", status, route.path))
                    if size > 8 * KB:
                        assert status == 400, (route.path, name, size, status)
            for count in (50, 101, 200, 1000):
                headers = {f"X-Filler-{n}": "x" for n in range(count)}
                status = _send(client, route, route.path, headers=headers).status_code
                answers.append((f"{route.method} {count} headers", status, route.path))
        # After the sweep, too.
        time.sleep(0.5)

    server_errors = [(what, status, url[:120]) for what, status, url in answers if status >= 500]
    assert not server_errors, server_errors[:20]
    refused_readers = [(path, status) for path, status in readers.answers if status != 200]
    assert readers.answers and not refused_readers, refused_readers[:20]
    after = [running_stack.client().get(path).status_code for path in normal]
    assert after == [200] * len(normal)
    # No app server was marked as failed, and nothing overflowed a buffer.
    errors = running_stack.log("nginx-error.log")[error_log_before:]
    for sign in ("temporarily disabled", "too big header", "not enough for cache key"):
        assert sign not in errors, [line for line in errors.splitlines() if sign in line][:5]
