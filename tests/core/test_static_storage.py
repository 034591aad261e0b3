"""Static addresses worked out once per process, as the manifest gives them."""

import json

import pytest

from gazette.core.static_storage import RememberingManifestStaticFilesStorage


@pytest.fixture
def storage(tmp_path, settings):
    settings.DEBUG = False
    (tmp_path / "css").mkdir()
    manifest = {
        "version": "1.1",
        "paths": {"css/site.css": "css/site.0123abcd.css", "icon.svg": "icon.4567ef01.svg"},
        "hash": "x",
    }
    (tmp_path / "staticfiles.json").write_text(json.dumps(manifest))
    return RememberingManifestStaticFilesStorage(location=tmp_path, base_url="/static/")


def test_the_hashed_address_is_answered_and_remembered(storage, monkeypatch):
    assert storage.url("css/site.css") == "/static/css/site.0123abcd.css"
    asked = []
    original = type(storage).__mro__[1].url
    monkeypatch.setattr(
        type(storage).__mro__[1],
        "url",
        lambda self, *a, **k: asked.append(a) or original(self, *a, **k),
    )
    assert storage.url("css/site.css") == "/static/css/site.0123abcd.css"
    assert asked == []  # remembered
    assert storage.url("icon.svg") == "/static/icon.4567ef01.svg"
    assert asked == [("icon.svg",)]


def test_a_name_missing_from_the_manifest_still_raises_every_time(storage):
    for _ in range(2):
        with pytest.raises(ValueError, match="Missing staticfiles manifest entry"):
            storage.url("js/missing.js")


def test_a_manifest_read_again_forgets_the_old_addresses(storage, tmp_path):
    assert storage.url("css/site.css") == "/static/css/site.0123abcd.css"
    manifest = {"version": "1.1", "paths": {"css/site.css": "css/site.9999.css"}, "hash": "y"}
    (tmp_path / "staticfiles.json").write_text(json.dumps(manifest))
    storage.hashed_files, storage.manifest_hash = storage.load_manifest()
    assert storage.url("css/site.css") == "/static/css/site.9999.css"


def test_debug_answers_the_plain_name(storage, settings):
    settings.DEBUG = True
    assert storage.url("css/site.css") == "/static/css/site.css"
