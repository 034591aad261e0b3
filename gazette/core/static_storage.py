"""Static files with hashed names (nginx serves them with far-future cache headers), each
name's address worked out once per process.

WhiteNoise's manifest storage reads the manifest when the process starts and never again, so
the address of a name cannot change while the process runs; yet ``{% static %}`` worked it out
on every call (the manifest lookup, URL splitting, quoting and unquoting: about a tenth of a
millisecond each, half a dozen per reader page).
"""

from __future__ import annotations

from django.conf import settings
from whitenoise.storage import CompressedManifestStaticFilesStorage


class RememberingManifestStaticFilesStorage(CompressedManifestStaticFilesStorage):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._addresses: dict[str, str] = {}

    def url(self, name, force=False):
        if force or settings.DEBUG:  # DEBUG answers the names unhashed
            return super().url(name, force)
        try:
            return self._addresses[name]
        except KeyError:
            # A name missing from the manifest raises, as before, and is not remembered.
            address = self._addresses[name] = super().url(name)
            return address

    def load_manifest(self):
        # Read again (collectstatic, or a test's own manifest): forget what it answered.
        self._addresses = {}
        return super().load_manifest()

    def save_manifest(self):
        self._addresses = {}
        return super().save_manifest()
