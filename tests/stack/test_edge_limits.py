"""Edge rate limits through the stack: beyond its burst, a client of search, the API, the
comment forms or the view beacon gets 429 with Retry-After from nginx, and no app server
hears of the request; other clients and other pages are not held back.

The session's stack runs without edge limits (its tests play many readers from one address):
this test restarts its nginx with low ones, and without them again afterwards."""

from __future__ import annotations

import json

import pytest

from tests.stack.conftest import restart_nginx
from tests.stack.web import wait_for

# Three requests at once, then one a minute: the fourth of a quick series is refused.
LOW = "1r/m burst=2"


@pytest.fixture
def low_limits(running_stack):
    restart_nginx(
        running_stack.dir,
        **{f"GAZETTE_EDGE_LIMIT_{name}": LOW for name in ("SEARCH", "API", "COMMENTS", "BEACON")},
    )
    try:
        yield
    finally:
        restart_nginx(running_stack.dir)


def access_line(running_stack, request_id: str) -> dict | None:
    for line in running_stack.log("nginx-access.log").splitlines():
        if f'"request_id":"{request_id}"' in line:
            return json.loads(line)
    return None


def test_beyond_its_burst_a_client_is_refused_at_the_edge(running_stack, demo_article, low_limits):
    article_id = demo_article["id"]
    browser_fetch = {"Sec-Fetch-Site": "same-origin", "Sec-Fetch-Dest": "empty"}
    endpoints = [
        ("GET", "/search/?q=korea", {}),
        ("GET", "/api/v1/articles?page_size=2", {}),
        ("POST", f"/comments/{article_id}/post/", browser_fetch),
        ("POST", f"/analytics/views/{article_id}/", browser_fetch),
    ]
    for number, (method, path, headers) in enumerate(endpoints):
        client = running_stack.client(source=f"127.0.20.{number + 1}")
        answers = [client.request(method, path, headers=headers) for _ in range(5)]
        statuses = [answer.status_code for answer in answers]
        assert 429 not in statuses[:3] and statuses[3:] == [429, 429], (path, statuses)
        for refused in answers[3:]:
            assert refused.headers["Retry-After"] == "60"  # one request a minute comes free
            # nginx answered it: no app server was asked.
            line, _ = wait_for(
                lambda r=refused: access_line(running_stack, r.headers["X-Request-ID"]),
                timeout=5,
            )
            assert line and line["status"] == 429 and line["upstream"] == "", line
        # Another client is not held back, nor is this one on a page without a limit.
        other = running_stack.client(source=f"127.0.21.{number + 1}")
        assert other.request(method, path, headers=headers).status_code != 429
        assert client.get(demo_article["path"]).status_code == 200
