"""The rate limit holds across app processes: another process's posts count against the same
client here. Only meaningful on a shared cache, so it runs in the PostgreSQL+Redis suite."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
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
