"""The generational cache's entries are keyed by the models' fields: a release whose models
differ never unpickles the last release's model instances."""

import pytest
import redis
from django.conf import settings
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


class _Request:
    pass


def _redis_or_skip():
    if not settings.GAZETTE_VIEWS_REDIS_URL:
        pytest.skip("the cache's Redis: where REDIS_URL is set")
    return generational._cache_redis()


def test_a_redis_read_on_the_caches_redis_joins_its_round_trip(db):
    """Sent in the same pipeline as the entries; its replies handed over in order."""
    client = _redis_or_skip()
    client.hset("test:hash", "a", 7)
    parts = GenerationalCache("test:parts", timeout=60)
    parts.get("a", lambda: "kept")
    taken = []
    read = generational.RedisRead(client, [("HMGET", "test:hash", "a", "b")], taken.extend)
    request = _Request()
    generational.preload_together(request, [(parts, ["a"])], redis_reads=[read])
    assert taken == [[b"7", None]]
    assert parts.get("a", lambda: "built", request=request) == "kept"  # read with it


def test_a_redis_read_of_another_server_is_not_sent(db):
    """Its reader then asks on its own; the entries are read as ever."""
    client = _redis_or_skip()
    kwargs = client.connection_pool.connection_kwargs
    # The same server, by its Unix socket (the test pass's) or its TCP port; another database.
    if "path" in kwargs:
        server = {"unix_socket_path": kwargs["path"]}
    else:
        server = {"host": kwargs["host"], "port": kwargs["port"]}
    other = redis.Redis(**server, db=kwargs.get("db", 0) + 1)
    taken = []
    read = generational.RedisRead(other, [("HMGET", "test:hash", "a")], taken.extend)
    parts = GenerationalCache("test:parts", timeout=60)
    request = _Request()
    generational.preload_together(request, [(parts, ["a"])], redis_reads=[read])
    assert taken == []
    assert parts.get("a", lambda: "built", request=request) == "built"


def test_a_redis_read_without_a_redis_cache_is_not_sent(db):
    """The local memory cache (SQLite's embedded default): nothing to share a trip with."""
    if settings.GAZETTE_VIEWS_REDIS_URL:
        pytest.skip("the local memory cache: where REDIS_URL is not set")
    assert generational._cache_redis() is None
    taken = []
    read = generational.RedisRead(object(), [("HMGET", "k", "a")], taken.extend)
    generational.preload_together(_Request(), [], redis_reads=[read])
    assert taken == []


def test_a_failed_shared_round_trip_reads_as_misses(db, monkeypatch):
    """Redis not answering: the entries are misses (as django-redis's IGNORE_EXCEPTIONS gives
    them), the read is not taken (its reader asks on its own), nothing raises."""
    client = _redis_or_skip()

    def refused(*args, **kwargs):
        raise redis.ConnectionError("refused")

    parts = GenerationalCache("test:parts", timeout=60)
    parts.get("a", lambda: "kept")
    monkeypatch.setattr(type(client), "pipeline", refused)
    taken = []
    read = generational.RedisRead(client, [("HMGET", "test:hash", "a")], taken.extend)
    request = _Request()
    generational.preload_together(request, [(parts, ["a"])], redis_reads=[read])
    assert taken == []
    monkeypatch.undo()
    assert parts.get("a", lambda: "built", request=request) == "built"
