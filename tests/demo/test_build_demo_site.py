import pytest
from django.core.management import call_command
from wagtail.models import Page, Site

from gazette.home.models import HomePage
from tests.conftest import SEED_FILE

pytestmark = pytest.mark.django_db


def test_demo_site_builds_once_and_keeps_its_data(tmp_path, settings, capsys):
    settings.VAR_DIR = tmp_path
    call_command("build_demo_site", seed_dir=SEED_FILE.parent, base_url="http://127.0.0.1:8000")
    first = capsys.readouterr().out
    pages = Page.objects.count()
    site = Site.objects.get(is_default_site=True)
    assert isinstance(site.root_page.specific, HomePage)
    assert "Article: http://127.0.0.1:8000/world/18-north-korean-soldiers" in first
    password = first.split("password: ")[1].strip()

    call_command("build_demo_site", seed_dir=SEED_FILE.parent, base_url="http://127.0.0.1:8000")
    second = capsys.readouterr().out
    assert Page.objects.count() == pages
    assert second.split("password: ")[1].strip() == password


def test_the_demo_makes_a_korean_edition_once(tmp_path, settings, capsys, client):
    from django.core.management.base import CommandError

    from gazette.news.models import ArticlePage

    settings.VAR_DIR = tmp_path
    options = {"seed_dir": SEED_FILE.parent, "base_url": "http://127.0.0.1:8000"}
    call_command("build_demo_site", edition="ko", **options)
    out = capsys.readouterr().out
    assert "Edition ko: http://127.0.0.1:8000/ko/" in out
    english = ArticlePage.objects.get(
        locale__language_code="en", slug__startswith="18-north-korean-soldiers"
    )
    korean = english.get_translation(english.locale.__class__.objects.get(language_code="ko"))
    assert korean.live and korean.url == "/ko" + english.url
    assert client.get("/ko/").status_code == 200
    assert client.get(korean.url).status_code == 200

    pages = Page.objects.count()
    call_command("build_demo_site", edition="ko", **options)
    assert Page.objects.count() == pages
    assert "0 pages copied" in capsys.readouterr().out

    with pytest.raises(CommandError, match="choose one of"):
        call_command("build_demo_site", edition="xx", **options)
    with pytest.raises(CommandError, match="site's own language"):
        call_command("build_demo_site", edition="en", **options)
