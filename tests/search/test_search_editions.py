"""Search per language edition: /ko/search/ finds the Korean edition's stories only, in
Korean, and /search/ the English ones; on PostgreSQL each entry is stemmed in its edition's
language ('english' stems, Korean falls back to 'simple', whole words)."""

import pytest
from django.db import connection

from gazette.search.models import ArticleSearchEntry
from tests.factories import ArticleFactory

pytestmark = pytest.mark.django_db

on_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="text search configurations are PostgreSQL's (SQLite's FTS5 does not stem)",
)


def _results(client, path):
    response = client.get(path)
    assert response.status_code == 200
    return response.content.decode()


def test_the_korean_search_page_finds_the_korean_edition_only(editions, client):
    korean = _results(client, "/ko/search/?q=홍수")
    assert '<html lang="ko"' in korean
    assert "<h1>검색</h1>" in korean  # its labels in Korean
    assert 'href="/ko/world/floods/"' in korean and "북부" in korean
    assert 'action="/ko/search/"' in korean  # searching again stays in the edition

    # The same word on the English page: no Korean story.
    english = _results(client, "/search/?q=홍수")
    assert '<html lang="en' in english and "<h1>Search</h1>" in english
    assert "/ko/world/floods/" not in english and "No stories match" in english


def test_the_english_search_page_finds_the_english_edition_only(editions, client):
    english = _results(client, "/search/?q=english")
    assert 'href="/world/english-only/"' in english

    # An English-only story is no Korean result, even searched in English words.
    korean = _results(client, "/ko/search/?q=english")
    assert "/world/english-only/" not in korean
    assert "Only in English" not in korean


def test_the_section_filter_lists_the_editions_sections(editions, client):
    korean = _results(client, "/ko/search/")
    assert '<option value="world">세계</option>' in korean
    assert ">World</option>" not in korean
    # Both editions' World have the slug "world": each page filters by its own.
    found = _results(client, "/ko/search/?q=대피했다&section=world")
    assert 'href="/ko/world/floods/"' in found
    assert "field-error" not in found


@on_postgresql
def test_english_words_are_stemmed_and_korean_ones_kept_whole(editions, client):
    from gazette.search.entries import locale_config

    runner = ArticleFactory(
        parent=editions["world"],
        title="Marathon news",
        body=[("paragraph", "<p>She runs every morning along the river.</p>")],
    )
    english_id, korean_id = editions["story"].locale_id, editions["korean"].pk
    assert locale_config(english_id) == "english"
    assert locale_config(korean_id) == "simple"  # PostgreSQL has no Korean stemmer
    entries = dict(ArticleSearchEntry.objects.values_list("article_id", "locale_id"))
    assert entries[runner.pk] == english_id and entries[editions["ko_story"].pk] == korean_id

    # "running" finds "runs": both stemmed to "run" in English.
    assert f'href="{runner.url}"' in _results(client, "/search/?q=running")
    assert runner.url not in _results(client, "/ko/search/?q=running")
    # A Korean word is found as written, on the Korean page only.
    assert 'href="/ko/world/floods/"' in _results(client, "/ko/search/?q=대피했다")
    assert "/ko/world/floods/" not in _results(client, "/search/?q=대피했다")


@on_postgresql
def test_a_language_without_a_stemmer_is_searched_whole_words(editions, monkeypatch):
    from gazette.search import entries
    from gazette.search.entries import FALLBACK_CONFIG, text_search_config

    assert text_search_config("en") == "english"
    assert text_search_config("ko") == FALLBACK_CONFIG
    # PostgreSQL 12 and later stem Arabic; a database without that configuration gets
    # 'simple' rather than an error.
    assert text_search_config("ar") == "arabic"
    monkeypatch.setitem(entries.STEMMING_CONFIGS, "ar", "not_installed_here")
    assert text_search_config("ar") == FALLBACK_CONFIG
    with connection.cursor() as cursor:
        cursor.execute("SELECT to_tsvector(%s::regconfig, '주민들이 대피했다')", ["simple"])
        assert cursor.fetchone()[0] == "'대피했다':2 '주민들이':1"


def test_the_korean_search_page_makes_the_english_ones_queries(editions, client):
    from django.test.utils import CaptureQueriesContext

    client.get("/search/?q=floods")
    client.get("/ko/search/?q=홍수")
    with CaptureQueriesContext(connection) as english:
        client.get("/search/?q=floods")
    with CaptureQueriesContext(connection) as korean:
        client.get("/ko/search/?q=홍수")
    assert len(korean) == len(english)
