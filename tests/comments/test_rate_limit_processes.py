"""The rate limit holds across app processes: another process's posts count against the same
client here. Only meaningful on a shared cache, so it runs in the PostgreSQL+Redis suite."""

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
import time_machine
from django.test import RequestFactory

from gazette.comments import rules

REPOSITORY = Path(__file__).resolve().parents[2]
OTHER_PROCESS = """
import django
django.setup()
from django.test import RequestFactory
from gazette.comments import rules
request = RequestFactory().post("/comments/1/post/")
print(rules.rate_limited(request, group="comments.post", client={client!r}, limits=["2/d"]))
"""


@pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="needs the shared Redis cache")
def test_another_processs_attempts_count_here():
    client = rules.client_hash("192.0.2.77")
    script = OTHER_PROCESS.format(client=client)
    environment = {**os.environ, "DJANGO_SETTINGS_MODULE": "gazette.settings.test"}
    for expected in ("False", "False"):
        done = subprocess.run(
            [sys.executable, "-c", script],
            cwd=REPOSITORY,
            env=environment,
            capture_output=True,
            text=True,
            timeout=60,
            check=True,
        )
        assert done.stdout.strip().splitlines()[-1] == expected
    request = RequestFactory().post("/comments/1/post/")
    assert rules.rate_limited(request, group="comments.post", client=client, limits=["2/d"])
    other = rules.client_hash("192.0.2.78")
    assert not rules.rate_limited(request, group="comments.post", client=other, limits=["2/d"])


@pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="needs the shared Redis cache")
def test_on_redis_every_limit_is_counted_in_one_round_trip_under_django_ratelimits_keys(
    monkeypatch,
):
    """The counts are django-ratelimit's own (``get_usage`` reads what the pipeline wrote),
    and two limits cost one round trip, not four."""
    from django.core.cache import cache
    from django_ratelimit import ALL
    from django_ratelimit import core as ratelimit_core
    from django_ratelimit.core import get_usage
    from redis.client import Pipeline

    client = rules.client_hash("192.0.2.90")
    request = RequestFactory().post("/comments/1/post/")
    sent = []
    execute = Pipeline.execute

    def counted_execute(self, *args, **kwargs):
        sent.append(len(self.command_stack))
        return execute(self, *args, **kwargs)

    monkeypatch.setattr(Pipeline, "execute", counted_execute)
    limits = ["2/m", "3/h"]
    with time_machine.travel(time.time(), tick=False):  # no window turns meanwhile
        assert [
            rules.rate_limited(request, group="comments.test", client=client, limits=limits)
            for _ in range(4)
        ] == [False, False, True, True]
        assert sent == [4, 4, 4, 4]  # an INCR and an EXPIRE per limit, in one round trip
        key = lambda _group, _request: client  # noqa: E731
        for rate, count in [("2/m", 4), ("3/h", 4)]:
            usage = get_usage(request, group="comments.test", key=key, rate=rate)
            assert usage["count"] == count
        # Each count lives as long as its window, as get_usage's add would have set it.
        hourly = ratelimit_core._make_cache_key(
            "comments.test", ratelimit_core._get_window(client, 3600), "3/h", client, ALL
        )
    assert 3500 < cache.client.get_client().ttl(cache.make_key(hourly)) <= 3605


@pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="needs the shared Redis cache")
def test_redis_not_answering_lets_comments_through(monkeypatch):
    """As django-ratelimit with RATELIMIT_FAIL_OPEN: an outage of the cache does not stop
    readers from posting."""
    from redis.client import Pipeline
    from redis.exceptions import ConnectionError as RedisConnectionError

    def refuse(self, *args, **kwargs):
        raise RedisConnectionError("down")

    monkeypatch.setattr(Pipeline, "execute", refuse)
    request = RequestFactory().post("/comments/1/post/")
    client = rules.client_hash("192.0.2.91")
    assert not rules.rate_limited(request, group="comments.test", client=client, limits=["0/m"])
