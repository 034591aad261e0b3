"""The admin asks no other host for anything: no release check, no Gravatar, no fonts or
scripts from elsewhere. Links an editor may choose to follow (Wagtail's editor guide) are
not requests, and are allowed to Wagtail's documentation only."""

import re
from urllib.parse import urlsplit

import pytest
from django.test import override_settings

pytestmark = pytest.mark.django_db

# Attributes whose URL the browser fetches by itself when the page loads.
FETCHED = re.compile(
    r"<(?:script|img|iframe|source|video|audio|embed|object)\b[^>]*?\s(?:src|srcset|data)="
    r"[\"']([^\"']+)[\"']"
    r"|<link\b[^>]*?\shref=[\"']([^\"']+)[\"']",
    re.IGNORECASE,
)
ANCHOR = re.compile(r"<a\b[^>]*?\shref=[\"']([^\"']+)[\"']", re.IGNORECASE)
# Wagtail's own help links, which the editor follows or not: its guide, and the page a
# browser without JavaScript is sent to.
DOCUMENTATION_HOSTS = {"guide.wagtail.org", "www.enable-javascript.com"}


def _outside_host(url: str) -> str | None:
    host = urlsplit(url.strip().split(" ")[0]).hostname
    return host if host and host not in {"testserver", "localhost", "127.0.0.1"} else None


def _hosts(pattern: re.Pattern, html: str) -> set[str]:
    urls = [url for match in pattern.finditer(html) for url in match.groups() if url]
    return {host for host in map(_outside_host, urls) if host}


@pytest.fixture
def admin_pages(editor_client, seeded):
    return ["/admin/", f"/admin/pages/{seeded.article.pk}/edit/", "/admin/pages/search/?q=a"]


def test_admin_pages_fetch_nothing_from_another_host(editor_client, admin_pages):
    for path in admin_pages:
        response = editor_client.get(path)
        assert response.status_code == 200, path
        html = response.content.decode()
        assert _hosts(FETCHED, html) == set(), path
        assert _hosts(ANCHOR, html) <= DOCUMENTATION_HOSTS, path


def test_the_dashboard_has_no_release_check_nor_gravatar_by_default(editor_client, home):
    html = editor_client.get("/admin/").content.decode()
    assert "w-upgrade" not in html  # the controller that asks releases.wagtail.org
    assert "gravatar" not in html


@override_settings(WAGTAIL_ENABLE_UPDATE_CHECK=True)
def test_the_release_check_can_be_turned_on(editor_client, home):
    assert "w-upgrade" in editor_client.get("/admin/").content.decode()


def test_the_environment_turns_the_release_check_on(monkeypatch):
    import importlib

    from gazette.settings import base

    for value, expected in [("", False), ("true", True), ("lts", "lts"), ("0", False)]:
        monkeypatch.setenv("WAGTAIL_ENABLE_UPDATE_CHECK", value)
        update_check = importlib.reload(base).WAGTAIL_ENABLE_UPDATE_CHECK
        assert update_check == expected, value
    monkeypatch.delenv("WAGTAIL_ENABLE_UPDATE_CHECK")
    importlib.reload(base)
