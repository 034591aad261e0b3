"""Through nginx and the app servers: a page is cached under the parameters it reads only
(deploy/nginx.conf, "Cache keys"). Readers arriving from a newsletter or a social link, each
with a tracking parameter of their own, share the page's one cache entry; a purge of the page
reaches that entry; the page names its canonical address."""

from __future__ import annotations

import re
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

from tests.stack.web import wait_for

TRACKING = ("utm_source", "utm_medium", "utm_campaign", "fbclid", "gclid", "mc_eid")


def cache_status(response) -> str:
    return response.headers.get("X-Cache-Status", "")


def tracking_links(path: str, count: int) -> list[str]:
    return [f"{path}?{TRACKING[n % len(TRACKING)]}={uuid.uuid4().hex[:12]}" for n in range(count)]


def test_an_article_with_100_tracking_parameters_renders_once(running_stack, demo_article):
    reader = running_stack.client()
    path = demo_article["path"]
    # The page in the cache (the first request may render it).
    warm, _ = wait_for(lambda: cache_status(reader.get(path)) == "HIT", timeout=10)
    assert warm, "the article never came from the cache"

    def read(url):
        return running_stack.client().get(url)

    with ThreadPoolExecutor(max_workers=8) as pool:
        responses = list(pool.map(read, tracking_links(path, 100)))
    assert {r.status_code for r in responses} == {200}
    assert all("18 North Korean Soldiers" in r.text for r in responses)
    statuses = Counter(cache_status(r) for r in responses)
    # No link was a new entry: each was served from the article's own. A render happened
    # only where that entry had reached its 1 s age (EXPIRED, or STALE with the update
    # in the background), as for readers of the bare URL.
    assert statuses["MISS"] == 0, statuses
    assert set(statuses) <= {"HIT", "EXPIRED", "STALE", "UPDATING"}, statuses
    renders = statuses["EXPIRED"] + statuses["STALE"]
    print(f"100 tracking links: {dict(statuses)}, {renders} render(s) after the first")


def test_parameters_the_page_reads_are_entries_of_their_own(running_stack, demo_article):
    reader = running_stack.client()
    path = demo_article["path"]
    marker = uuid.uuid4().hex[:8]
    warm, _ = wait_for(lambda: cache_status(reader.get(path)) == "HIT", timeout=10)
    assert warm
    # An unknown comment notice is no notice: the bare page's entry.
    assert cache_status(reader.get(f"{path}?comment=x{marker}")) != "MISS"
    # A comment page number the page has never been asked for is a new entry, once.
    number = 1000 + int(marker, 16) % 99000
    first = reader.get(f"{path}?comments_page={number}&utm_source={marker}")
    again = reader.get(f"{path}?fbclid={marker}&comments_page={number}")
    assert first.status_code == again.status_code == 200
    assert cache_status(first) == "MISS"
    assert cache_status(again) in {"HIT", "EXPIRED", "STALE", "UPDATING"}


def test_a_purge_of_the_article_reaches_what_tracking_links_were_served(
    running_stack, demo_article
):
    from gazette.core.purge import NginxPurgeBackend

    reader = running_stack.client()
    path = demo_article["path"]
    warm, _ = wait_for(
        lambda: cache_status(reader.get(f"{path}?utm_source=a")) == "HIT", timeout=10
    )
    assert warm
    # As the task worker sends it when the article changes (gazette.core.purge).
    backend = NginxPurgeBackend({"LOCATION": f"{running_stack.url}/_purge"})
    backend.purge(f"{running_stack.url}{path}")
    # Gone: the link that filled the entry and any other finds none.
    assert cache_status(reader.get(f"{path}?utm_source=a")) == "MISS"
    assert cache_status(reader.get(f"{path}?fbclid=b")) == "HIT"


def test_the_canonical_address_carries_no_tracking_parameter(running_stack, demo_article):
    page = running_stack.client().get(f"{demo_article['path']}?utm_source=news&x=1").text
    canonical = re.search(r'<link rel="canonical" href="([^"]+)"', page)
    assert canonical, "the article names no canonical address"
    assert canonical[1].endswith(demo_article["path"])
    assert "?" not in canonical[1]
