"""The shared cache away, as django-redis with IGNORE_EXCEPTIONS answers while Redis is
stopped: every read a miss, every write dropped. What Redis held stays as it was, as Redis
keeps it across a restart (appendonly). Use the fixture: ``with cache_stopped(): ...``."""

import contextlib
from unittest import mock

import pytest
from django.core.cache import cache

from gazette.core.generational import cache_away


def _dropped(*args, **kwargs):
    return None


@contextlib.contextmanager
def _stopped():
    with (
        mock.patch.object(cache, "get", lambda key, default=None, **kwargs: default),
        mock.patch.object(cache, "get_many", lambda keys, **kwargs: {}),
        mock.patch.object(cache, "set", _dropped),
        mock.patch.object(cache, "set_many", _dropped),
        mock.patch.object(cache, "add", _dropped),
        mock.patch.object(cache, "delete", _dropped),
        mock.patch.object(cache, "delete_many", _dropped),
    ):
        yield


@pytest.fixture
def cache_stopped():
    yield _stopped
    # An outage noticed and not yet over leaves no retirement to the next test.
    cache_away.over()
