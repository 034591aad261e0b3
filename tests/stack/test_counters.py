"""View counts from both app servers add up: each buffers in the shared Redis, the flush
worker (`manage.py flush_views --loop`) writes the sum to PostgreSQL."""

import pytest

from tests.stack.web import wait_for

BEACONS = 7


def test_views_counted_on_both_app_servers_add_up(running_stack, demo_article):
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
        assert response.status_code == 200, response.text
        assert response.json()["counted"] is True
        shown.append(response.json()["views"])
    # Readers see the running total, whichever server they ask (buffer + database).
    assert shown[-1] >= before + BEACONS
    assert shown == sorted(shown)

    total, _ = wait_for(lambda: stored() >= before + BEACONS and stored(), timeout=15)
    assert total == before + BEACONS
