"""Each framework internal Gazette leans on (gazette.core.compat) still behaves as assumed.
A failure here names the assumption an upgrade broke: fix compat.py, not its callers."""

import json

import pytest
from django.db import connection, transaction
from django.db.models.signals import post_save

from gazette.core import compat
from gazette.news.models import ArticlePage, SectionPage
from gazette.news.queries import ParentPath
from tests.factories import ArticleFactory, SectionFactory

pytestmark = pytest.mark.django_db


def test_treebeard_reads_a_cached_parent_without_a_query(home, django_assert_num_queries):
    section = SectionFactory(parent=home)
    article = ArticlePage.objects.get(pk=ArticleFactory(parent=section).pk)
    compat.set_cached_parent(article, section)
    with django_assert_num_queries(0):
        assert article.get_parent() is section, "treebeard no longer reads _cached_parent_obj"


def test_wagtail_paths_grow_by_the_step_compat_assumes(home):
    section = SectionFactory(parent=home)
    assert SectionPage.steplen == compat.PAGE_PATH_STEP
    assert len(section.path) - len(home.path) == compat.PAGE_PATH_STEP


def test_the_listing_index_is_keyed_on_the_parent_path_expression(home):
    section = SectionFactory(parent=home)
    article = ArticleFactory(parent=section)
    found = ArticlePage.objects.alias(parent=ParentPath("path")).filter(parent=section.path)
    assert list(found) == [article]
    index = "gazette_page_live_parent_newest_idx"
    if connection.vendor == "sqlite":
        sql = f"SELECT sql FROM sqlite_master WHERE name = '{index}'"  # noqa: S608
    else:
        sql = f"SELECT indexdef FROM pg_indexes WHERE indexname = '{index}'"  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(sql)
        definition = cursor.fetchone()[0]

    def bare(text: str) -> str:  # PostgreSQL writes it back with casts and parentheses
        text = text.lower().replace("::text", "")
        return "".join(char for char in text if char not in ' "()')

    assert bare(compat.PARENT_PATH_SQL) in bare(definition), (
        f"the listing index no longer uses {compat.PARENT_PATH_SQL}: {definition}"
    )


def test_on_commit_once_reads_django_s_pending_callbacks(django_capture_on_commit_callbacks):
    calls = []

    def callback():
        calls.append(1)

    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        for _ in range(3):
            compat.on_commit_once(callback)
        pending = transaction.get_connection().run_on_commit
        assert all(len(entry) == 3 and callable(entry[1]) for entry in pending), (
            "Django's run_on_commit entries are no longer (savepoints, callback, robust)"
        )
    assert calls == [1]


def test_site_search_recognises_the_configured_backend():
    backend = compat.search_backend()
    assert compat.uses_sqlite_full_text(backend) == (connection.vendor == "sqlite"), backend


def test_modelsearch_index_tables_exist_with_the_columns_site_search_reads():
    entries, content_types = compat.search_index_entries(ArticlePage)
    assert content_types, "no content type for ArticlePage in modelsearch's index"
    with connection.cursor() as cursor:
        columns = {
            column.name
            for column in connection.introspection.get_table_description(cursor, entries)
        }
        assert {"id", "content_type_id", "object_id"} <= columns, columns
        if connection.vendor == "sqlite":
            fts = compat.sqlite_full_text_table()
            cursor.execute(f"SELECT rowid, title, body FROM {fts} LIMIT 1")  # noqa: S608


def test_post_save_of_a_page_carries_update_fields(home):
    """news.lifecycle passes update_fields on to search: Django must still send it."""
    seen = []

    def spy(sender, instance, update_fields=None, **kwargs):
        seen.append(update_fields)

    post_save.connect(spy, sender=SectionPage, dispatch_uid="test-compat-spy")
    try:
        section = SectionFactory(parent=home)
        section.save(update_fields=["title"])
    finally:
        post_save.disconnect(dispatch_uid="test-compat-spy", sender=SectionPage)
    assert frozenset({"title"}) in [frozenset(f) for f in seen if f is not None]


def test_wagtail_reads_the_admin_time_zone_from_the_profile(django_user_model):
    """compat.default_admin_time_zone replaces the profile's get_current_time_zone, and
    ask_admin_profile gives a user without a profile one: both hold only while Wagtail's
    admin takes the zone from ``user.wagtail_userprofile.get_current_time_zone()``."""
    import inspect

    from wagtail.admin import localization
    from wagtail.users.models import UserProfile

    assert "wagtail_userprofile.get_current_time_zone()" in inspect.getsource(localization), (
        "Wagtail's admin no longer reads the zone from the profile's get_current_time_zone"
    )
    assert {"current_time_zone"} <= {field.name for field in UserProfile._meta.fields}
    user = django_user_model.objects.create(username="no-profile")
    compat.ask_admin_profile(user)
    assert user.wagtail_userprofile.pk is None
    chosen = UserProfile(user=user, current_time_zone="Asia/Seoul")
    assert chosen.get_current_time_zone() == "Asia/Seoul"
    assert user.wagtail_userprofile.get_current_time_zone()  # the newsroom's, not empty


def test_wagtail_reads_a_remembered_site_from_the_request(home, rf, django_assert_num_queries):
    from wagtail.models import Site

    site = Site.objects.get(is_default_site=True)
    request = rf.get("/")
    compat.remember_site(request, site)
    with django_assert_num_queries(0):
        found = Site.find_for_request(request)
    assert found is site, "Wagtail no longer reads request._wagtail_site"
    assert compat.remembered_site(request) is site


def test_wagtail_reads_the_root_paths_a_kept_page_lends_the_request(home, rf, monkeypatch):
    import pickle

    from wagtail.models import Site

    article = ArticleFactory(parent=SectionFactory(parent=home))
    compat.keep_site_root_paths(article)
    kept = pickle.loads(pickle.dumps(article))  # noqa: S301 - our own bytes, as the cache keeps it
    request = rf.get("/")

    def not_again():
        raise AssertionError("read the site root paths again")

    monkeypatch.setattr(Site, "get_site_root_paths", not_again)
    compat.lend_site_root_paths(kept, request)
    assert kept.get_full_url(request) == article.full_url, (
        "Wagtail no longer reads request._wagtail_cached_site_root_paths"
    )


def test_wagtail_serves_a_remembered_route_without_walking_the_tree(home, rf):
    from wagtail.models import Page

    section = SectionFactory(parent=home)
    article = ArticleFactory(parent=section)
    request = rf.get("/not/where/the/article/is/")
    assert not compat.route_is_known(request)
    compat.remember_route(request, article)
    assert compat.route_is_known(request)
    found, *_ = Page.route_for_request(request, "/not/where/the/article/is/")
    assert found is article, "Wagtail no longer reads request._wagtail_route_for_request"


def test_pages_settings_panels_hold_wagtails_publishing_panel_as_compat_finds_it():
    from wagtail.admin.panels import PublishingPanel
    from wagtail.models import Page

    found = [panel for panel in Page.settings_panels if compat.is_publishing_panel(panel)]
    assert len(found) == 1, "Page.settings_panels no longer holds the publishing panel"
    assert compat.is_publishing_panel(PublishingPanel())
    assert not compat.is_publishing_panel(Page.settings_panels[-1])


def test_wagtails_date_time_input_template_is_still_the_one_core_copied():
    """core's wagtailadmin/widgets/datetime_input.html copies Wagtail's (which has no block to
    extend) and adds the zone: Wagtail's must still read as copied."""
    from pathlib import Path

    import wagtail.admin

    from gazette import core

    name = Path("templates/wagtailadmin/widgets/datetime_input.html")
    wagtails = (Path(wagtail.admin.__file__).parent / name).read_text().strip()
    ours = (Path(core.__file__).parent / name).read_text()
    assert wagtails in ours, "Wagtail's date-time input template changed: copy it again"


def _new_draft(section, slug: str) -> ArticlePage:
    article = ArticlePage(title=f"Story {slug}", slug=slug, live=False)
    section.add_child(instance=article)
    article.standfirst = "What happened."
    article.body = [("paragraph", "<p>Words.</p>")]
    return article


def _as_published(article: ArticlePage) -> tuple:
    from wagtail.models import PageLogEntry

    row = ArticlePage.objects.get(pk=article.pk)
    actions = list(
        PageLogEntry.objects.filter(page=row).order_by("pk").values_list("action", flat=True)
    )
    return (
        row.live,
        row.has_unpublished_changes,
        row.live_revision_id == row.latest_revision_id,
        row.first_published_at is not None,
        row.standfirst,
        row.body.get_prep_value()[0]["value"],
        row.url_path.rsplit("/", 2)[0],
        actions,
    )


def test_wagtail_publishes_a_revision_from_its_as_object_only(home):
    """compat.publish_saved_revision hands Wagtail's publish action the saved instance through
    ``revision.as_object``: the page ends as ``revision.publish()`` leaves it."""
    section = SectionFactory(parent=home)
    by_wagtail = _new_draft(section, "by-wagtail")
    by_wagtail.save_revision(log_action=True).publish()
    by_compat = _new_draft(section, "by-compat")
    revision = by_compat.save_revision(log_action=True)
    compat.publish_saved_revision(by_compat, revision)
    # The action published the instance it was handed, not a copy rebuilt from the JSON.
    assert by_compat.live and by_compat.live_revision_id == revision.pk, (
        "Wagtail's publish no longer takes the page from revision.as_object()"
    )
    assert "as_object" not in vars(revision)
    assert _as_published(by_compat) == _as_published(by_wagtail)


def test_a_live_child_written_once_ends_as_wagtails_three_saves_leave_it(home):
    """compat.add_live_child leaves a new page as add_child, save_revision(log_action=True)
    and publish do: the same row, revision and log entries, and page_published sent."""
    from wagtail.models import PageLogEntry
    from wagtail.signals import page_published

    section = SectionFactory(parent=home)
    by_wagtail = _new_draft(section, "by-wagtail")
    by_wagtail.save_revision(log_action=True).publish()
    published = []
    page_published.connect(
        lambda sender, instance, revision, **kw: published.append((instance.pk, revision.pk)),
        weak=False,
        dispatch_uid="test-live-child",
    )
    try:
        by_compat = ArticlePage(title="Story by-compat", slug="by-compat")
        by_compat.standfirst = "What happened."
        by_compat.body = [("paragraph", "<p>Words.</p>")]
        revision = compat.add_live_child(section, by_compat)
    finally:
        page_published.disconnect(dispatch_uid="test-live-child")
    assert published == [(by_compat.pk, revision.pk)]
    assert _as_published(by_compat) == _as_published(by_wagtail)
    fields = ("action", "label", "content_type_id", "user_id", "content_changed", "data")

    def entries(page):
        rows = PageLogEntry.objects.filter(page=page).order_by("pk")
        return [
            (*row[:-1], row[-1] == page.latest_revision_id)
            for row in rows.values_list(*fields, "revision_id")
        ]

    wagtail_entries = entries(ArticlePage.objects.get(pk=by_wagtail.pk))
    compat_entries = entries(ArticlePage.objects.get(pk=by_compat.pk))
    assert compat_entries == [
        (action, label.replace("by-wagtail", "by-compat"), *rest)
        for action, label, *rest in wagtail_entries
    ]
    row = ArticlePage.objects.get(pk=by_compat.pk)
    assert row.revisions.count() == 1 and row.draft_title == row.title and not row.expired
    assert row.latest_revision.as_object().title == row.title


def _index_tasks(monkeypatch) -> list[tuple[str, str, str]]:
    """The search and reference index tasks queued, by (index, model, pk)."""
    from django_tasks.base import Task

    kinds = {"insert_or_update_object_task": "search", "update_reference_index_task": "references"}
    queued = []
    run = Task.enqueue

    def enqueue(task, *args, **kwargs):
        if task.func.__name__ in kinds:
            queued.append((kinds[task.func.__name__], args[1], str(args[2])))
        return run(task, *args, **kwargs)

    monkeypatch.setattr(Task, "enqueue", enqueue)
    return queued


def test_a_batch_indexes_a_page_saved_three_times_once(home, monkeypatch):
    """compat.index_updates_batched holds back modelsearch's post-save receiver (through the
    gate it puts before it) and Wagtail's reference index receiver (through Wagtail's own
    switch), then queues the same tasks once per object saved."""
    section = SectionFactory(parent=home)
    queued = _index_tasks(monkeypatch)
    with transaction.atomic(), compat.index_updates_batched():
        page = section.add_child(instance=ArticlePage(title="Ferry timetable", slug="ferry"))
        page.save_revision(log_action=True).publish()
        assert queued == [], "a receiver queued an index task inside the batch"
    pk = str(page.pk)
    assert sorted(queued) == [("references", "articlepage", pk), ("search", "articlepage", pk)]
    from modelsearch.backends import get_search_backend

    found = get_search_backend().search("ferry", ArticlePage)
    assert [hit.pk for hit in found] == [page.pk]


def test_outside_a_batch_each_save_is_indexed_as_the_frameworks_do(home, monkeypatch):
    section = SectionFactory(parent=home)
    queued = _index_tasks(monkeypatch)
    with compat.index_updates_batched():
        pass  # the gate is in place from the first batch on
    page = section.add_child(instance=ArticlePage(title="Museum opens", slug="museum"))
    page.save_revision().publish()
    kinds = [kind for kind, model, pk in queued if model == "articlepage"]
    assert kinds.count("search") == 3 and kinds.count("references") == 3, (
        "modelsearch's post-save receiver is no longer connected per indexed model, or the "
        "gate stopped passing saves on"
    )


def test_a_batch_does_not_index_what_it_deleted(home, monkeypatch):
    """A byline saved then replaced in the batch (as an import that rewrites a story's authors
    does) gets no index task: the task would look the deleted row up and fail."""
    from gazette.news.models import ArticleAuthor
    from tests.factories import AuthorFactory

    section = SectionFactory(parent=home)
    queued = _index_tasks(monkeypatch)
    with transaction.atomic(), compat.index_updates_batched():
        page = section.add_child(instance=ArticlePage(title="Harbour", slug="harbour"))
        first = ArticleAuthor.objects.create(article=page, author=AuthorFactory(name="Min-jun"))
        first_pk = str(first.pk)
        ArticleAuthor.objects.filter(pk=first.pk).delete()  # as modelcluster drops old rows
        kept = ArticleAuthor.objects.create(article=page, author=AuthorFactory(name="Layla"))
    bylines = sorted(pk for kind, model, pk in queued if model == "articleauthor")
    assert first_pk not in bylines
    assert str(kept.pk) in bylines


def test_a_batch_that_raises_indexes_nothing(home, monkeypatch):
    section = SectionFactory(parent=home)
    queued = _index_tasks(monkeypatch)
    with pytest.raises(RuntimeError), transaction.atomic(), compat.index_updates_batched():
        section.add_child(instance=ArticlePage(title="Harbour", slug="harbour"))
        raise RuntimeError
    assert queued == []


def test_wagtail_finds_a_pages_translation_through_locale_get_active(home, monkeypatch):
    """compat.answer_active_locale_from answers ``Locale.get_active()`` from the cached ids:
    Wagtail must still reach the active locale through it (``Page.localized``), and the
    answer must be the stored locale, read without a query."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from wagtail.models import Locale

    stored = Locale.get_default()
    Locale.get_active()  # the ids cached
    with CaptureQueriesContext(connection) as queries:
        active = Locale.get_active()
    assert len(queries) == 0
    assert (active.pk, active.language_code) == (stored.pk, stored.language_code)

    asked = []
    answer = Locale.get_active

    def spy(cls):
        asked.append(cls)
        return answer()

    monkeypatch.setattr(Locale, "get_active", classmethod(spy))
    assert home.localized.pk == home.pk
    assert asked, "Page.localized no longer asks Locale.get_active()"


def test_a_live_child_written_once_keeps_its_children_and_serialises_them_from_memory(home):
    """The rows the caller set on a new page (authors, tags) are saved with it, and its
    revision holds what the page read back from the database would serialise, without
    reading any relation back."""
    from gazette.news.models import ArticleAuthor
    from gazette.people.models import Author

    section = SectionFactory(parent=home)
    writers = [Author.objects.create(name=name, slug=name.lower()) for name in ("Ana", "Ben")]
    article = ArticlePage(title="Story with bylines", slug="bylines")
    article.body = [("paragraph", "<p>Words.</p>")]
    article.article_authors = [
        ArticleAuthor(author=author, sort_order=index) for index, author in enumerate(writers)
    ]
    article.tags.set(["harbour", "ferry"])
    reads = []

    def no_relation_read_back(execute, sql, params, many, context):
        if sql.lstrip().upper().startswith("SELECT"):
            reads.append(sql)
        return execute(sql, params, many, context)

    # The index updates (which read the relations to index them) are an import's run's end.
    with (
        compat.index_updates_batched(defer_to=lambda updates: None),
        connection.execute_wrapper(no_relation_read_back),
    ):
        revision = compat.add_live_child(section, article)
    child_tables = (
        "news_articleauthor",
        "news_articlepagetag",
        "related_editorspick",
        "related_editorsexclusion",
        "corrections_articlenote",
        "wagtailcore_comment",
    )
    assert not [sql for sql in reads if any(f'FROM "{table}"' in sql for table in child_tables)]

    stored = ArticlePage.objects.get(pk=article.pk)
    assert [link.author.name for link in stored.article_authors.all()] == ["Ana", "Ben"]
    assert sorted(tag.name for tag in stored.tags.all()) == ["ferry", "harbour"]
    pointers = {"latest_revision", "live_revision", "latest_revision_created_at"}

    def comparable(data: dict) -> dict:
        # PostgreSQL's jsonb gives the body's keys back in its own order.
        return {
            k: json.loads(v) if k == "body" else v for k, v in data.items() if k not in pointers
        }

    read_back = comparable(stored.serializable_data())
    assert comparable(revision.content) == read_back
    assert read_back["article_authors"] and read_back["tagged_items"]


def test_a_node_added_to_the_tree_lands_where_treebeards_add_child_puts_it(home):
    """compat.add_to_tree places a page as treebeard's add_child does: the first child's path
    under a leaf, the next after the last child's, the parent's child count raised; the tree
    stays sound."""
    from wagtail.models import Page

    section = SectionFactory(parent=home)
    by_treebeard = section.add_child(instance=ArticlePage(title="One", slug="one"))
    # What treebeard would give the next child, asked before it is added.
    expected_path = Page.objects.get(pk=by_treebeard.pk)._inc_path()
    second = ArticlePage(title="Two", slug="two")
    compat.add_to_tree(section, second)
    assert second.path == expected_path and second.depth == by_treebeard.depth
    assert section.numchild == 2 and Page.objects.get(pk=section.pk).numchild == 2

    empty = SectionFactory(parent=home)
    first = ArticlePage(title="First", slug="first")
    compat.add_to_tree(empty, first)
    assert first.path == empty.path + "0001" and first.get_parent().pk == empty.pk
    assert list(empty.get_children().values_list("pk", flat=True)) == [first.pk]
    assert not any(Page.find_problems())


def test_djangos_extends_render_is_still_the_one_compat_copied():
    """compat.keep_root_template_blocks copies Django's ExtendsNode.render but for the root's
    blocks, found once per compiled template: a new Django's render must be copied again."""
    import hashlib
    import inspect

    source = inspect.getsource(compat.django_extends_render)
    assert hashlib.sha256(source.encode()).hexdigest() == (
        "a5faa7f78356ce8cb4a34ecf468287e525483678bd11a1ac3703eb7df7ff7d8a"
    ), "Django's ExtendsNode.render changed: compare it with compat.keep_root_template_blocks"


def test_extends_with_the_root_blocks_kept_renders_as_djangos_own(settings):
    from django.template import Context, Engine
    from django.template.loader_tags import ExtendsNode

    templates = {
        "root.html": "<t>{% block title %}Root{% endblock %}</t>{% block body %}R{% endblock %}"
        "{% block foot %}F{% endblock %}",
        "middle.html": "{% extends 'root.html' %}{% block body %}M[{{ block.super }}]"
        "{% block inner %}i{% endblock %}{% endblock %}",
        "page.html": "{% extends 'middle.html' %}{% block title %}{{ name }}{% endblock %}"
        "{% block inner %}I{{ block.super }}{% endblock %}",
        "other.html": "{% extends 'root.html' %}{% block foot %}{{ name }}!{% endblock %}",
    }
    loaders = [("django.template.loaders.locmem.Loader", templates)]
    engine = Engine(loaders=[("django.template.loaders.cached.Loader", loaders)])
    names = ["page.html", "other.html", "page.html", "other.html"]
    ours = [engine.get_template(name).render(Context({"name": "N"})) for name in names]
    assert compat._ROOT_BLOCKS in engine.get_template("root.html").__dict__  # kept, and used
    patched, ExtendsNode.render = ExtendsNode.render, compat.django_extends_render
    try:
        fresh = Engine(loaders=[("django.template.loaders.cached.Loader", loaders)])
        djangos = [fresh.get_template(name).render(Context({"name": "N"})) for name in names]
    finally:
        ExtendsNode.render = patched
    assert ours == djangos
    assert ours[0] == "<t>N</t>M[R]IiF"


def test_an_evaluated_none_answers_as_none_without_the_compiler(django_assert_num_queries):
    from django.db.models.sql.compiler import SQLCompiler
    from wagtail.models import PageViewRestriction

    empty = compat.evaluated_none(PageViewRestriction.objects.all())
    compiled = []
    original = SQLCompiler.as_sql
    SQLCompiler.as_sql = lambda self, *a, **k: compiled.append(self) or original(self, *a, **k)
    try:
        with django_assert_num_queries(0):
            assert list(empty) == [] and list(empty) == []
            assert not empty.exists() and empty.count() == 0 and not empty
    finally:
        SQLCompiler.as_sql = original
    assert not compiled
    with django_assert_num_queries(0):
        assert list(empty.filter(pk=1)) == [] and empty.filter(pk=1).count() == 0


def test_the_redis_client_decodes_every_entry_as_django_redis_does():
    """compat.RedisClient unpickles without django-redis's int() tried first: the same answer
    for whole numbers (stored bare), pickles of every protocol and what is neither."""
    import pickle

    from django_redis.client import DefaultClient

    params = {"OPTIONS": {}}
    ours = compat.RedisClient("redis://127.0.0.1:1/0", params, None)
    theirs = DefaultClient("redis://127.0.0.1:1/0", params, None)
    values = [b"1733580000000000000", b"-7", b" 42 ", 42]
    values += [
        pickle.dumps(entry, protocol=protocol)
        for entry in ((1733580000000000000, "<p>x</p>" * 30), 12, None, {"a": [1, 2]})
        for protocol in range(pickle.HIGHEST_PROTOCOL + 1)
    ]
    for value in values:
        assert ours.decode(value) == theirs.decode(value), value
    with pytest.raises(pickle.UnpicklingError):
        theirs.decode(b"not a pickle")
    with pytest.raises(pickle.UnpicklingError):
        ours.decode(b"not a pickle")


def test_the_redis_client_skips_the_int_attempt_only_for_a_pickle_kept_as_is(monkeypatch):
    import pickle

    from django_redis.client import DefaultClient

    tried = []
    monkeypatch.setattr(
        DefaultClient, "decode", lambda self, value: tried.append(value) or "django-redis's"
    )
    ours = compat.RedisClient("redis://127.0.0.1:1/0", {"OPTIONS": {}}, None)
    entry = pickle.dumps((1, "x"), protocol=5)
    assert ours.decode(entry) == (1, "x") and tried == []
    assert ours.decode(b"12") == "django-redis's" and tried == [b"12"]
    # A compressor other than the identity may change a pickle's bytes: django-redis decodes.
    zlib = {"OPTIONS": {"COMPRESSOR": "django_redis.compressors.zlib.ZlibCompressor"}}
    compressed = compat.RedisClient("redis://127.0.0.1:1/0", zlib, None)
    assert compressed.decode(entry) == "django-redis's" and tried == [b"12", entry]


def test_the_redis_client_parses_replies_and_packs_commands_in_c():
    """redis-py falls back to its pure-Python parser and packer, silently, when hiredis is
    missing: that cost 7.6% of an uncached article's instructions (docs/benchmarks.md)."""
    from redis._parsers import _HiredisParser
    from redis.connection import HiredisRespSerializer

    ours = compat.RedisClient("redis://127.0.0.1:1/0", {"OPTIONS": {}}, None)
    connection = ours.get_client(write=False).connection_pool.make_connection()
    assert isinstance(connection._parser, _HiredisParser)
    assert isinstance(connection._command_packer, HiredisRespSerializer)
