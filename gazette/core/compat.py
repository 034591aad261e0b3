"""Every place Gazette leans on a framework's internals, in one module.

Each function here relies on something Django, Wagtail, treebeard or modelsearch does not
promise; tests/core/test_compat.py checks each assumption and fails loudly, naming it, when
an upgrade breaks one. Nothing else in Gazette reaches into those internals.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django_redis.client import DefaultClient
from django_redis.compressors.identity import IdentityCompressor

# -- Django's template engine ------------------------------------------------------------------

_ROOT_BLOCKS = "_gazette_root_blocks"


def keep_root_template_blocks() -> None:
    """Make ``{% extends %}`` find the blocks of the template at the root of a chain once per
    compiled template, not on every render: Django walks the whole of base.html's node tree
    (``get_nodes_by_type(BlockNode)``) each time a page extending it renders, the same answer
    every time, since a compiled template does not change (the cached loader keeps it; a
    template loaded afresh is a new object with nothing kept). The rest is Django's
    ``ExtendsNode.render`` as it is (``tests/core/test_compat.py`` compares its source)."""
    from django.template.base import TextNode
    from django.template.loader_tags import (
        BLOCK_CONTEXT_KEY,
        BlockContext,
        BlockNode,
        ExtendsNode,
    )

    def root_blocks(compiled_parent) -> dict | None:
        """The parent's blocks when it is the root of the chain (extends nothing), else None."""
        for node in compiled_parent.nodelist:
            # The ExtendsNode has to be the first non-text node.
            if not isinstance(node, TextNode):
                if not isinstance(node, ExtendsNode):
                    return {
                        n.name: n for n in compiled_parent.nodelist.get_nodes_by_type(BlockNode)
                    }
                return None
        return None

    def render(self, context):
        compiled_parent = self.get_parent(context)
        if BLOCK_CONTEXT_KEY not in context.render_context:
            context.render_context[BLOCK_CONTEXT_KEY] = BlockContext()
        block_context = context.render_context[BLOCK_CONTEXT_KEY]
        block_context.add_blocks(self.blocks)
        kept = compiled_parent.__dict__.get(_ROOT_BLOCKS, _UNKNOWN)
        if kept is _UNKNOWN:
            kept = root_blocks(compiled_parent)
            setattr(compiled_parent, _ROOT_BLOCKS, kept)
        if kept is not None:
            # add_blocks reads the dict, never changes it: one dict serves every render.
            block_context.add_blocks(kept)
        with context.render_context.push_state(compiled_parent, isolated_context=False):
            return compiled_parent._render(context)

    global django_extends_render
    if django_extends_render is None:
        django_extends_render = ExtendsNode.render
    ExtendsNode.render = render


_UNKNOWN = object()
# Django's own ExtendsNode.render, kept for the test that compares it with what this copies.
django_extends_render = None


# -- Django's querysets -------------------------------------------------------------------------


def evaluated_none(queryset):
    """``queryset.none()``, already evaluated (Django's result cache set to empty): iterating
    it, as Wagtail's view-restriction hook does on every page it serves, skips the SQL
    compiler's work (which a plain ``none()`` repeats on each iteration, to find it empty).
    Filtering it, counting it or asking ``exists()`` answers as ``none()`` does."""
    empty = queryset.none()
    empty._result_cache = []
    empty._prefetch_done = True
    return empty


# -- treebeard ---------------------------------------------------------------------------------


def set_cached_parent(page, parent) -> None:
    """Let ``page.get_parent()`` answer ``parent`` without a query: treebeard's MP_Node keeps
    the parent it read in ``_cached_parent_obj``, and reads it from there first."""
    page._cached_parent_obj = parent


def add_to_tree(parent, node, *, path: str | None = None) -> None:
    """What treebeard's ``parent.add_child(instance=node)`` does (``MP_AddChildHandler``) for
    a tree without ``node_order_by``, inside the caller's transaction: the parent's row
    locked, the node's path the one after its last child's (the first when it has none), the
    parent's ``numchild`` raised, the node saved. Treebeard reads the parent's whole row and
    the last child's (every column, a subclass's table joined) for three numbers and a path:
    read alone here.

    With ``path`` (one ``ChildPaths`` handed out): the node is saved there, nothing locked,
    and the caller raises the parent's ``numchild`` with ``count_new_child`` as its
    transaction's last statement, so that the parent's row stays locked only until the
    commit (a parallel import: many items of one section at once)."""
    from django.db.models import F
    from treebeard.exceptions import NodeAlreadySaved, PathOverflow

    tree = type(parent).tree_model()
    if tree.node_order_by:
        raise RuntimeError("add_to_tree does not place nodes in a sorted tree")
    if not node._state.adding:
        raise NodeAlreadySaved("Attempted to add a tree node that is already in the database")
    if path is not None:
        if len(path) != len(parent.path) + tree.steplen or not path.startswith(parent.path):
            raise ValueError(f"{path} is not a child's path of {parent.path}")
        node.depth, node.path = parent.depth + 1, path
        set_cached_parent(node, parent)
        node.save()
        return
    rows = tree.objects.select_for_update().filter(pk=parent.pk)
    path, depth, numchild = rows.values_list("path", "depth", "numchild").get()
    node.depth = depth + 1
    if numchild == 0:
        node.path = tree._get_path(path, node.depth, 1)
        if len(node.path) > tree._meta.get_field("path").max_length:
            raise PathOverflow("The new node is too deep in the tree")
    else:
        children = tree.objects.filter(
            depth=node.depth, path__range=tree._get_children_path_interval(path)
        )
        last = children.order_by("-path").values_list("path", flat=True).first()
        node.path = tree(path=last)._inc_path()
    tree.objects.filter(pk=parent.pk).update(numchild=F("numchild") + 1)
    parent.numchild = numchild + 1
    set_cached_parent(node, parent)
    node.save()


def count_new_child(parent_id: int) -> None:
    """The parent's ``numchild`` raised for a node ``add_to_tree`` saved at a given path:
    the caller's last statement before its commit (the row is locked from here to there)."""
    from django.db.models import F
    from wagtail.models import Page

    Page.objects.filter(pk=parent_id).update(numchild=F("numchild") + 1)


class ChildPaths:
    """Treebeard paths for a parent's next children, handed out one after the other from its
    last child's at the start, as ``MP_AddChildHandler`` would choose them one insert at a
    time. A path handed out and never used leaves a gap, which treebeard allows (its
    ``find_problems`` checks paths' form, depths and counts, not that they follow on)."""

    def __init__(self, parent):
        from treebeard.exceptions import PathOverflow

        tree = type(parent).tree_model()
        self._tree = tree
        children = tree.objects.filter(
            depth=parent.depth + 1, path__range=tree._get_children_path_interval(parent.path)
        )
        self._last = children.order_by("-path").values_list("path", flat=True).first()
        self._first = tree._get_path(parent.path, parent.depth + 1, 1)
        if len(self._first) > tree._meta.get_field("path").max_length:
            raise PathOverflow("The new node is too deep in the tree")

    def next(self) -> str:
        self._last = self._first if self._last is None else self._tree(path=self._last)._inc_path()
        return self._last


# Wagtail's tree (treebeard's materialized path): each level adds this many characters.
PAGE_PATH_STEP = 4
# The path of a page's parent, as SQL. The listing index (core migration 0003) and the
# listing queries (gazette.news.queries.ParentPath) must spell it exactly alike, or the
# database will not use the index.
PARENT_PATH_SQL = f"SUBSTR(path, 1, LENGTH(path) - {PAGE_PATH_STEP})"


# -- Django's models -----------------------------------------------------------------------------


def mark_as_stored(instance, pk) -> None:
    """Make an unsaved instance the stored row with id ``pk``: its next save updates that row.
    Django keeps whether an instance is new in ``_state.adding``."""
    instance.pk = pk
    instance._state.adding = False


# -- Django's transactions ------------------------------------------------------------------------


def on_commit_once(callback: Callable[[], None]) -> None:
    """``transaction.on_commit(callback)``, unless an equal callback is already waiting for
    this transaction's commit: many rows saved, one callback. Django keeps the waiting
    callbacks in ``connection.run_on_commit`` as (savepoint ids, callback, robust) tuples."""
    connection = transaction.get_connection()
    if connection.in_atomic_block and any(
        entry[1] == callback for entry in connection.run_on_commit
    ):
        return
    transaction.on_commit(callback)


# -- Wagtail's revisions --------------------------------------------------------------------------


def publish_saved_revision(page, revision):
    """``revision.publish()`` for the revision ``page.save_revision()`` just returned, given
    that instance. Wagtail's publish action starts from ``revision.as_object()``: the page
    rebuilt from the revision's JSON, a query per foreign key and child relation, to get what
    the instance already holds. The action reads the object from that method only (in
    ``PublishRevisionAction.__init__``), so the revision answers it with the instance."""
    revision.as_object = lambda: page
    try:
        return revision.publish()
    finally:
        del revision.as_object


def add_live_child(parent, page, *, last_published_at=None, path: str | None = None):
    """What ``parent.add_child(instance=page)``, ``page.save_revision(log_action=True)`` and
    ``revision.publish()`` leave for a new page, written in one save instead of three: the row
    born live, one revision, the same three log entries ("wagtail.create", "wagtail.edit",
    "wagtail.publish") and
    ``page_published``. Leans on what Wagtail's publish action does for a page that has no
    previous revision, no go-live time in the future, no workflow, no comments and no aliases
    (a page just made has none): it sets the live fields below and sends the signal.
    ``last_published_at`` (default: now) is the source's own; ``path``: see ``add_to_tree``.

    The page is validated once, as publishing does, but for its foreign keys: each would
    cost a query to find a row the caller just read, and the database refuses a dangling one
    anyway. The log entries are written together, as ``PageLogEntry.objects.log_action``
    would write each (it validates only that the action is registered: checked here)."""
    from django.contrib.contenttypes.models import ContentType
    from django.utils import timezone
    from wagtail.log_actions import get_active_log_context
    from wagtail.log_actions import registry as log_registry
    from wagtail.models import Page, PageLogEntry, Revision
    from wagtail.signals import page_published

    now = timezone.now()
    page.live = True
    page.expired = False
    page.has_unpublished_changes = False
    page.first_published_at = page.first_published_at or now
    page.last_published_at = last_published_at or now
    page.draft_title = page.title
    set_cached_parent(page, parent)
    if page.locale_id is None:
        # Wagtail's first save reads the parent again for its locale: the child's is the parent's.
        page.locale_id = parent.locale_id
    # The tree's own fields (path, depth) are set by add_child as it saves. Unique fields
    # (an import's source key) are the database's to refuse: a query each to ask first.
    keys = [field.name for field in page._meta.concrete_fields if field.is_relation]
    # raises before anything is written
    page.full_clean(exclude=[*keys, "path", "depth"], validate_unique=False)
    # The child rows the caller set (authors, tags...), by relation. A new page has no others.
    children = _held_children(page)
    # treebeard's add_child saves with Page.save's defaults (clean=True): validated above.
    # Its "wagtail.create" log entry is written below, with the other two.
    page.save = lambda **kwargs: type(page).save(page, clean=False, log_action=None, **kwargs)
    # Page.save asks whether the page is a site's root (a query) unless told in
    # ``_is_site_root``: a page just made, with a new translation key, is no site's root.
    page._is_site_root = False
    try:
        add_to_tree(parent, page, path=path)
    finally:
        del page.save
        del page._is_site_root
    _insert_children(page, children)
    revision = Revision.objects.create(
        content_object=page,
        base_content_type=page.get_base_content_type(),
        content=_serialised_with(page, children),
        object_str=str(page),
    )
    page.latest_revision = page.live_revision = revision
    page.latest_revision_created_at = revision.created_at
    # A row update, not a save: the one save above is the one the receivers and indexes see.
    # On the page table itself (a subclass's queryset would first select its own ids).
    Page.objects.filter(pk=page.pk).update(
        latest_revision=revision,
        live_revision=revision,
        latest_revision_created_at=revision.created_at,
    )
    log_registry.scan_for_actions()
    content_type = ContentType.objects.get_for_model(page, for_concrete_model=False)
    entries = []
    # Page.save logs the creation by the page's owner, without a revision.
    for action, by_owner, of_revision in (
        ("wagtail.create", True, None),
        ("wagtail.edit", False, revision),
        ("wagtail.publish", False, revision),
    ):
        if not log_registry.action_exists(action):
            raise RuntimeError(f"Wagtail no longer registers the log action {action}")
        context = get_active_log_context()
        user_id = page.owner_id if by_owner else None
        entries.append(
            PageLogEntry(
                page=page,
                content_type=content_type,
                label=PageLogEntry.objects.get_instance_title(page),
                action=action,
                timestamp=timezone.now(),
                data={},
                user_id=user_id or (context.user.pk if context.user else None),
                uuid=context.uuid,
                revision=of_revision,
                content_changed=True,
            )
        )
    PageLogEntry.objects.bulk_create(entries)
    page_published.send(sender=page.specific_class, instance=page, revision=revision)
    return revision


def _held_children(page) -> dict[str, list]:
    """Every child relation of a new page (modelcluster's ``ParentalKey``), with the rows
    the caller put in it: django-modelcluster holds those in ``_cluster_related_objects``
    until the page is saved. Taken off the page, so that its save commits none of them:
    modelcluster's commit reads each relation back from the database first (to delete what
    left it), which a page that was never saved cannot have."""
    from modelcluster.models import get_all_child_m2m_relations, get_all_child_relations

    if get_all_child_m2m_relations(type(page)):
        raise RuntimeError("add_live_child does not write ParentalManyToManyFields")
    held = getattr(page, "_cluster_related_objects", {})
    page._cluster_related_objects = {}
    return {
        relation.get_accessor_name(): list(held.get(relation.get_accessor_name(), ()))
        for relation in get_all_child_relations(type(page))
    }


def _insert_children(page, children: dict[str, list]) -> None:
    """Save each child row as modelcluster's commit does (its foreign key set, ``save()``,
    signals sent), in the same order, without reading the relations back first."""
    from modelcluster.models import get_all_child_relations

    for relation in get_all_child_relations(type(page)):
        for child in children[relation.get_accessor_name()]:
            setattr(child, relation.field.name, page)
            child.save()


def _serialised_with(page, children: dict[str, list]) -> dict:
    """``page.serializable_data()`` as after Wagtail's save: the children from memory (the
    rows just saved, every other relation empty), not read back one query per relation.
    Afterwards the page reads its relations from the database again."""
    page._cluster_related_objects = children
    try:
        return page.serializable_data()
    finally:
        page._cluster_related_objects = {}


# -- Wagtail's routing ----------------------------------------------------------------------------


def remember_site(request, site) -> None:
    """Make ``Site.find_for_request(request)`` answer ``site`` without a query: Wagtail keeps
    the site it found for a request in ``request._wagtail_site`` and reads it from there first."""
    request._wagtail_site = site


def remembered_site(request):
    """The site ``remember_site`` (or Wagtail itself) stored on the request, else None."""
    return getattr(request, "_wagtail_site", None)


def remember_route(request, page) -> None:
    """Make Wagtail's ``serve`` view serve ``page`` without walking the tree to find it:
    ``Page.route_for_request`` keeps its answer in ``request._wagtail_route_for_request`` as
    (page, args, kwargs) and returns it when present. Wagtail's hooks around serving (view
    restrictions, ``before_serve_page``) run as for a page it found itself."""
    request._wagtail_route_for_request = (page, [], {})


def route_is_known(request) -> bool:
    return hasattr(request, "_wagtail_route_for_request")


def keep_site_root_paths(page) -> None:
    """Have ``page`` carry ``Site.get_site_root_paths()``, so that a copy of it kept in a cache
    brings them along: Wagtail keeps them on the object it caches them on (the page itself
    when given none) as ``_wagtail_cached_site_root_paths``."""
    page._get_site_root_paths()


def lend_site_root_paths(page, request) -> None:
    """Make ``page.get_url(request)`` and ``get_full_url(request)`` read the root paths that
    ``page`` carries (``keep_site_root_paths``) instead of Wagtail's cache: Wagtail reads them
    from ``request._wagtail_cached_site_root_paths`` first. Nothing when either has them."""
    paths = getattr(page, "_wagtail_cached_site_root_paths", None)
    if paths is not None and not hasattr(request, "_wagtail_cached_site_root_paths"):
        request._wagtail_cached_site_root_paths = paths


def answer_active_locale_from(locale_ids: Callable[[], dict[str, int]], active: Callable[[], str]):
    """Make ``Locale.get_active()`` answer from ``locale_ids()`` (cached), not a query: Wagtail
    asks it on every page it routes (``site.root_page.localized``). It only needs the locale's
    id and language code to compare and to filter translations."""
    from wagtail.models import Locale

    original = Locale.get_active.__func__

    def get_active(cls):
        code = active()
        locale_id = locale_ids().get(code)
        if locale_id is None:
            return original(cls)
        locale = cls(language_code=code)
        mark_as_stored(locale, locale_id)
        return locale

    Locale.get_active = classmethod(get_active)


# -- Wagtail's admin ----------------------------------------------------------------------------


def default_admin_time_zone(fallback: Callable[[], str]) -> None:
    """Make ``fallback()`` the zone the admin reads and shows times in for an editor who has
    not chosen one. Wagtail takes ``user.wagtail_userprofile.get_current_time_zone()``, which
    falls back on settings.TIME_ZONE, and settings.TIME_ZONE itself for a user without a
    profile (wagtail.admin.localization.get_localized_response): see ``ask_admin_profile``."""
    from wagtail.users.models import UserProfile

    def get_current_time_zone(profile) -> str:
        return profile.current_time_zone or fallback()

    UserProfile.get_current_time_zone = get_current_time_zone


def ask_admin_profile(user) -> None:
    """Give a user without a Wagtail profile an unsaved one (every preference at its default,
    as without one), so that the admin asks it for the time zone. Reading the profile is the
    query Wagtail would make next anyway; Django keeps the answer on the user."""
    from wagtail.users.models import UserProfile

    try:
        user.wagtail_userprofile  # noqa: B018 - the read that caches it on the user
    except UserProfile.DoesNotExist:
        user.wagtail_userprofile = UserProfile(user=user)


def is_publishing_panel(panel) -> bool:
    """Whether ``panel`` of a ``settings_panels`` list is Wagtail's go-live/expiry panel.
    ``Page.settings_panels`` holds it as a placeholder (``wagtail.models.panels``, made a
    panel when the form is built), not as a ``PublishingPanel``."""
    from wagtail.admin.panels import PublishingPanel

    if type(panel) is PublishingPanel:
        return True
    return getattr(panel, "path", None) == "wagtail.admin.panels.PublishingPanel"


# -- django-redis ---------------------------------------------------------------------------------


class RedisClient(DefaultClient):
    """The cache's client (settings' ``CLIENT_CLASS``): django-redis's, but a pickled entry is
    unpickled without django-redis's ``int(value)`` tried first (it stores whole numbers
    bare). For a pickle that fails: 2.9 µs an entry against 0.4 (a quiet core; the error's
    message quotes the bytes), and an uncached article reads some 20. A pickle's first byte,
    0x80, is never part of a number, and the identity compressor's ``decompress`` returns
    its input, so the answer is django-redis's own (``tests/core/test_compat.py``)."""

    def decode(self, value):
        if (
            isinstance(value, bytes)
            and value[:1] == b"\x80"
            and type(self._compressor) is IdentityCompressor
        ):
            return self._serializer.loads(value)
        return super().decode(value)


# -- Wagtail's frontend cache ---------------------------------------------------------------------

_publish_purge_held_for: ContextVar[Callable | None] = ContextVar(
    "gazette_publish_purge_held", default=None
)
_purge_gate_lock = threading.Lock()
_purge_gated = False


def _gate_publish_purges() -> None:
    """Put a gate before Wagtail's frontend-cache receiver of ``page_published`` (connected
    for each page model by ``wagtail.contrib.frontend_cache``'s ``register_signal_handlers``,
    one purge task per page published): it purges unless the page is held back."""
    global _purge_gated
    from wagtail.contrib.frontend_cache.signal_handlers import page_published_signal_handler
    from wagtail.models import get_page_models
    from wagtail.signals import page_published

    def gated(sender, instance, **kwargs):
        held_for = _publish_purge_held_for.get()
        if held_for is None or not held_for(instance):
            page_published_signal_handler(instance=instance, sender=sender, **kwargs)

    with _purge_gate_lock:
        if _purge_gated:
            return
        for model in get_page_models():
            if page_published.disconnect(page_published_signal_handler, sender=model):
                page_published.connect(
                    gated, sender=model, weak=False, dispatch_uid="gazette-publish-purge"
                )
        _purge_gated = True


@contextmanager
def publish_purges_held_back(applies_to: Callable[[object], bool]) -> Iterator[None]:
    """Inside: Wagtail does not purge a page it publishes when ``applies_to(page)``; the
    caller purges those itself (a bulk run: once, at its end)."""
    _gate_publish_purges()
    token = _publish_purge_held_for.set(applies_to)
    try:
        yield
    finally:
        _publish_purge_held_for.reset(token)


# -- modelsearch (Wagtail's search backends) -----------------------------------------------------


def search_backend():
    from modelsearch.backends import get_search_backend

    return get_search_backend()


def uses_sqlite_full_text(backend) -> bool:
    """Whether Wagtail's default backend is modelsearch's SQLite FTS5 one, whose tables site
    search reads directly. (Its module reads SQLite's tables on import: not elsewhere.)"""
    from django.db import connection

    if connection.vendor != "sqlite":
        return False
    from modelsearch.backends.database.sqlite.sqlite import SQLiteSearchBackend

    return isinstance(backend, SQLiteSearchBackend)


def search_index_entries(model) -> tuple[str, list[int]]:
    """The table of modelsearch's database index that site search reads with its own SQL,
    one row per indexed object (``id``, ``content_type_id``, ``object_id``), and the content
    types of ``model`` and its subclasses."""
    from modelsearch.conf import get_app_config
    from modelsearch.utils import get_descendants_content_types_pks

    entries = get_app_config().get_model("IndexEntry")._meta.db_table
    return entries, list(get_descendants_content_types_pks(model))


def sqlite_full_text_table() -> str:
    """modelsearch's SQLite FTS5 table: its ``rowid`` is the entry's id; columns ``title``
    and ``body``. Only on SQLite."""
    from modelsearch.conf import get_app_config

    return get_app_config().get_model("SQLiteFTSIndexEntry")._meta.db_table


# -- Wagtail's reference index and modelsearch's search index --------------------------------------

# Set inside index_updates_batched(): the objects saved there, each indexed once when it ends.
_saved_for_indexing: ContextVar[dict | None] = ContextVar("gazette_indexing", default=None)
_search_gate_lock = threading.Lock()
_search_gated = False


def _record_saved(sender, instance, raw=False, **kwargs) -> None:
    saved = _saved_for_indexing.get()
    if saved is not None and not raw and instance.pk is not None:
        saved.setdefault((instance._meta.label_lower, str(instance.pk)), instance)


def _forget_deleted(sender, instance, **kwargs) -> None:
    """An object saved then deleted in the batch (a story's bylines replaced) is not indexed
    at its end: its task would look the row up and fail."""
    saved = _saved_for_indexing.get()
    if saved is not None and instance.pk is not None:
        saved.pop((instance._meta.label_lower, str(instance.pk)), None)


def _gate_search_updates() -> None:
    """Put a gate before modelsearch's post-save receiver: each indexed model has it connected
    (``modelsearch.signal_handlers.register_signal_handlers``); the gate calls it unless a
    batch is open. Done once, on first use, when every app has connected its receivers."""
    global _search_gated
    from modelsearch import index
    from modelsearch.signal_handlers import post_save_signal_handler

    def gated(sender, instance, **kwargs):
        if _saved_for_indexing.get() is None:
            post_save_signal_handler(instance=instance, sender=sender, **kwargs)

    with _search_gate_lock:
        if _search_gated:
            return
        for model in index.get_indexed_models():
            if post_save.disconnect(post_save_signal_handler, sender=model):
                post_save.connect(gated, sender=model, weak=False, dispatch_uid="gazette-search")
        _search_gated = True


@contextmanager
def index_updates_batched(defer_to: Callable[[list[tuple]], None] | None = None) -> Iterator[None]:
    """Inside: an object saved several times (a page by ``add_child``, ``save_revision`` and
    ``publish``) is indexed once, when the block ends, by the same tasks the post-save
    receivers would have queued for each save. The reference index's own switch
    (``disable_reference_index_auto_update``) holds its receiver back; the gate above holds
    back the search index's. A block that raises indexes nothing (its transaction rolls
    back). Deletions still update the reference index at once.

    ``defer_to``, when given, is handed the updates instead of queueing them, as
    ``(app_label, model_name, pk, references, search)`` tuples (a bulk run keeps them for its
    end, when ``run_index_updates`` does them)."""
    from modelsearch import index
    from modelsearch.tasks import insert_or_update_object_task
    from wagtail.models import ReferenceIndex
    from wagtail.signal_handlers import disable_reference_index_auto_update
    from wagtail.tasks import update_reference_index_task

    if _saved_for_indexing.get() is not None:
        yield  # already inside a batch: the outer one indexes
        return
    _gate_search_updates()
    saved: dict = {}
    token = _saved_for_indexing.set(saved)
    try:
        with disable_reference_index_auto_update():
            yield
    finally:
        _saved_for_indexing.reset(token)
    searched = set(index.get_indexed_models())
    updates = []
    for instance in saved.values():
        model = type(instance)
        references = model in ReferenceIndex.tracked_models
        search = model in searched and getattr(model, "search_auto_update", True)
        if references or search:
            key = (model._meta.app_label, model._meta.model_name, str(instance.pk))
            updates.append((*key, references, search))
    if defer_to is not None:
        defer_to(updates)
        return
    for app_label, model_name, pk, references, search in updates:
        if references:
            update_reference_index_task.enqueue(app_label, model_name, pk)
        if search:
            insert_or_update_object_task.enqueue(app_label, model_name, pk)


def run_index_updates(updates) -> None:
    """Do now what the tasks ``index_updates_batched`` queues would do, for each
    ``(app_label, model_name, pk, references, search)``: the frameworks' own task bodies, so
    the indexes end as theirs leave them. An object deleted since is skipped."""
    from django.apps import apps
    from modelsearch.tasks import insert_or_update_object_task
    from wagtail.tasks import update_reference_index_task

    for app_label, model_name, pk, references, search in updates:
        model = apps.get_model(app_label, model_name)
        if not model.objects.filter(pk=pk).exists():
            continue
        if references:
            update_reference_index_task.func(app_label, model_name, pk)
        if search:
            insert_or_update_object_task.func(app_label, model_name, pk)


post_save.connect(_record_saved, dispatch_uid="gazette-indexing-batch")
post_delete.connect(_forget_deleted, dispatch_uid="gazette-indexing-batch")
