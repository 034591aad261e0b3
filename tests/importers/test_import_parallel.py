"""A WordPress export imported by several worker processes (``import_articles --jobs``, on
PostgreSQL) ends as the same export imported by one: the same articles at the same addresses
and tree paths, the same authors, tags, pictures, redirects and comments, a tree treebeard
finds sound; a failing item fails alone and the run exits 1; a rerun changes nothing. On
SQLite the run is serial, and says so when more jobs were asked."""

from __future__ import annotations

import re
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection, transaction
from taggit.models import Tag
from wagtail.contrib.redirects.models import Redirect
from wagtail.models import Collection, Locale, Page, PageLogEntry

from bench.wxr_export import write_wxr
from gazette.comments.models import Comment
from gazette.images.models import CustomImage
from gazette.importers import upsert
from gazette.importers.run import import_sources
from gazette.importers.upsert import ImportOptions
from gazette.news.models import ArticlePage, SectionPage
from gazette.people.models import Author

# Workers are other processes with their own connections: they see committed rows only.
pytestmark = pytest.mark.django_db(transaction=True)
on_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="parallel runs are PostgreSQL's"
)
POSTS = 24
SAME_SLUG = "the-same-story"
SHARED_OLD_ADDRESS = "https://generated.example.com/shared/old/"
TWICE = "https://generated.example.com/?p=4"  # post 2, again at the end with a new title


@pytest.fixture(autouse=True)
def wagtail_tree_roots(transactional_db):
    """A transactional test's flush takes the rows Wagtail's migrations made: put back."""
    from django.conf import settings

    Locale.objects.get_or_create(language_code=settings.LANGUAGE_CODE.split("-")[0])
    if not Collection.get_first_root_node():
        Collection.add_root(name="Root")
    if not Page.get_first_root_node():
        Page.add_root(instance=Page(title="Root", slug="root", live=True))


def _export(path):
    """The generated export, with what makes items of one run depend on each other: every
    third post asks for one slug, tags that differ in case only, a picture five posts show,
    an old address three posts had, and one post twice (the second time retitled)."""
    write_wxr(path, posts=POSTS)
    head, *items = path.read_text().split("<item>")
    changed = []
    for item in items:
        if found := re.search(r"\?p=(\d+)</guid>", item):
            number = int(found[1]) // 2
            if number % 3 == 0:
                item = re.sub(r"(<wp:post_name><!\[CDATA\[)[^\]]*", rf"\g<1>{SAME_SLUG}", item)
            tag = "Harbour" if number % 2 else "harbour"
            item = re.sub(r'(nicename="t"><!\[CDATA\[)[^\]]*', rf"\g<1>{tag}", item)
            if number % 5 == 0:
                item = item.replace(f"/p{number}.jpg", "/p1.jpg")
            if number % 7 == 0:
                item = re.sub(r"<link>[^<]*</link>", f"<link>{SHARED_OLD_ADDRESS}</link>", item)
        changed.append(item)
    again = next(item for item in changed if f"{TWICE}</guid>" in item).split("</item>")[0]
    again = re.sub(
        r"<title><!\[CDATA\[[^\]]*", "<title><![CDATA[Retitled on its second showing", again
    )
    text = "<item>".join([head, *changed]).replace(
        "</channel>", f"<item>{again}</item>\n</channel>"
    )
    path.write_text(text)
    return path


def _run(path, *, jobs):
    return import_sources([str(path)], options=ImportOptions(), jobs=jobs)


def _end_state() -> dict:
    """What a run left, by source key and name (ids differ from run to run)."""
    articles = {}
    for article in ArticlePage.objects.order_by("source_key"):
        articles[article.source_key] = (
            article.title,
            article.slug,
            article.url_path,
            article.path,
            article.live,
            article.first_published_at,
            article.last_published_at,
            [author.name for author in article.authors],
            sorted(tag.name for tag in article.tags.all()),
            article.lead_image.title if article.lead_image else None,
            article.revisions.count(),
            [entry.action for entry in PageLogEntry.objects.filter(page=article).order_by("pk")],
            sorted(comment.text for comment in Comment.objects.filter(article=article)),
        )
    return {
        "articles": articles,
        "sections": sorted(SectionPage.objects.values_list("title", "path", "numchild")),
        "authors": sorted(Author.objects.values_list("name", "slug", "archive_email")),
        "tags": sorted(Tag.objects.values_list("name", flat=True)),
        "images": sorted(CustomImage.objects.values_list("title", flat=True)),
        "redirects": sorted(
            (row.old_path, row.redirect_page.specific.source_key)
            for row in Redirect.objects.select_related("redirect_page")
        ),
        "comments": Comment.objects.count(),
    }


class _Undo(Exception):
    pass


def _tree_problems() -> list:
    return [problem for problem in Page.find_problems() if problem]


@on_postgresql
def test_a_parallel_run_ends_as_a_serial_run(home, tmp_path):
    export = _export(tmp_path / "export.xml")
    try:
        with transaction.atomic():
            serial = _run(export, jobs=1)
            one_process = _end_state()
            raise _Undo
    except _Undo:
        pass
    assert not ArticlePage.objects.exists()

    parallel = _run(export, jobs=2)
    assert parallel.counts == serial.counts == {
        "created": POSTS, "updated": 1, "unchanged": 0, "skipped": 0, "failed": 0,
    }  # fmt: skip
    two_processes = _end_state()
    assert two_processes == one_process
    assert not _tree_problems()
    # What the export's shared parts came to, the same in both runs.
    # Eight posts ask for one slug: numbered within each section, every address its own.
    articles = two_processes["articles"].values()
    addresses = [url_path for _, _, url_path, *_ in articles]
    assert len(set(addresses)) == len(addresses) == POSTS
    assert f"{SAME_SLUG}-2" in {slug for _, slug, *_ in articles}
    assert two_processes["tags"] == ["Harbour"]  # as the first post spelt it
    assert (
        two_processes["images"].count(
            "Placeholder: https://generated.example.com/wp-content/uploads/2024/01/p1.jpg"
        )
        == 1
    )
    assert [path for path, _ in two_processes["redirects"]].count("/shared/old") == 1
    assert two_processes["articles"][TWICE][0] == "Retitled on its second showing"

    # The rerun, too, ends as a serial rerun (this export is not a fixed point: the post given
    # twice is retitled back and forth, and pictures shared by posts take each's caption).
    try:
        with transaction.atomic():
            serial_rerun = _run(export, jobs=1)
            after_serial_rerun = _end_state()
            raise _Undo
    except _Undo:
        pass
    rerun = _run(export, jobs=2)
    assert rerun.counts == serial_rerun.counts and not rerun.failed
    assert rerun.counts["created"] == 0
    assert _end_state() == after_serial_rerun
    assert not _tree_problems()


@on_postgresql
def test_a_failing_item_fails_alone_and_the_run_exits_1(home, tmp_path, monkeypatch):
    export = write_wxr(tmp_path / "export.xml", posts=8)
    broken = "https://generated.example.com/?p=10"
    comments = upsert._comments

    def failing(article, item):
        if item.source_key == broken:
            raise ValueError("a comment the database refuses")
        comments(article, item)

    monkeypatch.setattr(upsert, "_comments", failing)  # the workers are forked with it
    err = StringIO()
    with pytest.raises(SystemExit) as exit_status:
        call_command(
            "import_articles", str(export), "--jobs", "2", "--no-progress", "--report",
            str(tmp_path / "report.json"), stdout=StringIO(), stderr=err,
        )  # fmt: skip
    assert exit_status.value.code == 1
    assert "failed: ValueError: a comment the database refuses" in err.getvalue()
    assert ArticlePage.objects.count() == 7
    assert not ArticlePage.objects.filter(source_key=broken).exists()
    assert not _tree_problems()
    import json

    report = json.loads((tmp_path / "report.json").read_text())
    posts = [item for item in report if item["status"] != "skipped"]
    # In the export's order, whichever worker finished first.
    assert [item["source_key"] for item in posts] == [
        f"https://generated.example.com/?p={2 * n}" for n in range(1, 9)
    ]
    assert [item["status"] for item in posts] == ["created"] * 4 + ["failed"] + ["created"] * 3

    monkeypatch.undo()
    call_command("import_articles", str(export), "--jobs", "2", "--no-progress", stdout=StringIO())
    assert ArticlePage.objects.count() == 8
    assert not _tree_problems()


@pytest.mark.skipif(connection.vendor == "postgresql", reason="SQLite's one writer")
def test_sqlite_runs_serially_and_says_so(home, tmp_path):
    export = write_wxr(tmp_path / "export.xml", posts=2)
    err = StringIO()
    call_command("import_articles", str(export), "--jobs", "2", "--no-progress",
                 stdout=StringIO(), stderr=err)  # fmt: skip
    assert "--jobs 2: sqlite takes one writer at a time, so the import runs in one process" in (
        err.getvalue()
    )
    assert ArticlePage.objects.count() == 2


@on_postgresql
def test_a_worker_that_dies_fails_its_items_and_the_others_go_on(home, tmp_path, monkeypatch):
    import os

    export = write_wxr(tmp_path / "export.xml", posts=6)
    fatal = "https://generated.example.com/?p=6"
    comments = upsert._comments

    def dying(article, item):
        if item.source_key == fatal:
            os._exit(3)  # the worker process dies mid-item: its transaction never commits
        comments(article, item)

    monkeypatch.setattr(upsert, "_comments", dying)
    summary = _run(export, jobs=2)
    assert summary.failed
    _assert_only_the_lost_workers_items_failed(summary, fatal, items=6)


@on_postgresql
def test_a_stuck_worker_is_stopped_and_fails_its_items_and_the_others_go_on(
    home, tmp_path, monkeypatch
):
    import time

    from gazette.importers import parallel

    export = write_wxr(tmp_path / "export.xml", posts=6)
    stuck = "https://generated.example.com/?p=6"
    comments = upsert._comments

    def hanging(article, item):
        if item.source_key == stuck:
            time.sleep(3600)  # waits for something that never comes
        comments(article, item)

    monkeypatch.setattr(upsert, "_comments", hanging)
    monkeypatch.setattr(parallel, "ITEM_TIMEOUT", 10.0)
    reports = []
    summary = import_sources([str(export)], options=ImportOptions(), jobs=2, on_item=reports.append)
    failed = [report for report in reports if report.status == "failed"]
    assert stuck in [report.source_key for report in failed]
    assert all("no answer from its worker process in 10 s" in report.reason for report in failed)
    _assert_only_the_lost_workers_items_failed(summary, stuck, items=6)


def _assert_only_the_lost_workers_items_failed(summary, lost_key: str, *, items: int) -> None:
    """The lost worker's item, and at most the one it held waiting, are failed; the rest done."""
    assert not ArticlePage.objects.filter(source_key=lost_key).exists()
    assert summary.counts["created"] + summary.counts["failed"] == items
    assert summary.counts["created"] >= items - 2
    assert ArticlePage.objects.count() == summary.counts["created"]
    assert not _tree_problems()


@on_postgresql
def test_a_worker_never_uses_a_connection_the_parent_had_open(home):
    """The parent's own session, open at the fork, is neither used nor ended by a worker:
    the worker gets a session of its own, and the parent's is still there afterwards."""
    from multiprocessing import get_context

    from gazette.importers import parallel

    def backend_pid() -> int:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            return cursor.fetchone()[0]

    parents = backend_pid()  # open, as another thread's connection would be at a fork
    context = get_context("fork")
    ours, theirs = context.Pipe()

    def child() -> None:
        from django.db import connections

        parallel._forget_inherited_connections()
        theirs.send(backend_pid())
        connections.close_all()

    process = context.Process(target=child, daemon=True)
    process.start()
    assert ours.poll(60), "the worker did not answer"
    workers = ours.recv()
    process.join(60)
    assert process.exitcode == 0
    assert workers != parents
    assert backend_pid() == parents  # the parent's session outlived the worker's exit
