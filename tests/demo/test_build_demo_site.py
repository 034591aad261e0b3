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
