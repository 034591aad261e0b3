"""The generational cache's entries are keyed by the models' fields: a release whose models
differ never unpickles the last release's model instances."""

from django.db import models

from gazette.core import generational
from gazette.core.generational import GenerationalCache


def test_an_entry_is_read_back_and_forgotten_by_a_new_generation(db):
    parts = GenerationalCache("test:parts", timeout=60)
    assert parts.get("a", lambda: "first") == "first"
    assert parts.get("a", lambda: "second") == "first"  # cached
    parts.retire()
    assert parts.get("a", lambda: "third") == "third"


def test_a_release_with_other_model_fields_reads_none_of_the_last_ones_entries(monkeypatch):
    parts = GenerationalCache("test:parts", timeout=60)
    assert parts.get("article", lambda: "kept by this release") == "kept by this release"
    before = parts.key("article")

    class Headline(models.Model):  # noqa: DJ008 - a model the next release adds
        text = models.CharField(max_length=10)

        class Meta:
            app_label = "news"

    try:
        generational.models_fingerprint.cache_clear()
        assert parts.key("article") != before
        assert parts.get("article", lambda: "built again") == "built again"
    finally:
        from django.apps import apps

        del apps.all_models["news"]["headline"]
        apps.clear_cache()
        generational.models_fingerprint.cache_clear()
    assert parts.key("article") == before


# Redis stopped, then started again with its data (appendonly; tests/cache_outage.py).


def test_a_retirement_dropped_while_the_cache_was_away_is_made_up_for_once_it_is_back(
    db, cache_stopped
):
    parts = GenerationalCache("test:parts", timeout=60)
    other = GenerationalCache("test:other", timeout=60)
    assert parts.get("a", lambda: "before") == "before"
    assert other.get("b", lambda: "before") == "before"
    with cache_stopped():
        parts.retire_now()  # dropped
        assert parts.get("a", lambda: "meanwhile") == "meanwhile"  # the outage is noticed
    # The first answer retires every generational cache: nothing kept before is used.
    assert parts.get("a", lambda: "after") == "after"
    assert other.get("b", lambda: "after") == "after"
    assert parts.get("a", lambda: "later") == "after"  # and kept again
