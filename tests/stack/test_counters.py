"""View counts add up across the stack: nginx answers the beacon and logs it, the beacon log's
counter (`manage.py count_beacon_log`) counts the log into Redis; without nginx in front,
each app server counts into the same Redis; the flush worker (`manage.py flush_views
--loop`) writes the sum to PostgreSQL."""

import uuid

import pytest

from tests.stack.web import wait_for

BEACONS = 7
BROWSER = (
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/131.0.0.0 Safari/537.36"
)


@pytest.fixture
def stored(running_stack, demo_article):
    with running_stack.primary() as db:
        if db.execute("SELECT to_regclass('analytics_totalviews')").fetchone() == (None,):
            pytest.skip("the analytics app (view counts) is not installed")

    def stored() -> int:
        with running_stack.primary() as db:
            row = db.execute(
                "SELECT views FROM analytics_totalviews WHERE article_id = %s",
                [demo_article["id"]],
            ).fetchone()
        return row[0] if row else 0

    return stored


def test_views_counted_on_both_app_servers_add_up(running_stack, demo_article, stored):
    before = stored()
    beacon = f"/analytics/views/{demo_article['id']}/"
    servers = [running_stack.client(app) for app in ("app-a", "app-b")]
    shown = []
    for number in range(BEACONS):
        server = servers[number % 2]
        response = server.post(
            beacon,
            headers={
                # A different reader each time, as nginx reports them; a browser's fetch.
                "X-Real-IP": f"203.0.113.{number + 1}",
                "Sec-Fetch-Dest": "empty",
                "Sec-Fetch-Site": "same-origin",
            },
        )
        assert response.status_code == 204, response.text
        shown.append(server.get(beacon + "count").json()["views"])
    # Readers see the running total, whichever server they ask (buffer + database).
    assert shown[-1] >= before + BEACONS
    assert shown == sorted(shown)

    total, _ = wait_for(lambda: stored() >= before + BEACONS and stored(), timeout=15)
    assert total == before + BEACONS


def test_beacons_answered_by_nginx_are_counted_from_its_log(running_stack, demo_article, stored):
    """nginx answers the beacon itself (no app server asked), the counter counts its log,
    the flush worker stores the views, and the count nginx keeps a few seconds follows."""
    before = stored()
    beacon = f"/analytics/views/{demo_article['id']}/"
    run = uuid.uuid4().hex[:8]
    readers = [running_stack.client(source=f"127.0.3.{number + 1}") for number in range(BEACONS)]
    for number, reader in enumerate(readers):
        headers = {
            "User-Agent": BROWSER.replace("Chrome/131.0", f"Chrome/131.0.{run}.{number}"),
            "Sec-Fetch-Dest": "empty",
            "Sec-Fetch-Site": "same-origin",
        }
        response = reader.post(beacon, headers=headers)
        assert response.status_code == 204 and response.content == b""
        assert "X-Cache-Status" not in response.headers
        assert reader.post(beacon, headers=headers).status_code == 204  # a repeat: once
    bot = readers[0].post(beacon, headers={"User-Agent": "curl/8.5.0"})
    assert bot.status_code == 204  # answered alike, never counted
    gone = readers[0].post("/analytics/views/999999999/", headers={"User-Agent": BROWSER})
    assert gone.status_code == 204  # any well-formed id: the counter drops it

    total, _ = wait_for(lambda: stored() >= before + BEACONS and stored(), timeout=30)
    assert total == before + BEACONS, total - before

    def count() -> int:
        return running_stack.client().get(beacon + "count").json()["views"]

    fresh, _ = wait_for(lambda: count() >= total and count(), timeout=15)
    assert fresh == total
    answer = running_stack.client().get(beacon + "count")
    assert answer.headers["X-Cache-Status"] in ("HIT", "UPDATING", "MISS", "EXPIRED")
    assert set(answer.json()) == {"views", "display", "unit"}
    assert running_stack.client().get("/analytics/views/999999999/count").status_code == 404
    assert "Traceback" not in running_stack.log("beacon-counter.log")
