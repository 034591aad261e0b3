"""Hostile input through the real stack (nginx, the app servers, PostgreSQL, Redis) at every
input a reader has: search and its filters, pagination, every parameter of the API, the
comment and report forms, the view beacon. Whatever hypothesis sends (tests/stack/hostile.py):
no 5xx, no answer slower than the time limit, nothing reflected unescaped; and the comments it
got stored, published, run no script in chromium.

The session's stack runs without edge rate limits, and every example comes from a loopback
address of its own, so that the app's per-address limits do not answer in its place.
"""

from __future__ import annotations

import html
import json
import time

import pytest
import requests
from django.core import signing
from hypothesis import given
from hypothesis import strategies as st

from tests.stack.hostile import (
    XSS,
    another_reader,
    check_answer,
    hostile,
    hostile_header,
    hostile_value,
    mark_all,
    marked,
    segment,
)

values = st.one_of(hostile_value, st.lists(hostile_value, min_size=2, max_size=3))
browser_fetch = {"Sec-Fetch-Site": "same-origin", "Sec-Fetch-Dest": "empty"}


@pytest.fixture(scope="module", autouse=True)
def started(running_stack):
    """When this module started, by the database's clock: the comments it posted are newer."""
    with running_stack.primary() as db:
        (now,) = db.execute("SELECT now()").fetchone()
    return now


@pytest.fixture(scope="module")
def author_slug(running_stack) -> str:
    with running_stack.primary() as db:
        (slug,) = db.execute("SELECT slug FROM people_author ORDER BY id LIMIT 1").fetchone()
    return slug


def reader(running_stack):
    """A new reader, from an address of its own; its requests time out (hostile.TIME_LIMIT)."""
    return running_stack.client(source=another_reader())


def stamp(running_stack, article_id: int, age: int = 60) -> str:
    """The comment form's stamp, as the article page gives it ``age`` seconds earlier."""
    secret = (running_stack.dir / "secret-key").read_text().strip()
    return signing.Signer(key=secret, salt="gazette.comments.form-stamp").sign(
        f"{article_id}:{int(time.time()) - age}"
    )


def test_the_checks_find_a_5xx_and_an_unescaped_reflection():
    def answer(status, body, content_type="text/html; charset=utf-8", **headers):
        response = requests.Response()
        response.status_code = status
        response._content = body.encode()
        response.headers.update({"Content-Type": content_type, **headers})
        response.request = requests.Request("GET", "http://127.0.0.1/search/").prepare()
        return response

    value = marked('"><script>alert(1)</script>')
    check_answer(answer(200, f'<input value="{html.escape(value)}">'), [value])
    with pytest.raises(AssertionError, match="unescaped"):
        check_answer(answer(200, f'<input value="{value}">'), [value])
    # A quote is markup in an attribute or a script, only text in a paragraph.
    quoted = marked('say "hi"')
    check_answer(answer(200, f"<p>{quoted}</p>"), [quoted])
    with pytest.raises(AssertionError, match="unescaped"):
        check_answer(answer(200, f"<a title='{quoted}'>x</a>"), [quoted])
    with pytest.raises(AssertionError, match="unescaped"):
        check_answer(answer(200, f'<script>var t = "{quoted}";</script>'), [quoted])
    bold = marked("a <b>bold</b> claim")
    with pytest.raises(AssertionError, match="unescaped"):
        check_answer(answer(200, f"<p>{bold}</p>"), [bold])
    with pytest.raises(AssertionError, match="502"):
        check_answer(answer(502, "Bad Gateway"), [])
    script = marked("<script>alert(1)</script>")  # JSON keeps "<" as it is
    as_json = answer(422, json.dumps({"detail": script}), "application/json")
    with pytest.raises(AssertionError):  # JSON, but a browser may sniff it as HTML
        check_answer(as_json, [script])
    as_json.headers["X-Content-Type-Options"] = "nosniff"
    check_answer(as_json, [script])


# --- reader pages -------------------------------------------------------------------------------

SEARCH = ("q", "section", "published_from", "published_to", "order", "page", "utm_source")


@hostile(examples=150)
@given(params=st.dictionaries(st.sampled_from(SEARCH), values, min_size=1, max_size=4))
def test_search_and_its_filters(running_stack, params):
    query, sent = mark_all(params)
    check_answer(reader(running_stack).get("/search/", params=query), sent)


@hostile(examples=80)
@given(
    page=st.sampled_from(["section", "author", "article"]),
    params=st.dictionaries(
        st.sampled_from(["page", "comments_page", "comment", "fbclid"]),
        values,
        min_size=1,
        max_size=3,
    ),
)
def test_pagination_and_notices(running_stack, demo_article, author_slug, page, params):
    path = {
        "section": demo_article["section_path"],
        "author": f"/authors/{author_slug}/",
        "article": demo_article["path"],
    }[page]
    query, sent = mark_all(params)
    check_answer(reader(running_stack).get(path, params=query), sent)


API = {
    "/api/v1/articles": (
        "page",
        "page_size",
        "section",
        "author",
        "published_after",
        "published_before",
        "topic",
        "language",
    ),
    "/api/v1/articles/most-read": ("limit",),
    "/api/v1/sections": ("page", "page_size"),
    "/api/v1/authors": ("page", "page_size"),
}


@hostile(examples=150)
@given(data=st.data(), endpoint=st.sampled_from(sorted(API)))
def test_every_parameter_of_the_api(running_stack, data, endpoint):
    names = st.sampled_from([*API[endpoint], "format", "callback"])
    params = data.draw(st.dictionaries(names, values, min_size=1, max_size=4))
    query, sent = mark_all(params)
    check_answer(reader(running_stack).get(endpoint, params=query), sent)


@hostile(examples=60)
@given(kind=st.sampled_from(["articles", "sections", "authors"]), value=hostile_value)
def test_the_apis_path_parameters(running_stack, kind, value):
    value = marked(value)
    check_answer(reader(running_stack).get(f"/api/v1/{kind}/{segment(value)}"), [value])


# --- forms --------------------------------------------------------------------------------------


@hostile(examples=120)
@given(
    fields=st.fixed_dictionaries(
        {"name": hostile_value, "text": hostile_value},
        optional={"email": hostile_value, "website": hostile_value, "stamp": hostile_value},
    ),
    fresh_stamp=st.booleans(),
    wants_json=st.booleans(),
)
def test_the_comment_form(running_stack, demo_article, fields, fresh_stamp, wants_json):
    article_id = demo_article["id"]
    data, sent = mark_all(fields)
    if fresh_stamp:  # most examples get past the form's speed check, to be stored
        data["stamp"] = stamp(running_stack, article_id)
    client = reader(running_stack)
    headers = {"Origin": client.base_url, "Sec-Fetch-Site": "same-origin"}
    if wants_json:
        headers["Accept"] = "application/json"
    answer = client.post(f"/comments/{article_id}/post/", data=data, headers=headers)
    check_answer(answer, sent)


@pytest.fixture(scope="module")
def published_comment(running_stack, demo_article) -> int:
    client = reader(running_stack)
    answer = client.post(
        f"/comments/{demo_article['id']}/post/",
        data={
            "name": "Hostile suite",
            "text": "A comment to report.",
            "stamp": stamp(running_stack, demo_article["id"]),
        },
        headers={
            "Origin": client.base_url,
            "Sec-Fetch-Site": "same-origin",
            "Accept": "application/json",
        },
    )
    assert answer.status_code == 201 and answer.json()["status"] == "published", answer.text
    with running_stack.primary() as db:
        (comment,) = db.execute(
            "SELECT max(id) FROM comments_comment WHERE text = 'A comment to report.'"
        ).fetchone()
    return comment


@hostile(examples=50)
@given(
    target=st.one_of(st.none(), hostile_value),
    fields=st.dictionaries(st.sampled_from(["reason", "text", "stamp"]), hostile_value),
    wants_json=st.booleans(),
)
def test_the_report_form(running_stack, published_comment, target, fields, wants_json):
    data, sent = mark_all(fields)
    comment = published_comment
    if target is not None:
        comment = marked(target)
        sent.append(comment)
    client = reader(running_stack)
    headers = {"Origin": client.base_url, "Sec-Fetch-Site": "same-origin"}
    if wants_json:
        headers["Accept"] = "application/json"
    answer = client.post(
        f"/comments/report/{segment(str(comment) if isinstance(comment, int) else comment)}/",
        data=data,
        headers=headers,
    )
    check_answer(answer, sent)


@hostile(examples=80)
@given(
    headers=st.dictionaries(
        st.sampled_from(
            [
                "User-Agent",
                "Sec-Fetch-Dest",
                "Sec-Fetch-Site",
                "Sec-Purpose",
                "Purpose",
                "Referer",
                "Origin",
                "X-Forwarded-For",
                "X-Real-IP",
                "X-Request-ID",
                "Cookie",
            ]
        ),
        hostile_header,
        min_size=1,
    ),
    target=st.one_of(st.none(), hostile_value),
    pixel=st.booleans(),
)
def test_the_view_beacon(running_stack, demo_article, headers, target, pixel):
    article = str(demo_article["id"]) if target is None else segment(marked(target))
    client = reader(running_stack)
    if pixel:
        answer = client.get(f"/analytics/views/{article}/pixel.gif", headers=headers)
    else:
        answer = client.post(f"/analytics/views/{article}/", headers=browser_fetch | headers)
    check_answer(answer, [])


# --- what was stored ------------------------------------------------------------------------------


def comment_links(running_stack, on: bool) -> None:
    """The site's "show web addresses as links" comment setting, saved as an editor does (the
    pages' shared copy of the settings goes with it)."""
    code = (
        "from wagtail.models import Site\n"
        "from gazette.comments.models import CommentSettings\n"
        "settings = CommentSettings.for_site(Site.objects.get(is_default_site=True))\n"
        f"settings.links_clickable = {on}\n"
        "settings.save()\n"
    )
    running_stack.run_python(code)


def name_of(payload: str) -> str:
    """The payload as a comment's name: a longer name is refused with its reason, by design."""
    from gazette.comments.models import NAME_LIMIT

    return payload[:NAME_LIMIT]


def test_stored_hostile_comments_run_no_script_in_chromium(running_stack, demo_article, started):
    """Every comment this module left on the article (and each of XSS's payloads, as name and
    text), published, shown in chromium: no script ran, nothing the CSP had to block, and a
    comment's text holds no element but links (to http(s) addresses) and line breaks."""
    from playwright.sync_api import sync_playwright

    from gazette.core.purge import NginxPurgeBackend
    from tests.browser.conftest import ARTIFACTS, CHROMIUM, CHROMIUM_FLAGS

    if not CHROMIUM.exists():
        pytest.skip("Debian's chromium is not installed (apt-get install chromium)")
    article_id = demo_article["id"]
    answers = {}
    for payload in XSS:
        # Each payload must land: on a loaded machine a post may time out, so it is sent
        # again (a duplicate is harmless here), up to three times.
        for _attempt in range(3):
            client = reader(running_stack)
            try:
                answer = client.post(
                    f"/comments/{article_id}/post/",
                    data={
                        "name": name_of(payload),
                        "text": f"{payload}\n{payload}",
                        "stamp": stamp(running_stack, article_id),
                    },
                    headers={"Origin": client.base_url, "Sec-Fetch-Site": "same-origin"},
                )
            except requests.RequestException as error:
                answers[payload] = repr(error)
                continue
            answers[payload] = answer.status_code
            if answer.status_code < 400:
                break
    # A moderator's "publish" for everything held (links, watched words, the speed rule).
    with running_stack.primary() as db:
        db.execute(
            "UPDATE comments_comment SET status = 'published' "
            "WHERE article_id = %s AND created_at >= %s",
            [article_id, started],
        )
        (stored,) = db.execute(
            "SELECT count(*) FROM comments_comment WHERE article_id = %s AND created_at >= %s",
            [article_id, started],
        ).fetchone()
        missing = [
            payload
            for payload in XSS
            if not db.execute(
                "SELECT 1 FROM comments_comment WHERE article_id = %s AND author_name = %s",
                [article_id, name_of(payload)],
            ).fetchone()
        ]
        (published,) = db.execute(
            "SELECT count(*) FROM comments_comment WHERE article_id = %s AND status = 'published'",
            [article_id],
        ).fetchone()
    assert not missing, (missing, answers)
    assert stored >= len(XSS), answers
    pages = -(-published // 50)
    path = demo_article["path"]
    # As a moderator's publish does: the article's cached pages go (each comment page is an
    # entry of its own, deploy/nginx.conf's cache keys).
    purge = NginxPurgeBackend({"LOCATION": f"{running_stack.url}/_purge"})
    for number in range(1, pages + 1):
        purge.purge(f"{running_stack.url}{path}?comments_page={number}")
    purge.purge(f"{running_stack.url}{path}")

    # Anything that would show a script ran, or that the CSP stopped one.
    watch = """
        window.__ran = [];
        for (const name of ["alert", "confirm", "prompt", "print", "open"]) {
            window[name] = () => window.__ran.push(name);
        }
        document.addEventListener("securitypolicyviolation", (event) =>
            window.__ran.push(`csp: ${event.violatedDirective} ${event.blockedURI}`));
    """
    # Elements inside a comment's text or name that are neither a line break nor a link to
    # an http(s) address with nothing but its href and rel.
    intruders = """() => Array.from(
            document.querySelectorAll(".comment__text *, .comment__author *"))
        .filter((e) => !(e.tagName === "BR"
            || (e.tagName === "A" && /^https?:/.test(e.getAttribute("href") || "")
                && e.getAttributeNames().every((name) => name === "href" || name === "rel"))))
        .map((e) => e.outerHTML.slice(0, 200))"""
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_FLAGS)
        dialogs = []
        try:
            # As text, then with web addresses as links (the site's setting; nh3 cleans them).
            for links in (False, True):
                comment_links(running_stack, links)
                for number in range(1, pages + 1):
                    purge.purge(f"{running_stack.url}{path}?comments_page={number}")
                page = browser.new_page()
                page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
                page.add_init_script(watch)
                seen, linked = 0, 0
                for number in range(1, pages + 1):
                    page.goto(f"{running_stack.url}{path}?comments_page={number}")
                    page.wait_for_load_state("networkidle")
                    seen += page.locator(".comment").count()
                    linked += page.locator(".comment__text a").count()
                    assert page.evaluate("window.__ran") == [], (links, number)
                    assert page.evaluate(intruders) == [], (links, number)
                    if number == pages:
                        ARTIFACTS.mkdir(exist_ok=True)
                        page.locator("#comments").screenshot(
                            path=str(ARTIFACTS / f"stack-hostile-comments-links-{links}.png")
                        )
                assert dialogs == []
                assert seen == published
                assert (linked > 0) == links  # the payloads with web addresses became links
                page.close()
        finally:
            browser.close()
            comment_links(running_stack, False)
    print(f"{stored} hostile comments stored, {published} published shown in chromium")
