"""Through nginx with two app servers: the microcache serves anonymous readers, never a
logged-in one, never a cookie; an editor's change is live through the other app server
within 2 seconds; static files are hashed and cached for a year; everything is compressed."""

import re
import time
import uuid

from tests.stack.web import log_in, publish_new_article, wait_for


def cache_status(response) -> str:
    return response.headers.get("X-Cache-Status", "")


def test_an_anonymous_page_comes_from_the_cache_without_a_cookie(running_stack, demo_article):
    reader = running_stack.client()
    responses = [reader.get(demo_article["path"]) for _ in range(3)]
    assert [r.status_code for r in responses] == [200, 200, 200]
    statuses = [cache_status(r) for r in responses]
    assert "HIT" in statuses, statuses
    hit = responses[statuses.index("HIT")]
    assert "18 North Korean Soldiers" in hit.text
    for response in responses:
        assert "Set-Cookie" not in response.headers, response.headers
    assert not reader.cookies
    # Each response names its own request, cached or not.
    ids = {r.headers["X-Request-ID"] for r in responses}
    assert len(ids) == 3


def test_a_logged_in_reader_is_never_served_a_cached_page(running_stack, demo_article):
    editor = running_stack.client()
    log_in(editor, "admin", running_stack.admin_password)
    anonymous = running_stack.client()
    anonymous.get(demo_article["path"])  # the page is in the cache now
    for _ in range(2):
        response = editor.get(demo_article["path"])
        assert response.status_code == 200
        assert cache_status(response) == "BYPASS"
        # What only a logged-in reader sees: Wagtail's user bar (edit this page).
        assert "wagtail-userbar" in response.text
    # And what the logged-in reader got was never stored for the others.
    for _ in range(2):
        response = anonymous.get(demo_article["path"])
        assert cache_status(response) in {"HIT", "MISS", "EXPIRED", "UPDATING", "STALE"}
        assert "wagtail-userbar" not in response.text


def test_never_cached_paths_bypass_the_cache(running_stack, demo_article):
    reader = running_stack.client()
    for path in ("/admin/login/", "/healthz"):
        for _ in range(2):
            response = reader.get(path)
            assert response.status_code == 200, path
            assert "X-Cache-Status" not in response.headers, path
    # The view beacon: nginx answers each one itself (and logs it), never from the cache.
    beacon = f"/analytics/views/{demo_article['id']}/"
    for _ in range(2):
        response = reader.post(beacon, headers={"Sec-Fetch-Dest": "empty"})
        assert response.status_code == 204, response.status_code
        assert "X-Cache-Status" not in response.headers
    health = reader.get("/healthz")
    assert health.json() == {"database": "ok", "cache": "ok"}


def test_an_editors_change_is_live_through_the_other_app_server_within_2_seconds(
    running_stack, demo_article, section_id
):
    section = demo_article["section_path"]
    through_nginx, through_b = running_stack.client(), running_stack.client("app-b")
    # Readers have the section page in the cache.
    wait_for(lambda: cache_status(through_nginx.get(section)) == "HIT", timeout=5)

    editor = running_stack.client("app-a")
    log_in(editor, "admin", running_stack.admin_password)
    headline = f"Stack test headline {uuid.uuid4().hex[:8]}"
    slug = f"stack-test-{uuid.uuid4().hex[:8]}"
    purges_before = running_stack.log("nginx-purge.log").count(f'"/_purge{section}"')
    publish_new_article(editor, section_id, title=headline, slug=slug)
    published = time.monotonic()

    on_b, _ = wait_for(lambda: headline in through_b.get(section).text, timeout=10)
    assert on_b, "app server B never showed the article"

    # How stale the cache can be: the first request that got the new page, sent how long
    # after the publish returned (not how slow a busy machine was to answer it).
    def first_fresh_request():
        sent = time.monotonic()
        return headline in through_nginx.get(section).text and sent - published

    seen, _ = wait_for(first_fresh_request, timeout=10)
    assert seen is not False and seen is not None, "the cached page never showed the article"
    assert seen <= 2, f"a request sent {seen:.2f} s after publishing still got the old page"
    article = through_nginx.get(f"{section}{slug}/")
    assert article.status_code == 200 and headline in article.text
    # The worker purged the section page from nginx (Wagtail's frontend cache, HTTP backend).
    purged, _ = wait_for(
        lambda: running_stack.log("nginx-purge.log").count(f'"/_purge{section}"') > purges_before,
        timeout=10,
    )
    assert purged, "no purge of the section page reached nginx"


def test_static_files_are_hashed_and_cached_for_a_year(running_stack):
    reader = running_stack.client()
    page = reader.get("/")
    stylesheet = re.search(r'href="(/static/[^"]+\.[0-9a-f]{12}\.css)"', page.text)
    assert stylesheet, "the home page links no hashed stylesheet"
    response = reader.get(stylesheet.group(1), headers={"Accept-Encoding": "gzip"})
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    assert response.headers["Content-Encoding"] == "gzip"
    assert "X-Cache-Status" not in response.headers  # nginx serves it, not the app


def test_media_files_are_served_by_nginx(running_stack, demo_article):
    reader = running_stack.client()
    page = reader.get(demo_article["path"])
    image = re.search(r'src="(/media/[^"]+)"', page.text)
    assert image, "the article page shows no image from /media/"
    response = reader.get(image.group(1))
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("image/")
    assert "max-age=604800" in response.headers["Cache-Control"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_pages_are_compressed(running_stack, demo_article):
    reader = running_stack.client()
    gzipped = reader.get(demo_article["path"], headers={"Accept-Encoding": "gzip"})
    assert gzipped.headers["Content-Encoding"] == "gzip"
    conf = (running_stack.dir / "nginx" / "nginx.conf").read_text()
    if "brotli on;" in conf:  # Debian's libnginx-mod-http-brotli-filter is installed
        brotli = reader.get(demo_article["path"], headers={"Accept-Encoding": "br"}, stream=True)
        assert brotli.headers["Content-Encoding"] == "br"
        brotli.close()


def test_logs_are_json_lines_carrying_the_request_id(running_stack):
    reader = running_stack.client()
    request_id = uuid.uuid4().hex
    path = f"/no-such-page-{request_id[:8]}/"
    response = reader.get(path, headers={"X-Request-ID": request_id})
    assert response.status_code == 404
    assert response.headers["X-Request-ID"] == request_id

    def logged():
        import json

        for name in ("app-a.log", "app-b.log"):
            for line in running_stack.log(name).splitlines():
                if request_id in line:
                    return json.loads(line)
        return None

    entry, _ = wait_for(logged, timeout=5)
    assert entry, "no app log line with the request id"
    assert entry["request_id"] == request_id
    assert entry["path"] == path
    assert entry["level"] == "WARNING"
    # nginx writes its access line once the response is out: it may come a moment later.
    in_access_log, _ = wait_for(
        lambda: f'"request_id":"{request_id}"' in running_stack.log("nginx-access.log"),
        timeout=5,
    )
    assert in_access_log


def test_a_posted_comment_is_on_the_articles_very_next_load(running_stack, commented_article):
    """The app purges the article's page before it answers the post (gazette.core.purge, a
    connection kept open to nginx): the next load is not the cached page without it, nor a
    comments block kept before it (gazette.comments.fragments)."""
    from tests.stack.test_faults import post_comment

    reader = running_stack.client()
    path = commented_article["path"]
    for attempt in range(3):
        text = f"Seen at once {uuid.uuid4().hex[:8]}."
        warm, _ = wait_for(lambda: cache_status(reader.get(path)) == "HIT", timeout=10)
        assert warm, "the article never came from the cache"
        posted = post_comment(running_stack, reader, commented_article["id"], text)
        assert posted.status_code == 303, posted.status_code
        where = posted.headers.get("Location", "")
        assert "comment=published" in where, where  # shown at once: post-moderation
        assert "comments_page" not in where, where  # on the first page of comments, loaded
        page = reader.get(path)
        assert text in page.text, (attempt, cache_status(page))
