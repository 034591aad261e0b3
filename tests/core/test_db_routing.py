"""gazette.core.db_routing: readers' pages from a replica; the admin, writes and a writer's
next pages from the primary. The real streaming replica is in tests/stack/test_replica.py."""

import pytest
from django.db import connection
from django.http import HttpResponse
from django.test import RequestFactory

from gazette.core import db_routing
from gazette.core.db_routing import PrimaryReplicaRouter, ReplicaRoutingMiddleware, read_from

router = PrimaryReplicaRouter()


@pytest.fixture
def replicas(monkeypatch):
    """Pretend DATABASE_REPLICA_URLS named two replicas (the router only names aliases)."""
    monkeypatch.setattr(db_routing, "replica_aliases", lambda: ["replica_0", "replica_1"])


pytestmark = pytest.mark.django_db

# A statement that changes data (none here), as a save or an update sends.
WRITE = "UPDATE django_content_type SET model = model WHERE id = -1"


def serve(request, *, write: bool = False, cookie: tuple[str, str] | None = None):
    """Run ``request`` through the middleware; report where its reads went, before and after
    an optional write to the primary."""
    seen = {}

    def view(request):
        seen["before"] = router.db_for_read(None)
        if write:
            with connection.cursor() as cursor:
                cursor.execute(WRITE)
            seen["after"] = router.db_for_read(None)
        response = HttpResponse("ok")
        if cookie:
            response.set_cookie(*cookie)
        return response

    ReplicaRoutingMiddleware(view)(request)
    return seen


def get(path="/world/", ip="203.0.113.7", **extra):
    return RequestFactory().get(path, REMOTE_ADDR=ip, **extra)


def test_without_replicas_everything_reads_from_the_primary():
    assert serve(get())["before"] == "default"


def test_outside_a_request_everything_reads_from_the_primary(replicas):
    assert router.db_for_read(None) == "default"
    assert router.db_for_write(None) == "default"


def test_a_readers_page_reads_from_a_replica(replicas):
    assert serve(get())["before"] in {"replica_0", "replica_1"}
    assert router.db_for_read(None) == "default"  # and the choice ends with the request


def test_the_admin_and_previews_read_from_the_primary(replicas):
    assert serve(get("/admin/pages/3/edit/"))["before"] == "default"
    assert serve(get("/admin/pages/3/edit/preview/"))["before"] == "default"


def test_form_posts_read_from_the_primary(replicas):
    request = RequestFactory().post("/comments/post/", {"text": "hi"}, REMOTE_ADDR="203.0.113.7")
    assert serve(request)["before"] == "default"


def test_a_request_that_writes_reads_its_own_write_from_the_primary(replicas):
    seen = serve(get(), write=True)
    assert seen["before"].startswith("replica_")
    assert seen["after"] == "default"


def test_a_read_meant_for_writing_goes_to_the_primary_alone(replicas):
    # get_or_create (Wagtail's site settings, on every page) reads through db_for_write.
    seen = {}

    def view(request):
        seen["for_write"] = router.db_for_write(None)
        seen["next_read"] = router.db_for_read(None)
        return HttpResponse("ok")

    ReplicaRoutingMiddleware(view)(get())
    assert seen["for_write"] == "default"
    assert seen["next_read"].startswith("replica_")
    assert serve(get())["before"].startswith("replica_")  # and nobody was pinned


def test_a_client_that_wrote_stays_on_the_primary_and_others_do_not(replicas):
    serve(RequestFactory().post("/comments/post/", REMOTE_ADDR="203.0.113.7"), write=True)
    assert serve(get(ip="203.0.113.7"))["before"] == "default"
    assert serve(get(ip="198.51.100.9"))["before"].startswith("replica_")


def test_a_post_that_writes_nothing_pins_nobody(replicas):
    # The view beacon counts in Redis: a cache write per view for a pin would be waste.
    serve(RequestFactory().post("/analytics/views/1/", REMOTE_ADDR="203.0.113.7"))
    assert serve(get(ip="203.0.113.7"))["before"].startswith("replica_")


def test_the_pin_follows_the_session_not_the_address(replicas):
    editor = {"HTTP_COOKIE": "sessionid=editor-session"}
    serve(get("/admin/pages/3/edit/", **editor), write=True)
    assert serve(get(ip="198.51.100.9", **editor))["before"] == "default"
    # Another reader behind the same address (an office, a phone network) is not pinned.
    other = {"HTTP_COOKIE": "sessionid=someone-else"}
    assert serve(get(**other))["before"].startswith("replica_")


def test_logging_in_pins_the_new_session(replicas):
    login = RequestFactory().post("/admin/login/", REMOTE_ADDR="203.0.113.7")
    serve(login, write=True, cookie=("sessionid", "fresh-session"))
    after = get(ip="198.51.100.9", HTTP_COOKIE="sessionid=fresh-session")
    assert serve(after)["before"] == "default"
    # The address the editor logged in from is not pinned: the others there read on.
    assert serve(get(ip="203.0.113.7"))["before"].startswith("replica_")


def test_read_from_sends_reads_outside_requests_to_a_replica():
    with read_from("replica_0"):
        assert router.db_for_read(None) == "replica_0"
    assert router.db_for_read(None) == "default"


def test_only_the_primary_is_migrated():
    assert router.allow_migrate("default", "news")
    assert not router.allow_migrate("replica_0", "news")


def test_a_pinned_readers_page_is_read_from_a_replica_while_the_primary_is_down(replicas):
    """Read-your-writes gives way: the page fails on the primary (the friendly 503 of
    gazette.core.views.server_error), and is served from a replica instead of answering 5xx."""
    from django.db import OperationalError

    from gazette.core.views import server_error

    serve(RequestFactory().post("/comments/post/", REMOTE_ADDR="203.0.113.7"), write=True)
    assert db_routing.is_pinned(get())  # the writer is pinned to the primary

    tries = []

    def view(request):
        alias = router.db_for_read(None)
        tries.append(alias)
        if alias == "default":  # the primary is down
            try:
                raise OperationalError("connection refused")
            except OperationalError:
                return server_error(request)
        return HttpResponse("from a replica")

    response = ReplicaRoutingMiddleware(view)(get())
    assert response.status_code == 200 and response.content == b"from a replica"
    assert tries[0] == "default" and tries[1].startswith("replica_")
    # What only the primary may serve still answers the 503, read once.
    tries.clear()
    admin = ReplicaRoutingMiddleware(view)(get("/admin/pages/3/edit/"))
    assert admin.status_code == 503 and tries == ["default"]
