"""Hostile input through the stack into the admin forms a contributor can reach: an article's
fields in the page editor (and its preview), image uploads with hostile file names and bodies
that are no image, and the admin's searches; and an editor's Translate form. As for readers'
inputs (test_hostile_input.py): no 5xx, no answer slower than the time limit, nothing
reflected unescaped, no javascript: link in what the story would show; and no uploaded file
lands outside its folder."""

from __future__ import annotations

import json
import secrets
import struct
import zlib

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from tests.stack.hostile import (
    XSS,
    check_answer,
    hostile,
    hostile_text,
    hostile_value,
    marked,
    script_links,
)
from tests.stack.web import forms_of, log_in

CONTRIBUTOR = "hostile-contributor"
EDITOR = "hostile-editor"


def member_of(running_stack, username: str, group: str):
    """A member of ``group``, logged in through nginx as in a browser."""
    password = secrets.token_urlsafe(16)
    code = (
        "from django.contrib.auth import get_user_model\n"
        "from django.contrib.auth.models import Group\n"
        f"user, _ = get_user_model().objects.get_or_create(username={username!r})\n"
        f"user.set_password({password!r})\n"
        "user.save()\n"
        f"user.groups.add(Group.objects.get(name={group!r}))\n"
    )
    running_stack.run_python(code)
    client = running_stack.client()
    log_in(client, username, password)
    return client


@pytest.fixture(scope="module")
def contributor(running_stack):
    """A member of the Contributors group (writes and submits stories, uploads images, never
    publishes)."""
    return member_of(running_stack, CONTRIBUTOR, "Contributors")


@pytest.fixture(scope="module")
def translating_editor(running_stack):
    """An Editor (who may translate) on a site with a Korean edition beside English, and the
    Korean locale's id."""
    running_stack.run_python(
        "from wagtail.models import Locale\nLocale.objects.get_or_create(language_code='ko')\n"
    )
    with running_stack.primary() as db:
        (korean,) = db.execute(
            "SELECT id FROM wagtailcore_locale WHERE language_code = 'ko'"
        ).fetchone()
    return member_of(running_stack, EDITOR, "Editors"), str(korean)


def form_fields(client, url: str, needs: str) -> list[tuple[str, str]]:
    """The fields of the form on ``url`` that has a field ``needs``, as a browser sends them."""
    page = client.get(url)
    assert page.status_code == 200, (url, page.status_code)
    form = next(f for f in forms_of(page.text) if needs in dict(f["fields"]))
    return [(name, value) for name, value in form["fields"] if "__prefix__" not in name]


def draftail(text: str, link: str | None) -> str:
    """A paragraph as the page editor's rich text field sends it (Draftail's content state),
    all of it a link to ``link``. All of it: a link ending inside the text puts the page's own
    ``</a>`` right after a prefix of the value, which the check would take for the value's
    "<" (it did, for a link over the marker alone)."""
    entities = {}
    ranges = []
    if link is not None:
        entities["0"] = {"type": "LINK", "mutability": "MUTABLE", "data": {"url": link}}
        ranges = [{"offset": 0, "length": len(text), "key": 0}]
    block = {
        "key": "a1b2c",
        "text": text,
        "type": "unstyled",
        "depth": 0,
        "inlineStyleRanges": [],
        "entityRanges": ranges,
    }
    return json.dumps({"blocks": [block], "entityMap": entities})


PAGE_FIELDS = (
    "title",
    "standfirst",
    "slug",
    "seo_title",
    "search_description",
    "tags",
    "first_published_at",
    "go_live_at",
    "expire_at",
    "comment_policy",
)
as_text = hostile_value.map(lambda v: v.decode("utf-8", "replace") if isinstance(v, bytes) else v)
links = st.one_of(
    st.none(),
    st.sampled_from(
        [
            "javascript:alert(document.domain)",
            " JavaScript:alert(1)",
            "java\tscript:alert(1)",
            "data:text/html,<script>alert(1)</script>",
            "vbscript:msgbox(1)",
            'https://example.org/"><script>alert(1)</script>',
        ]
    ),
    hostile_text,
)


@hostile(examples=30)
@given(
    fields=st.dictionaries(st.sampled_from(PAGE_FIELDS), as_text, min_size=1),
    paragraph=hostile_text,
    link=links,
    quote=hostile_text,
    attribution=hostile_text,
)
def test_the_page_editors_fields(
    running_stack, contributor, section_id, fields, paragraph, link, quote, attribution
):
    add = f"/admin/pages/add/news/articlepage/{section_id}/"
    values = {name: marked(value) for name, value in fields.items()}
    values.setdefault("title", marked("A hostile story"))
    values.setdefault("slug", marked("hostile-story"))  # zq1f-hostile-story: a valid slug
    paragraph, quote, attribution = marked(paragraph), marked(quote), marked(attribution)
    data = [(n, v) for n, v in form_fields(contributor, add, "title") if n not in values]
    data += list(values.items())
    data += [
        ("body-count", "2"),
        ("body-0-type", "paragraph"),
        ("body-0-value", draftail(paragraph, link)),
        ("body-0-deleted", ""),
        ("body-0-order", "0"),
        ("body-0-id", ""),
        ("body-1-type", "quote"),
        ("body-1-value-text", quote),
        ("body-1-value-attribution", attribution),
        ("body-1-deleted", ""),
        ("body-1-order", "1"),
        ("body-1-id", ""),
    ]
    sent = [*values.values(), paragraph, quote, attribution]
    saved = contributor.post(add, data=data, headers={"Referer": contributor.base_url + add})
    check_answer(saved, sent)
    if saved.status_code != 302:
        return  # the form said what is wrong (checked above), nothing saved
    edit = saved.headers["Location"]
    check_answer(contributor.get(edit), sent)
    # The story as it would show, through the editor's preview.
    preview = edit.replace("/edit/", "/edit/preview/")
    checked = contributor.post(preview, data=data, headers={"Referer": contributor.base_url})
    check_answer(checked, sent)
    shown = contributor.get(preview + "?mode=")
    check_answer(shown, sent)
    assert script_links(shown.text) == [], link


def png() -> bytes:
    """The smallest PNG: one red pixel."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        checksum = struct.pack(">I", zlib.crc32(kind + data))
        return struct.pack(">I", len(data)) + kind + data + checksum

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\x00\xff\x00\x00")
    chunks = chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    return b"\x89PNG\r\n\x1a\n" + chunks


BODIES = {
    "png": png(),
    "script": b"<script>alert(1)</script>",
    "svg": b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><script>1</script></svg>',
    "html": b"<!doctype html><html><body><img src=x onerror=alert(1)></body></html>",
    "empty": b"",
    "png-then-html": png() + b"<script>alert(1)</script>",
}


@hostile(examples=30)
# Always a real picture under a hostile name, by each form: what is stored is looked at below.
@example(name="../../../etc/zq", extension=".png", body="png", title=XSS[1], several=False)
@example(
    name='..\\..\\x"><svg onload=alert(1)>', extension=".png", body="png", title=None, several=True
)
@given(
    name=st.one_of(
        hostile_text,
        st.sampled_from(["../../../etc/passwd", "..\\..\\x", "/abs/path", "a/../../b", "."]),
    ),
    extension=st.sampled_from([".png", ".jpg", ".gif", ".svg", ".html", ".png.php", ""]),
    body=st.sampled_from(sorted(BODIES)),
    title=st.one_of(st.none(), hostile_text),
    several=st.booleans(),
)
def test_image_uploads(running_stack, contributor, name, extension, body, title, several):
    upload_image(contributor, name, extension, body, title, several)


def upload_image(contributor, name, extension, body, title, several) -> None:
    """Upload a file by the admin's form (or its drag-and-drop upload): no 5xx, nothing sent
    reflected unescaped, in the answer and in the listing."""
    filename = marked(name) + extension
    sent = [filename]
    if several:  # the admin's drag-and-drop upload, one file a request
        page = "/admin/images/multiple/add/"
        data = form_fields(contributor, page, "csrfmiddlewaretoken")
        files = {"files[]": (filename, BODIES[body], "image/png")}
    else:
        page = "/admin/images/add/"
        data = form_fields(contributor, page, "title")
        data = [(n, v) for n, v in data if n not in ("title", "credit")]
        title = marked(title) if title is not None else filename
        data.append(("title", title))
        data.append(("credit", "Staff photographer"))  # required: refused without one
        sent.append(title)
        files = {"file": (filename, BODIES[body], "image/png")}
    answer = contributor.post(
        page,
        data=data,
        files=files,
        headers={"Referer": contributor.base_url + page, "X-Requested-With": "XMLHttpRequest"}
        if several
        else {"Referer": contributor.base_url + page},
    )
    check_answer(answer, sent)
    listing = contributor.get("/admin/images/", params={"q": filename[:40]})
    check_answer(listing, sent)


def test_uploaded_files_stay_in_their_folder(running_stack, contributor):
    # A real picture under a hostile name by each form, whatever else this stack has seen.
    upload_image(contributor, "../../../etc/zq", ".png", "png", XSS[1], several=False)
    upload_image(contributor, '..\\..\\x"><svg onload=alert(1)>', ".png", "png", None, True)
    with running_stack.primary() as db:
        images = db.execute("SELECT file, title FROM images_customimage").fetchall()
        # The drag-and-drop upload keeps a file that waits for its credit (required) in
        # Wagtail's own folder until the editor gives one.
        waiting = db.execute("SELECT file FROM wagtailcore_uploadedfile").fetchall()
    # The demo's placeholders, and at least the two pictures uploaded above.
    uploaded = [file for file, title in images if not title.startswith("Placeholder")]
    assert len(uploaded) >= 1 and len(waiting) >= 1, (images, waiting)
    media = (running_stack.dir / "media").resolve()
    stored = [(file, "original_images") for file, _ in images]
    stored += [(file, "wagtail_uploads") for (file,) in waiting]
    for file, folder in stored:
        # No ".." segment and no backslash; ".." inside a name ("zq183-..png", made of
        # another test's hostile name) climbs nowhere.
        assert file.startswith(f"{folder}/") and ".." not in file.split("/"), file
        assert "\\" not in file, file
        assert (media / file).resolve().is_relative_to(media / folder), file
        assert (media / file).is_file(), file


@hostile(examples=30)
@given(
    locales=st.lists(st.one_of(as_text, st.just("KOREAN")), max_size=3),
    subtree=st.one_of(st.none(), as_text),
    which=st.sampled_from(["article", "section"]),
)
def test_the_translate_form(
    running_stack, translating_editor, demo_article, section_id, locales, subtree, which
):
    """Hostile locales and subtree flag, the Korean edition's own id among them: the story's
    section is not in Korean yet, so the story is refused with a message; the section itself
    may be copied once, then is refused as already translated. Never a 5xx, nothing
    reflected unescaped."""
    editor, korean = translating_editor
    page = demo_article["id"] if which == "article" else section_id
    url = f"/admin/translation/submit/page/{page}/"
    form = [
        (name, value)
        for name, value in form_fields(editor, url, "csrfmiddlewaretoken")
        if name not in ("locales", "include_subtree")
    ]
    sent = [marked(value) for value in locales if value != "KOREAN"]
    data = [("locales", korean if value == "KOREAN" else marked(value)) for value in locales]
    if subtree is not None:
        subtree = marked(subtree)
        sent.append(subtree)
        data.append(("include_subtree", subtree))
    with running_stack.primary() as db:
        (section_in_korean,) = db.execute(
            "SELECT count(*) FROM wagtailcore_page p JOIN wagtailcore_page s "
            "ON p.translation_key = s.translation_key WHERE s.id = %s AND p.locale_id = %s",
            [section_id, int(korean)],
        ).fetchone()
    answer = editor.post(url, data=[*form, *data], headers={"Referer": editor.base_url + url})
    check_answer(answer, sent)
    if which == "article" and "KOREAN" in locales and not section_in_korean:
        assert answer.status_code == 409, answer.status_code  # its section goes first
        assert "first" in answer.text


ADMIN_SEARCHES = ("/admin/pages/search/", "/admin/images/", "/admin/")


@hostile(examples=40)
@given(
    where=st.sampled_from([*ADMIN_SEARCHES, "section"]),
    params=st.dictionaries(
        st.sampled_from(["q", "ordering", "p", "collection_id", "tag", "content_type"]),
        hostile_value,
        min_size=1,
    ),
)
def test_the_admins_searches(running_stack, contributor, section_id, where, params):
    path = f"/admin/pages/{section_id}/" if where == "section" else where
    query = {name: marked(value) for name, value in params.items()}
    check_answer(contributor.get(path, params=query), list(query.values()))


def test_a_tampered_page_form_gets_no_500(contributor, section_id):
    add = f"/admin/pages/add/news/articlepage/{section_id}/"
    base = [(n, v) for n, v in form_fields(contributor, add, "title") if n not in ("title", "slug")]
    block = [("body-0-deleted", ""), ("body-0-order", "0"), ("body-0-id", "")]
    tampered = {
        "count": [("body-count", "many")],
        "missing": [("body-count", "1"), ("body-0-type", "paragraph"), ("body-0-value", "{}")],
        "not json": [
            ("body-count", "1"),
            ("body-0-type", "paragraph"),
            ("body-0-value", XSS[0]),
            *block,
        ],
        "chooser": [("body-count", "0"), ("lead_image", "1 OR 1=1")],
    }
    statuses = {}
    for name, fields in tampered.items():
        data = [*base, ("title", f"Tampered {name}"), ("slug", f"tampered-{name}"), *fields]
        statuses[name] = contributor.post(add, data=data, headers={"Referer": add}).status_code
    # Wagtail's editor would raise on these: gazette.core.tampered_forms answers 400.
    assert all(status < 500 for status in statuses.values()), statuses
