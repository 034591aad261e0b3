"""The site's absolute URLs name the address it is served at: `make run` and `make stack` set
it (build_demo_site --base-url), production gives GAZETTE_BASE_URL (applied at migrate) or
runs set_site_address; the dashboard says so when the Site record and the admin's address
differ."""

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.management import CommandError, call_command
from wagtail.models import Site

from gazette.core.site_address import (
    Address,
    SiteAddressError,
    apply_base_url_setting,
    parse_base_url,
)
from tests.conftest import SEED_FILE

pytestmark = pytest.mark.django_db

SERVED = {"HTTP_HOST": "127.0.0.1:8000"}


@pytest.mark.parametrize(
    ("url", "address"),
    [
        ("http://127.0.0.1:8000", Address("http", "127.0.0.1", 8000)),
        ("http://127.0.0.1:8000/", Address("http", "127.0.0.1", 8000)),
        ("https://News.Example.org", Address("https", "news.example.org", 443)),
        ("http://localhost", Address("http", "localhost", 80)),
    ],
)
def test_a_base_url_gives_the_hostname_and_port(url, address):
    assert parse_base_url(url) == address
    assert str(address) == url.rstrip("/").replace("News.Example", "news.example")


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("127.0.0.1:8000", "not a site address"),
        ("ftp://example.org", "not a site address"),
        ("https://example.org:8443", "port 443 only"),
        ("http://example.org:443", "port 443 is https's"),
        ("http://example.org/news/", "no path"),
        ("http://example.org:99999", "port is not a number"),
    ],
)
def test_a_wrong_base_url_is_refused_with_the_reason(url, reason):
    with pytest.raises(SiteAddressError, match=reason):
        parse_base_url(url)


def test_build_demo_site_gives_the_site_the_address_make_run_serves(client, db):
    call_command("build_demo_site", seed_dir=SEED_FILE.parent, base_url="http://127.0.0.1:8000")
    site = Site.objects.get(is_default_site=True)
    assert (site.hostname, site.port, site.root_url) == ("127.0.0.1", 8000, "http://127.0.0.1:8000")

    article_path = next(
        page.url for page in site.root_page.get_descendants().live().specific() if page.depth > 3
    )
    page = client.get(article_path, **SERVED).content.decode()
    assert f'<link rel="canonical" href="http://127.0.0.1:8000{article_path}">' in page
    assert f'content="http://127.0.0.1:8000{article_path}"' in page  # og:url
    assert "http://localhost" not in page
    robots = client.get("/robots.txt", **SERVED).content.decode()
    assert "Sitemap: http://127.0.0.1:8000/sitemap.xml" in robots
    feed = client.get("/feeds/rss.xml", **SERVED).content.decode()
    assert f"<link>http://127.0.0.1:8000{article_path}</link>" in feed
    sitemap = client.get("/sitemaps/news.xml", **SERVED).content.decode()
    assert f"<loc>http://127.0.0.1:8000{article_path}</loc>" in sitemap


def test_build_demo_site_refuses_a_wrong_base_url(db):
    with pytest.raises(CommandError, match="--base-url"):
        call_command("build_demo_site", seed_dir=SEED_FILE.parent, base_url="https://x.org:8443")


def test_production_gives_the_address_in_a_setting_applied_at_migrate(home, settings):
    settings.GAZETTE_BASE_URL = "https://news.example.org"
    apply_base_url_setting()  # what migrate's post_migrate runs
    assert Site.objects.get(is_default_site=True).root_url == "https://news.example.org"

    settings.GAZETTE_BASE_URL = "https://news.example.org:8443"
    with pytest.raises(ImproperlyConfigured, match="GAZETTE_BASE_URL"):
        apply_base_url_setting()


def test_the_command_sets_the_address_from_its_argument_or_the_setting(home, settings, capsys):
    call_command("set_site_address", "http://127.0.0.1:8081")
    assert Site.objects.get(is_default_site=True).root_url == "http://127.0.0.1:8081"
    settings.GAZETTE_BASE_URL = "https://news.example.org"
    call_command("set_site_address")
    assert "now https://news.example.org" in capsys.readouterr().out
    settings.GAZETTE_BASE_URL = ""
    with pytest.raises(CommandError, match="GAZETTE_BASE_URL"):
        call_command("set_site_address")


def test_the_dashboard_says_when_the_site_record_names_another_address(editor_client, home):
    warning = "The site&#x27;s address differs from this one"
    dashboard = editor_client.get("/admin/", **SERVED).content.decode()
    assert warning in dashboard
    assert "This admin is served at http://127.0.0.1:8000, but the site" in dashboard
    assert "has the address http://localhost, so canonical links" in dashboard

    call_command("set_site_address", "http://127.0.0.1:8000")
    assert warning not in editor_client.get("/admin/", **SERVED).content.decode()
