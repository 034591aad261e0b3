"""The admin's Import: the permission, every bad input on the form, the check (a dry run that
writes nothing), the import as a task with its progress and report, stalled runs and the list
of past runs."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from taggit.models import Tag
from wagtail.contrib.redirects.models import Redirect
from wagtail.models import Page, PageLogEntry, Revision

from gazette.comments.models import Comment
from gazette.images.models import CustomImage
from gazette.importers import import_runs
from gazette.importers.models import ImportRun
from gazette.news.models import ArticlePage
from gazette.people.models import Author
from tests.factories import AuthorFactory, SectionFactory

from .test_import_sources import server  # noqa: F401 (a fixture)

FIXTURES = Path(__file__).parent / "fixtures"
VALLEY = FIXTURES / "wxr" / "valley-post.xml"
HOSTILE = FIXTURES / "hostile"
FEED = FIXTURES / "feeds" / "rss20_wordpress.xml"

NEW = reverse("importers_new")
RUNS = reverse("importers_runs")


def upload(path: Path, name: str | None = None) -> SimpleUploadedFile:
    return SimpleUploadedFile(name or path.name, path.read_bytes(), "application/octet-stream")


def check(client, **data):
    return client.post(NEW, data={"format": "auto", **data})


def errors_of(response) -> list[str]:
    form = response.context["form"]
    return [str(error) for errors in form.errors.values() for error in errors]


# --- who may import ------------------------------------------------------------------------------


@pytest.fixture
def desk_user(db):
    """An editor who may use the admin but was not given the Import."""
    user = get_user_model().objects.create_user("desk", "desk@example.org", "pw")
    user.user_permissions.add(Permission.objects.get(codename="access_admin"))
    return user


def test_without_the_permission_every_import_view_is_refused(client, desk_user, home):
    run = ImportRun.objects.create(source_name="old.xml", status=ImportRun.Status.CHECKED)
    client.force_login(desk_user)
    assert client.get(RUNS).status_code == 403
    assert client.get(NEW).status_code == 403
    assert check(client, upload=upload(VALLEY)).status_code == 403
    assert client.get(reverse("importers_run", args=[run.pk])).status_code == 403
    assert client.post(reverse("importers_start_import", args=[run.pk])).status_code == 403
    assert client.post(reverse("importers_run_again", args=[run.pk])).status_code == 403
    run.refresh_from_db()
    assert run.status == ImportRun.Status.CHECKED
    assert ImportRun.objects.count() == 1
    assert '"url": "/admin/imports/new/"' not in client.get(reverse("wagtailadmin_home")).text


def test_the_permission_given_to_a_group_opens_the_import_and_its_menu_item(
    client, desk_user, home
):
    group = Group.objects.create(name="Archivists")
    group.permissions.add(Permission.objects.get(codename="run_import"))
    desk_user.groups.add(group)
    client.force_login(desk_user)
    assert client.get(NEW).status_code == 200
    assert client.get(RUNS).status_code == 200
    assert '"url": "/admin/imports/new/"' in client.get(reverse("wagtailadmin_home")).text


def test_superusers_have_it_and_anonymous_visitors_are_sent_to_sign_in(client, editor_client):
    assert editor_client.get(NEW).status_code == 200
    client.logout()
    response = client.get(NEW)
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


def test_administrators_can_give_it_in_the_groups_form(editor_client):
    response = editor_client.get(reverse("wagtailusers_groups:add"))
    assert "Can import articles (the admin&#x27;s Import)" in response.text


# --- bad input: a clear message on the form, what was typed kept, never a 500 ------------------


def test_neither_a_file_nor_an_address(editor_client):
    response = check(editor_client, url="  ")
    assert response.status_code == 200
    assert errors_of(response) == ["Choose a file to import, or give its address."]
    assert ImportRun.objects.count() == 0


def test_both_a_file_and_an_address_keeps_the_address(editor_client):
    response = check(editor_client, upload=upload(VALLEY), url="https://example.org/feed.xml")
    assert response.status_code == 200
    assert errors_of(response) == [
        "Give a file or an address, not both: the import reads one source."
    ]
    assert 'value="https://example.org/feed.xml"' in response.text
    assert ImportRun.objects.count() == 0


def test_a_file_over_the_cap(editor_client, settings):
    settings.GAZETTE_IMPORT_MAX_UPLOAD_BYTES = 2048
    response = check(editor_client, upload=upload(VALLEY))
    assert response.status_code == 200
    (error,) = errors_of(response)
    assert error.startswith("The file is ")
    assert "the form takes up to 2.0\xa0KB. Give a larger archive by its address." in error
    assert ImportRun.objects.count() == 0


@pytest.mark.parametrize(
    ("path", "message"),
    [
        (HOSTILE / "binary.bin", "binary.bin: Binary data, not an export, a feed"),
        (HOSTILE / "empty.xml", "The submitted file is empty."),
        (
            HOSTILE / "not-an-export.xml",
            "not-an-export.xml: XML, but neither a WordPress export nor an RSS or Atom feed.",
        ),
    ],
)
def test_what_the_first_bytes_show_cannot_be_imported(editor_client, home, path, message):
    section = SectionFactory(parent=home, title="Archive", slug="archive")
    response = check(editor_client, upload=upload(path), section=section.pk)
    assert response.status_code == 200
    (error,) = errors_of(response)
    assert error.startswith(message)
    assert f'<option value="{section.pk}" selected>' in response.text
    assert ImportRun.objects.count() == 0


@pytest.mark.parametrize(
    "url",
    ["ftp://example.org/export.xml", "file:///etc/passwd", "javascript:alert(1)", "gopher://x"],
)
def test_an_address_that_is_not_http(editor_client, url):
    response = check(editor_client, url=url)
    assert response.status_code == 200
    assert errors_of(response) == ["Only http:// and https:// addresses can be fetched."]
    assert ImportRun.objects.count() == 0


def test_an_address_that_is_not_one(editor_client):
    response = check(editor_client, url="https://exa mple..org")
    assert errors_of(response) == ["This is not a web address the server can fetch."]


@pytest.mark.parametrize(
    ("path", "reason"),
    [
        (HOSTILE / "malformed.xml", "malformed XML at line 5"),
        (HOSTILE / "entity-bomb.xml", "refused: the file declares a DTD or entities"),
        (HOSTILE / "external-entity.xml", "refused: the file declares a DTD or entities"),
    ],
)
def test_what_the_check_cannot_read_comes_back_on_the_form(editor_client, home, path, reason):
    author = AuthorFactory(name="Desk Staff")
    pages_before = Page.objects.count()
    response = check(editor_client, upload=upload(path), default_author=author.pk)
    assert response.status_code == 200
    (error,) = errors_of(response)
    assert error.startswith(f"{path.name}: {reason}")
    assert f'<option value="{author.pk}" selected>' in response.text
    run = ImportRun.objects.get()
    assert run.status == ImportRun.Status.REFUSED
    assert Page.objects.count() == pages_before
    assert not (Path(settings.GAZETTE_IMPORT_DIR) / run.upload).exists()  # not kept


def test_an_address_that_does_not_answer_comes_back_on_the_form(editor_client, home, server):  # noqa: F811
    url = f"{server.base}/gone.xml"
    response = check(editor_client, url=url)
    assert response.status_code == 200
    assert errors_of(response) == [f"{url}: the server answered 404"]
    assert f'value="{url}"' in response.text


def test_a_refused_run_checked_by_a_worker_offers_its_options_back(editor_client, home):
    author = AuthorFactory(name="Night Desk")
    run = ImportRun.objects.create(
        source_name="https://example.org/x.xml",
        source_url="https://example.org/x.xml",
        default_author=author,
        status=ImportRun.Status.REFUSED,
        message="the server answered 500",
    )
    page = editor_client.get(reverse("importers_run", args=[run.pk]))
    assert "the server answered 500" in page.text
    again = editor_client.get(f"{NEW}?from={run.pk}")
    assert (
        "This source could not be imported. https://example.org/x.xml: the server answered 500"
        in again.text
    )
    assert 'value="https://example.org/x.xml"' in again.text
    assert f'<option value="{author.pk}" selected>' in again.text


# --- the check writes nothing; the import writes each article once -----------------------------


def _footprint() -> dict[str, int]:
    counted = [Page, Revision, PageLogEntry, Author, CustomImage, Redirect, Comment, Tag]
    return {model.__name__: model.objects.count() for model in counted}


def _media_files() -> list[Path]:
    return sorted(path for path in Path(settings.MEDIA_ROOT).rglob("*") if path.is_file())


@pytest.fixture
def checked(editor_client, home):
    before, media_before = _footprint(), _media_files()
    response = check(editor_client, upload=upload(VALLEY))
    run = ImportRun.objects.get()
    return response, run, before, media_before


def test_the_check_writes_nothing_and_shows_what_would_happen(editor_client, checked):
    response, run, before, media_before = checked
    assert response.status_code == 302
    assert response["Location"] == reverse("importers_run", args=[run.pk])
    assert _footprint() == before
    assert _media_files() == media_before
    assert run.status == ImportRun.Status.CHECKED
    assert run.check_counts == {
        "created": 3, "updated": 0, "unchanged": 0, "skipped": 2, "failed": 0
    }  # fmt: skip
    page = editor_client.get(response["Location"]).text
    assert "<strong>3</strong> would be created" in page
    assert "<strong>2</strong> skipped" in page
    assert "Orchard growers count the cost of the late frost" in page
    assert "Żurek and apple cake: the harvest fair&#x27;s winners" in page
    assert "shortcode [gallery] dropped" in page
    assert "a page, not a post" in page
    assert "in the trash" in page
    assert 'http-equiv="refresh"' not in page
    assert ">Import</button>" in page


def test_the_upload_is_kept_in_the_private_folder_not_under_media(checked):
    _, run, _, _ = checked
    kept = Path(settings.GAZETTE_IMPORT_DIR) / run.upload
    assert kept.read_bytes() == VALLEY.read_bytes()
    assert Path(settings.MEDIA_ROOT) not in kept.parents
    assert run.source_name == "valley-post.xml"
    assert run.check_report[0]["source"] == "valley-post.xml"  # not the private path


def test_the_import_creates_the_articles_and_reports_them_with_links(editor_client, checked):
    _, run, _, _ = checked
    response = editor_client.post(reverse("importers_start_import", args=[run.pk]))
    assert response.status_code == 302
    run.refresh_from_db()
    assert run.status == ImportRun.Status.FINISHED
    assert run.counts == {"created": 3, "updated": 0, "unchanged": 0, "skipped": 2, "failed": 0}
    assert run.items_done == 5
    assert run.finished_at is not None
    frost = ArticlePage.objects.get(source_key="https://valleypost.example.org/?p=501")
    assert frost.live
    draft = ArticlePage.objects.get(source_key="https://valleypost.example.org/?p=502")
    assert not draft.live
    assert [item["article_id"] for item in run.report[:3]] == [
        frost.pk,
        draft.pk,
        ArticlePage.objects.get(source_key="https://valleypost.example.org/?p=503").pk,
    ]
    page = editor_client.get(reverse("importers_run", args=[run.pk])).text
    assert "<strong>3</strong> created" in page
    assert f'href="{reverse("wagtailadmin_pages:edit", args=[frost.pk])}"' in page
    assert f'href="{frost.url}">View live' in page
    # A draft has no live page to link to.
    assert f'href="{draft.url}">View live' not in page
    assert editor_client.get(frost.url).status_code == 200


def test_importing_again_changes_nothing_and_a_run_is_imported_once(editor_client, checked):
    _, run, _, _ = checked
    editor_client.post(reverse("importers_start_import", args=[run.pk]))
    revisions = Revision.objects.count()
    # The same run again: it is not waiting to be imported any more.
    editor_client.post(reverse("importers_start_import", args=[run.pk]))
    assert Revision.objects.count() == revisions
    # A new run of the same file: every article unchanged.
    check(editor_client, upload=upload(VALLEY))
    second = ImportRun.objects.order_by("-pk").first()
    editor_client.post(reverse("importers_start_import", args=[second.pk]))
    second.refresh_from_db()
    assert second.counts["unchanged"] == 3
    assert Revision.objects.count() == revisions


def test_section_and_default_author_are_applied(editor_client, home):
    section = SectionFactory(parent=home, title="Archive", slug="archive")
    author = AuthorFactory(name="Wire Desk")
    check(editor_client, upload=upload(FEED), section=section.pk, default_author=author.pk)
    run = ImportRun.objects.get()
    assert run.status == ImportRun.Status.CHECKED, run.message
    editor_client.post(reverse("importers_start_import", args=[run.pk]))
    run.refresh_from_db()
    assert run.status == ImportRun.Status.FINISHED
    ids = [item["article_id"] for item in run.report if item["article_id"]]
    imported = ArticlePage.objects.filter(pk__in=ids)
    assert imported.exists()
    assert {article.get_parent().pk for article in imported} == {section.pk}


def test_an_address_is_fetched_for_the_check_and_again_for_the_import(editor_client, home, server):  # noqa: F811
    server.routes["/export.xml"] = (200, {"Content-Type": "application/xml"}, VALLEY.read_bytes())
    response = check(editor_client, url=f"{server.base}/export.xml")
    run = ImportRun.objects.get()
    assert response.status_code == 302
    assert run.status == ImportRun.Status.CHECKED
    assert run.upload == ""
    editor_client.post(reverse("importers_start_import", args=[run.pk]))
    run.refresh_from_db()
    assert run.counts["created"] == 3


# --- progress, stalls, restarts -----------------------------------------------------------------


def test_progress_is_written_every_few_items_not_per_item(editor_client, checked, monkeypatch):
    _, run, _, _ = checked
    monkeypatch.setattr(import_runs, "ITEMS_PER_WRITE", 2)
    monkeypatch.setattr(import_runs, "SECONDS_PER_WRITE", 3600)
    seen = []
    original = import_runs._Recorder.write

    def write(recorder, **fields):
        original(recorder, **fields)
        row = ImportRun.objects.get(pk=recorder.run_id)
        seen.append((row.status, row.items_done, row.counts.get("created")))

    monkeypatch.setattr(import_runs._Recorder, "write", write)
    editor_client.post(reverse("importers_start_import", args=[run.pk]))
    assert seen == [
        ("importing", 2, 2),
        ("importing", 4, 3),
        ("finished", 5, 3),
    ]


def test_a_working_run_reloads_itself_and_shows_its_progress(editor_client, home):
    run = ImportRun.objects.create(
        source_name="big.xml",
        status=ImportRun.Status.IMPORTING,
        attempt=1,
        heartbeat_at=timezone.now(),
        progress_done=250,
        progress_total=1000,
        items_done=40,
        counts={"created": 38, "updated": 0, "unchanged": 0, "skipped": 2, "failed": 0},
    )
    page = editor_client.get(reverse("importers_run", args=[run.pk])).text
    assert '<meta http-equiv="refresh" content="3">' in page
    assert 'value="25"' in page
    assert "40 items done" in page
    assert "38 created" in page
    assert "Run it again" not in page


def test_a_working_run_reloads_without_reading_its_reports(editor_client, home):
    run = ImportRun.objects.create(
        source_name="big.xml",
        status=ImportRun.Status.IMPORTING,
        heartbeat_at=timezone.now(),
        check_report=[{"position": f"item {n}", "headline": "x" * 300} for n in range(2000)],
    )
    url = reverse("importers_run", args=[run.pk])
    editor_client.get(url)
    with CaptureQueriesContext(connection) as queries:
        editor_client.get(url)
    run_queries = [q["sql"] for q in queries if "importers_importrun" in q["sql"]]
    assert len(run_queries) == 1
    assert "check_report" not in run_queries[0]


def test_a_run_whose_worker_died_shows_as_stalled_and_runs_again(editor_client, checked):
    _, run, _, _ = checked
    long_ago = timezone.now() - timedelta(seconds=settings.GAZETTE_IMPORT_STALLED_AFTER + 60)
    # As a killed worker leaves it: importing, attempt taken, no word since.
    ImportRun.objects.filter(pk=run.pk).update(
        status=ImportRun.Status.IMPORTING, attempt=run.attempt + 1, heartbeat_at=long_ago
    )
    page = editor_client.get(reverse("importers_run", args=[run.pk])).text
    assert "Stalled" in page
    assert "http-equiv" not in page
    assert "Run it again" in page
    assert "Stalled (importing)" in editor_client.get(RUNS).text
    editor_client.post(reverse("importers_run_again", args=[run.pk]))
    run.refresh_from_db()
    assert run.status == ImportRun.Status.FINISHED
    assert run.counts["created"] == 3


def test_an_older_execution_stops_when_a_newer_one_took_the_run(checked):
    _, run, _, _ = checked
    ImportRun.objects.filter(pk=run.pk).update(status=ImportRun.Status.IMPORTING, attempt=7)
    stale = import_runs._Recorder(run.pk, attempt=6)
    with pytest.raises(import_runs.Superseded):
        stale.write()
    run.refresh_from_db()
    assert (run.status, run.attempt) == (ImportRun.Status.IMPORTING, 7)


def test_a_task_for_a_finished_run_does_nothing(editor_client, checked):
    _, run, _, _ = checked
    editor_client.post(reverse("importers_start_import", args=[run.pk]))
    revisions = Revision.objects.count()
    assert import_runs.execute_step(run.pk) == ImportRun.Status.FINISHED
    assert Revision.objects.count() == revisions


def test_an_error_in_the_step_stops_the_run_with_its_reason(editor_client, checked, monkeypatch):
    _, run, _, _ = checked

    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(import_runs, "import_sources", broken)
    editor_client.post(reverse("importers_start_import", args=[run.pk]))
    run.refresh_from_db()
    assert run.status == ImportRun.Status.FAILED
    assert run.message == "RuntimeError: disk full"
    page = editor_client.get(reverse("importers_run", args=[run.pk])).text
    assert "The work stopped: RuntimeError: disk full" in page
    assert "Run it again" in page


# --- the list of past runs ------------------------------------------------------------------------


def _runs(count: int, user) -> None:
    for number in range(count):
        ImportRun.objects.create(
            source_name=f"export-{number}.xml",
            created_by=user,
            status=ImportRun.Status.FINISHED,
            report=[{"position": "item", "headline": "x" * 200}] * 50,
        )


def test_the_list_of_runs_makes_a_fixed_number_of_queries(editor_client, django_user_model):
    user = django_user_model.objects.get(username="editor")
    other = django_user_model.objects.create_user("archivist", "a@example.org", "pw")
    _runs(2, user)
    editor_client.get(RUNS)  # the session and the admin's settings read once
    with CaptureQueriesContext(connection) as few:
        assert editor_client.get(RUNS).status_code == 200
    _runs(6, other)
    with CaptureQueriesContext(connection) as many:
        page = editor_client.get(RUNS).text
    assert len(many) == len(few)
    assert page.count("export-") == 8
    assert "archivist" in page


def test_progress_without_items_still_writes_a_heartbeat(home, monkeypatch):
    """A large export's reading between items (its bytes) keeps the run from looking stalled."""
    monkeypatch.setattr(import_runs, "SECONDS_PER_WRITE", 0)
    long_ago = timezone.now() - timedelta(hours=1)
    run = ImportRun.objects.create(
        source_name="big.xml", status=ImportRun.Status.IMPORTING, attempt=3, heartbeat_at=long_ago
    )
    recorder = import_runs._Recorder(run.pk, attempt=3)
    with recorder.progress_for("big.xml", "B") as on_progress:
        on_progress(4096, 10_000)
    run.refresh_from_db()
    assert (run.progress_done, run.progress_total, run.progress_percent) == (4096, 10_000, 41)
    assert run.heartbeat_at > long_ago
    assert not run.is_stalled()
