"""A front-end cache backend that records the URLs purged, for tests of what a change purges."""

import pytest
from wagtail.contrib.frontend_cache.backends import BaseBackend


class RecordingBackend(BaseBackend):
    urls: list[str] = []

    def purge(self, url):
        self.urls.append(url)

    def purge_batch(self, urls):
        self.urls.extend(urls)


@pytest.fixture
def purged(settings):
    """The URLs purged while the test runs, in order."""
    settings.WAGTAILFRONTENDCACHE = {"recorder": {"BACKEND": f"{__name__}.RecordingBackend"}}
    RecordingBackend.urls = []
    return RecordingBackend.urls
