"""The newsletter subscribe form through the real stack (nginx, the app servers, PostgreSQL,
Redis): whatever is sent (hostile text, invalid UTF-8, oversized bodies, fields missing, a
bad address, no origin or another site's), the answer is a 4xx or a clear message, never a
5xx, and nothing sent comes back unescaped (tests/stack/hostile.py)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.stack.hostile import another_reader, check_answer, hostile, hostile_value, mark_all

SLUG = "hostile-brief"


@pytest.fixture(scope="module", autouse=True)
def newsletter(running_stack):
    running_stack.run_python(
        "from gazette.newsletters.models import Newsletter; "
        f"Newsletter.objects.get_or_create(slug={SLUG!r}, "
        "defaults={'name': 'Hostile Brief', 'description': 'For the hostile suite.'})"
    )


def reader(running_stack):
    return running_stack.client(source=another_reader())


def same_site(client, *, wants_json: bool) -> dict[str, str]:
    headers = {"Origin": client.base_url, "Sec-Fetch-Site": "same-origin"}
    if wants_json:
        headers["Accept"] = "application/json"
    return headers


@hostile(examples=80)
@given(
    fields=st.dictionaries(
        st.sampled_from(["email", "newsletters", "website"]), hostile_value, max_size=3
    ),
    real_list=st.booleans(),
    wants_json=st.booleans(),
)
def test_the_subscribe_form(running_stack, fields, real_list, wants_json):
    data, sent = mark_all(fields)
    if real_list:  # past the list check, to the address's
        data["newsletters"] = SLUG
    client = reader(running_stack)
    answer = client.post(
        "/newsletters/subscribe/", data=data, headers=same_site(client, wants_json=wants_json)
    )
    check_answer(answer, sent)


@pytest.mark.parametrize(
    ("name", "data", "status", "says"),
    [
        ("missing fields", {}, 400, "Enter your e-mail address."),
        ("no list", {"email": "reader@example.org"}, 400, "Choose at least one newsletter."),
        (
            "bad address",
            {"email": "reader at example", "newsletters": SLUG},
            400,
            "Enter an e-mail address like name@example.org.",
        ),
        (
            "a list not offered",
            {"email": "reader@example.org", "newsletters": "no-such-list"},
            400,
            "That newsletter is no longer offered.",
        ),
        ("a good one", {"email": "Reader@Example.org", "newsletters": SLUG}, 200, "Almost done"),
    ],
)
def test_clear_messages_for_bad_fields(running_stack, name, data, status, says):
    client = reader(running_stack)
    answer = client.post(
        "/newsletters/subscribe/", data=data, headers=same_site(client, wants_json=False)
    )
    assert answer.status_code == status, (name, answer.text[:500])
    assert says in answer.text, name
    if status == 400:  # the form comes back with what was typed
        assert 'name="email"' in answer.text


@pytest.mark.parametrize("wants_json", [False, True])
def test_no_origin_or_another_sites_is_refused(running_stack, wants_json):
    data = {"email": "reader@example.org", "newsletters": SLUG}
    for headers in ({}, {"Origin": "https://elsewhere.example", "Sec-Fetch-Site": "cross-site"}):
        if wants_json:
            headers = {**headers, "Accept": "application/json"}
        answer = reader(running_stack).post("/newsletters/subscribe/", data=data, headers=headers)
        assert answer.status_code == 403, (headers, answer.text[:300])
        assert "This form can only be sent from a page of this site." in answer.text


def test_bad_encoding_and_oversized_bodies(running_stack):
    client = reader(running_stack)
    headers = same_site(client, wants_json=False)
    bad_utf8 = (
        b"email=r%FF%FEader%40example.org&newsletters=" + SLUG.encode() + b"&website=\xff\xfe"
    )
    answer = client.post(
        "/newsletters/subscribe/",
        data=bad_utf8,
        headers={**headers, "Content-Type": "application/x-www-form-urlencoded; charset=utf-8"},
    )
    check_answer(answer, [])
    assert 400 <= answer.status_code < 500, answer.status_code
    latin = "email=l%E9a%40example.org&newsletters=" + SLUG
    answer = client.post(
        "/newsletters/subscribe/",
        data=latin.encode(),
        headers={**headers, "Content-Type": "application/x-www-form-urlencoded; charset=latin-1"},
    )
    check_answer(answer, [])
    assert answer.status_code in (200, 400), answer.status_code
    huge = {"email": "a" * 3_000_000 + "@example.org", "newsletters": SLUG}
    answer = reader(running_stack).post("/newsletters/subscribe/", data=huge, headers=headers)
    assert 400 <= answer.status_code < 500, answer.status_code
    many = "&".join(f"newsletters=list-{n}" for n in range(5000)) + "&email=r%40example.org"
    answer = reader(running_stack).post(
        "/newsletters/subscribe/",
        data=many.encode(),
        headers={**headers, "Content-Type": "application/x-www-form-urlencoded"},
    )
    assert 400 <= answer.status_code < 500, answer.status_code
