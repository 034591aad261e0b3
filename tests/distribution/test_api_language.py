"""The API's ``?language=`` under hostile input: unknown, overlong, garbage, percent-encoded
and repeated values get a 422 that says which parameter, or a clear answer (an empty list for
a language with no edition), never a 500 and never every edition's stories mixed."""

import pytest

from tests.conftest import read_afresh

pytestmark = pytest.mark.django_db


@pytest.fixture
def editions(editions_once, db):
    """The two editions, made once for the module: its tests (27 with their parameters) only
    read them."""
    return read_afresh(editions_once)


KOREAN = ["북부 홍수"]
ENGLISH = ["Only in English", "Floods in the north"]


def _headlines(client, query):
    response = client.get("/api/v1/articles" + query)
    assert response.status_code == 200, (query, response.status_code, response.content[:300])
    return [item["headline"] for item in response.json()["items"]]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("?language=ko", KOREAN),
        ("?language=KO", KOREAN),  # codes are case-insensitive (BCP 47)
        ("?language=ko-KR", KOREAN),  # a region's variant: its language's edition
        ("?language=ko-kr", KOREAN),
        ("?language=%6B%6F", KOREAN),  # "ko" percent-encoded
        ("?language=en", ENGLISH),
        ("?language=en-GB", ENGLISH),
        ("?language=xx", []),  # no such language: nothing, not every edition
        ("?language=ar", []),  # a language the site knows, with no edition
        ("?language=zh-Hant-TW", []),
    ],
)
def test_a_language_code_names_one_edition_or_nothing(editions, client, query, expected):
    assert sorted(_headlines(client, query)) == sorted(expected)


@pytest.mark.parametrize(
    "value",
    [
        "",  # empty: no language at all
        "k" * 5000,  # overlong
        "ko-" + "x" * 30,
        "ko;DROP TABLE wagtailcore_page",
        "ko%27%20OR%201=1",
        "%00",
        "ko%00",
        "%E2%80%AEok",  # a right-to-left override
        "%F0%9F%98%80",  # an emoji
        "%ff%fe",  # not UTF-8
        "<script>",
        "ko%20",
        "../../etc/passwd",
        "1",
        "-",
        "ko--KR",
    ],
)
def test_garbage_is_a_clear_422(editions, client, value):
    response = client.get(f"/api/v1/articles?language={value}")
    assert response.status_code == 422, (value, response.status_code)
    [error] = response.json()["detail"]
    assert error["loc"][-1] == "language"


def test_a_repeated_language_is_one_edition_not_a_mixture(editions, client):
    for query in ("?language=ko&language=en", "?language=en&language=ko"):
        response = client.get("/api/v1/articles" + query)
        assert response.status_code in (200, 422), query
        if response.status_code == 200:
            headlines = [item["headline"] for item in response.json()["items"]]
            assert sorted(headlines) in (sorted(KOREAN), sorted(ENGLISH)), query
    response = client.get("/api/v1/articles?language=ko&language=" + "k" * 5000)
    assert response.status_code in (200, 422)
