"""A real streaming replica (pg_basebackup -R) behind the database router: readers' listings
come from the replica; the admin, writes and the writer's own next pages from the primary.

Replay on the replica is paused while an editor publishes, so that what each request read
from shows in what it returns."""

import uuid

from tests.stack.web import log_in, publish_new_article, wait_for


def test_the_replica_streams_from_the_primary(running_stack):
    with running_stack.primary() as primary:
        rows = primary.execute("SELECT application_name, state FROM pg_stat_replication").fetchall()
    assert ("replica", "streaming") in rows
    with running_stack.replica() as replica:
        assert replica.execute("SELECT pg_is_in_recovery()").fetchone() == (True,)


def test_listings_read_from_the_replica_the_admin_and_writes_from_the_primary(
    running_stack, demo_article, section_id
):
    section = demo_article["section_path"]
    editor = running_stack.client("app-a")
    log_in(editor, "admin", running_stack.admin_password)
    # The same editor's session on the other app server (sessions live in Redis).
    editor_on_b = running_stack.client("app-b")
    editor_on_b.cookies.update(editor.cookies)
    # Anonymous readers behind nginx, as nginx reports them (X-Real-IP).
    readers = [running_stack.client(app) for app in ("app-a", "app-b")]
    for number, reader in enumerate(readers):
        reader.headers["X-Real-IP"] = f"198.51.100.{number + 10}"

    headline = f"Replica test headline {uuid.uuid4().hex[:8]}"
    slug = f"replica-test-{uuid.uuid4().hex[:8]}"
    with running_stack.replica() as replica:
        replica.execute("SELECT pg_wal_replay_pause()")
        try:
            # A write while the replica is frozen (and read-only anyway): it reaches the primary.
            publish_new_article(editor, section_id, title=headline, slug=slug)
            with running_stack.primary() as primary:
                on_primary = primary.execute(
                    "SELECT count(*) FROM wagtailcore_page WHERE slug = %s AND live", [slug]
                ).fetchone()
            on_replica = replica.execute(
                "SELECT count(*) FROM wagtailcore_page WHERE slug = %s", [slug]
            ).fetchone()
            assert on_primary == (1,) and on_replica == (0,)

            # Readers' listings come from the replica, which has not seen it yet.
            for reader in readers:
                listing = reader.get(section)
                assert listing.status_code == 200
                assert "18 North Korean Soldiers" in listing.text or "<article" in listing.text
                assert headline not in listing.text

            # The editor reads what they just wrote, on either app server (read-after-write).
            assert headline in editor.get(section).text
            assert headline in editor_on_b.get(section).text
            # The admin reads from the primary: the section's page explorer lists it.
            explorer = editor_on_b.get(f"/admin/pages/{section_id}/")
            assert explorer.status_code == 200
            assert headline in explorer.text
        finally:
            replica.execute("SELECT pg_wal_replay_resume()")

    # Once the replica replays the write, readers see it too.
    for reader in readers:
        seen, _ = wait_for(lambda r=reader: headline in r.get(section).text, timeout=10)
        assert seen, "the replica never caught up"
