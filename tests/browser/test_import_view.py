"""The admin's Import in a real browser: an editor uploads a small WordPress export, reads the
check's report (nothing written yet), imports it, and follows the finished report's link to
the article. The test server runs tasks at once, as `make run` without a worker would."""

from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from gazette.news.models import ArticlePage

pytestmark = pytest.mark.django_db(transaction=True)

VALLEY = Path(__file__).resolve().parents[1] / "importers" / "fixtures" / "wxr" / "valley-post.xml"
HEADLINE = "Orchard growers count the cost of the late frost"


def _sign_in(page, live_server, path):
    get_user_model().objects.create_superuser("archivist", "", "pw-for-the-browser")
    page.goto(live_server.url + "/admin/login/?next=" + path)
    page.fill("input[name=username]", "archivist")
    page.fill("input[name=password]", "pw-for-the-browser")
    page.click("button[type=submit]")
    page.wait_for_url("**" + path)


def test_an_editor_checks_then_imports_an_export_and_opens_an_article(
    open_page, live_server, artifacts, home
):
    page, watch = open_page("/admin/login/")
    _sign_in(page, live_server, reverse("wagtailadmin_home"))

    # The menu's Import item leads to the form.
    page.get_by_role("link", name="Import", exact=True).click()
    page.wait_for_url("**/admin/imports/new/")
    assert page.get_by_role("button", name="Check").is_visible()
    page.set_input_files("#id_upload", str(VALLEY))
    page.screenshot(path=str(artifacts / "import-1-form-1280.png"), full_page=True)

    page.get_by_role("button", name="Check").click()
    page.wait_for_url("**/admin/imports/*/")
    assert page.get_by_role("heading", name="Checked, ready to import").is_visible()
    assert page.get_by_text("3 would be created").is_visible()
    assert page.get_by_role("cell", name=HEADLINE).is_visible()
    assert page.get_by_role("cell", name="shortcode [gallery] dropped").is_visible()
    assert not ArticlePage.objects.exists()  # the check wrote nothing
    page.screenshot(path=str(artifacts / "import-2-checked-1280.png"), full_page=True)

    page.get_by_role("button", name="Import", exact=True).click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", name="Imported").is_visible()
    assert page.get_by_text("3 created").is_visible()
    article = ArticlePage.objects.get(title=HEADLINE)
    edit = page.get_by_role("link", name=f"Edit “{HEADLINE}”")
    assert edit.get_attribute("href") == reverse("wagtailadmin_pages:edit", args=[article.pk])
    page.screenshot(path=str(artifacts / "import-3-finished-1280.png"), full_page=True)

    page.get_by_role("link", name=f"View live “{HEADLINE}”").click()
    page.wait_for_url("**" + article.url)
    assert page.get_by_role("heading", level=1, name=HEADLINE).is_visible()
    page.screenshot(path=str(artifacts / "import-4-article-1280.png"), full_page=True)

    # The past imports list has the run.
    page.goto(live_server.url + reverse("importers_runs"))
    assert page.get_by_role("link", name="valley-post.xml").is_visible()
    assert page.get_by_role("cell", name="Imported").is_visible()
    page.screenshot(path=str(artifacts / "import-5-runs-1280.png"), full_page=True)
    assert watch.console_errors == []


def test_a_hostile_file_is_refused_on_the_form_and_a_stalled_run_says_so(
    open_page, live_server, artifacts, home
):
    from datetime import timedelta

    from django.utils import timezone

    from gazette.importers.models import ImportRun

    page, watch = open_page("/admin/login/")
    _sign_in(page, live_server, reverse("importers_new"))
    bomb = VALLEY.parent.parent / "hostile" / "entity-bomb.xml"
    page.set_input_files("#id_upload", str(bomb))
    page.get_by_role("button", name="Check").click()
    page.wait_for_load_state()
    alert = page.get_by_role("alert").filter(has_text="entity-bomb.xml: refused")
    assert alert.is_visible()
    assert "/admin/imports/new/" in page.url
    page.screenshot(path=str(artifacts / "import-6-refused-1280.png"), full_page=True)

    run = ImportRun.objects.create(
        source_name="https://archive.example.net/export.xml",
        source_url="https://archive.example.net/export.xml",
        status=ImportRun.Status.IMPORTING,
        attempt=1,
        heartbeat_at=timezone.now() - timedelta(hours=2),
        progress_done=3,
        progress_total=10,
        items_done=120,
    )
    page.goto(live_server.url + reverse("importers_run", args=[run.pk]))
    assert page.get_by_role("heading", name="Stalled").is_visible()
    assert page.get_by_role("button", name="Run it again").is_visible()
    page.screenshot(path=str(artifacts / "import-7-stalled-1280.png"), full_page=True)
    assert watch.console_errors == []
