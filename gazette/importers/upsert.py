"""One idempotent upsert of an ``ImportItem`` into Gazette's pages, for every source format.

The item's ``source_key`` is stored on the article (``ArticlePage.source_key``, as the text
dump import does): the next run finds the article by it, compares what it would write with
what is there, and writes a revision only when something differs. So a rerun reports every
item ``unchanged`` and leaves no new revision.

Each item runs in its own transaction (``upsert_item`` is atomic): a failure rolls back that
item only. A dry run does the same work inside a transaction it rolls back, and never writes
files (no image is stored, no rendition made).
"""

from __future__ import annotations

import hashlib
import mimetypes
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from io import BytesIO
from pathlib import Path
from urllib.parse import unquote, urlsplit

from django.contrib.auth.models import Group
from django.core.files.images import ImageFile
from django.db import OperationalError, connection, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.text import slugify
from PIL import Image as PillowImage
from PIL import UnidentifiedImageError
from taggit.models import Tag
from wagtail.contrib.redirects.models import Redirect
from wagtail.models import Collection, PageViewRestriction

from gazette.comments import rules as comment_rules
from gazette.comments.models import NAME_LIMIT, Comment
from gazette.core import compat
from gazette.home.models import HomePage
from gazette.home.services import ensure_home_page
from gazette.images.models import CustomImage
from gazette.images.placeholders import new_placeholder_image
from gazette.news import lifecycle
from gazette.news.blocks import ArticleBodyBlock
from gazette.news.models import ArticleAuthor, ArticlePage, SectionPage
from gazette.people.models import Author

from . import indexing
from .body import BodyImage, body_blocks
from .items import ImportedImage, ImportItem, Status

__all__ = ["DryRun", "ImportOptions", "ItemPlan", "Outcome", "upsert_item"]

SLUG_MAX_LENGTH = 80
STANDFIRST_MAX_LENGTH = 400
HEADLINE_MAX_LENGTH = 255
DEFAULT_SECTION = "News"
# Who may read an article the source kept private: the newsroom's own groups.
PRIVATE_GROUPS = ("Editors", "Moderators")

# Fetches an image's bytes (None when it cannot); the command gives one with its caps.
ImageFetcher = Callable[[str], bytes | None]


class DryRun(Exception):
    """Raised inside an item's transaction to roll back what a dry run wrote."""


class RunLookups:
    """What every item of a run looks up again (the home page, sections, authors, tags), kept for
    the run. A row enters only once its item committed: an item rolled back may have
    created it."""

    def __init__(self):
        self.home: HomePage | None = None
        self.sections: dict[str, SectionPage] = {}
        self.authors: dict[tuple[str, str], Author] = {}
        self.tags: dict[str, Tag] = {}
        self._root_collection_id: int | None = None

    def root_collection_id(self) -> int:
        """Where new images go (Wagtail's default), read once per run: the root collection
        is made by Wagtail's migrations and never moves."""
        if self._root_collection_id is None:
            self._root_collection_id = Collection.get_first_root_node().pk
        return self._root_collection_id

    def keep(self, store: dict, key, value) -> None:
        transaction.on_commit(lambda: store.__setitem__(key, value))

    def keep_home(self, home: HomePage) -> None:
        transaction.on_commit(lambda: setattr(self, "home", home))


@dataclass(frozen=True)
class ItemPlan:
    """Where a new article goes, decided by a parallel run's parent process, which sees the
    items in order (as a serial run would decide it): its section, its slug there and its
    treebeard path. Used only if the item's article is new."""

    section_id: int
    slug: str
    path: str


@dataclass
class ImportOptions:
    section_slug: str = ""  # --section: every item goes there
    default_author: str | Author = ""  # --author (a name), or a feed source's own Author
    media_dir: Path | None = None  # --media-dir: the wp-content/uploads tree
    fetch_image: ImageFetcher | None = None  # set when the source is a URL
    dry_run: bool = False
    home: HomePage | None = None
    # A feed source's section, wherever it sits in the tree: wins over section_slug.
    section: SectionPage | None = None
    # False: every change waits as a draft revision for an editor (a feed that does not
    # publish); the item's status still sets the first-published time.
    publish: bool = True
    # True: an article that exists and is not live (an editor took it down) stays down and
    # gets its updates as drafts only. Feeds cannot tell "taken down" from "never published".
    keep_down: bool = False
    lookups: RunLookups = field(default_factory=RunLookups, repr=False, compare=False)
    # A parallel run's worker (gazette.importers.parallel): other processes import other
    # items at the same moment. Rows two items may both make (a picture, an old address)
    # are looked up and made under a lock of their key, held to the commit.
    concurrent: bool = False
    plan: ItemPlan | None = None  # this item's, in a parallel run


# PostgreSQL's "deadlock detected": two items of a parallel run waiting for each other's
# locks (two pictures in opposite orders); one is rolled back and done again.
DEADLOCK_DETECTED = "40P01"
ATTEMPTS = 3


@dataclass
class Outcome:
    status: str  # created, updated, unchanged
    article: ArticlePage
    notes: list[str] = field(default_factory=list)


def upsert_item(item: ImportItem, *, options: ImportOptions) -> Outcome:
    """Create or update the article of this item, in one transaction of its own."""
    for attempt in range(1, ATTEMPTS + 1):
        try:
            return _upsert_once(item, options=options)
        except OperationalError as exc:
            if not options.concurrent or attempt == ATTEMPTS or not _is_deadlock(exc):
                raise
    raise AssertionError("unreachable")


def _is_deadlock(exc: OperationalError) -> bool:
    return getattr(exc.__cause__, "sqlstate", None) == DEADLOCK_DETECTED


def _upsert_once(item: ImportItem, *, options: ImportOptions) -> Outcome:
    notes = list(item.notes)
    try:
        with transaction.atomic():
            # The article is saved three times (add_child, save_revision, publish): indexed once.
            with compat.index_updates_batched(defer_to=indexing.deferred_target()):
                outcome = _upsert(item, options=options, notes=notes)
            if options.dry_run:
                # The outcome is read before the rollback; its article is not kept.
                raise DryRun
            if outcome.status == "created" and options.plan is not None:
                # Last: the section's row stays locked from here to the commit only.
                compat.count_new_child(options.plan.section_id)
    except DryRun:
        pass
    return outcome


def _upsert(item: ImportItem, *, options: ImportOptions, notes: list[str]) -> Outcome:
    section = options.section or _section(item=item, options=options, notes=notes)
    authors = _authors(item=item, options=options)
    images = _ImageResolver(item=item, options=options, notes=notes)
    body = body_blocks(item.body_html, image_block=images.block_value, notes=notes)
    lead = images.image(item.lead_image) if item.lead_image else None
    standfirst = _standfirst(item.standfirst, notes)
    published = item.published.replace(microsecond=0) if item.published else None
    headline = _headline(item)
    if headline != " ".join(item.headline.split()):
        notes.append(f"the headline was cut to {HEADLINE_MAX_LENGTH} characters")

    article = _found(ArticlePage, source_key=item.source_key)
    created = article is None
    may_publish = options.publish and (created or article.live or not options.keep_down)
    publish_at_once = created and _publish_at_once(item, options, published)
    if publish_at_once:
        return _create_live(
            item,
            options=options,
            section=section,
            headline=headline,
            fields={
                "standfirst": standfirst,
                "lead_image_id": lead.pk if lead else None,
                "is_headline_only": item.headline_only,
            },
            body=body,
            authors=authors,
            published=published,
            notes=notes,
        )
    if created:
        plan = _plan_for(section, options)
        article = ArticlePage(
            title=headline,
            slug=plan.slug if plan else unique_child_slug(section, wanted_slug(item)),
            source_key=item.source_key,
            live=False,
        )
        if plan:
            compat.add_to_tree(section, article, path=plan.path)
        else:
            section.add_child(instance=article)
    elif article.get_parent().pk != section.pk:
        notes.append(f"the article stays in {article.get_parent().title}, where an editor moved it")

    first_published = published if item.status != Status.DRAFT else None
    if first_published is None and item.status == Status.LIVE:
        first_published = article.first_published_at or timezone.now().replace(microsecond=0)
    wanted = {
        "title": headline,
        "standfirst": standfirst,
        "lead_image_id": lead.pk if lead else None,
        "is_headline_only": item.headline_only,
    }
    scheduled = (
        may_publish
        and item.status == Status.SCHEDULED
        and published is not None
        and published > timezone.now()
    )
    should_be_live = may_publish and (
        item.status in {Status.LIVE, Status.PRIVATE}
        or (item.status == Status.SCHEDULED and not scheduled)
    )
    # A draft's content is in its latest revision, not on the page's row: compare with that.
    current = article.get_latest_revision_as_object() if article.latest_revision_id else article
    # Only a publication writes the first-published time to the page's row; a draft keeps it
    # in its revision (which Wagtail reads before the row's).
    first_published_now = article.first_published_at if may_publish else current.first_published_at
    changed = (
        created
        or images.created_any
        or any(getattr(current, name) != value for name, value in wanted.items())
        or _signature(current.body.get_prep_value()) != _signature(body)
        or [link.author_id for link in current.article_authors.all()] != [a.pk for a in authors]
        or sorted(tag.name for tag in current.tags.all()) != sorted(set(item.tags))
        or first_published_now != first_published
        or (may_publish and article.live != should_be_live)
        or (scheduled and article.go_live_at != published)
    )
    if changed:
        for name, value in wanted.items():
            setattr(article, name, value)
        article.first_published_at = first_published
        article.body = ArticleBodyBlock().to_python(body)
        article.article_authors = [
            ArticleAuthor(author=author, sort_order=index) for index, author in enumerate(authors)
        ]
        _set_tags(article, item.tags, options.lookups)
        article.go_live_at = published if scheduled else None
        publishing = should_be_live or scheduled
        # Publishing validates the page again as it saves it: clean once.
        revision = article.save_revision(log_action=True, clean=not publishing)
        if publishing:
            compat.publish_saved_revision(article, revision)
        if should_be_live and first_published:
            # Publishing stamps "now" as the last publication, which the page would show as
            # an update: the source's own last change is the truth.
            last = max(first_published, item.updated or first_published).replace(microsecond=0)
            ArticlePage.objects.filter(pk=article.pk).update(last_published_at=last)
        article.refresh_from_db()
        # Renditions: the lifecycle's article_published queues them (news.renditions).
    _after_write(article, item, notes, options)
    status = "created" if created else ("updated" if changed else "unchanged")
    return Outcome(status=status, article=article, notes=notes)


def _after_write(
    article: ArticlePage, item: ImportItem, notes: list[str], options: ImportOptions
) -> None:
    _restrict(article, private=item.status == Status.PRIVATE)
    _comments(article, item)
    _redirects(article, item.old_urls, notes, options)


def _hold(options: ImportOptions, kind: str, keys) -> None:
    """In a parallel run, on PostgreSQL: this item's transaction takes the lock of each key
    (a picture's, an old address's) and holds it to its commit, so that another item
    wanting the same row waits, then finds it, rather than making it twice or failing on
    a unique column. Two items that wait for each other (shared pictures in opposite
    orders) are a deadlock PostgreSQL ends: ``upsert_item`` does the rolled-back one again."""
    if not options.concurrent or connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        for key in sorted(set(keys)):
            lock = f"{kind}:{key}"
            cursor.execute("SELECT pg_advisory_xact_lock(hashtextextended(%s, 0))", [lock])


def _publish_at_once(item: ImportItem, options: ImportOptions, published) -> bool:
    """A new article that goes live now, in a bulk run: written once (``_create_live``).
    Anything else (a draft, a future schedule, an update) takes Wagtail's own path."""
    if options.dry_run or not options.publish or not lifecycle.publications_are_deferred():
        return False
    if item.status == Status.SCHEDULED:
        return published is not None and published <= timezone.now()
    return item.status in {Status.LIVE, Status.PRIVATE}


def _plan_for(section: SectionPage, options: ImportOptions) -> ItemPlan | None:
    plan = options.plan
    if plan is not None and plan.section_id != section.pk:
        raise RuntimeError(f"planned for section {plan.section_id}, found {section.pk}")
    return plan


def wanted_slug(item: ImportItem) -> str:
    """What the article's slug is made from (numbered when taken)."""
    return item.slug or _headline(item)


def _headline(item: ImportItem) -> str:
    headline = " ".join(item.headline.split())
    if len(headline) > HEADLINE_MAX_LENGTH:
        headline = headline[: HEADLINE_MAX_LENGTH - 1].rsplit(" ", 1)[0] + "…"
    return headline


def _create_live(
    item: ImportItem,
    *,
    options: ImportOptions,
    section,
    headline,
    fields,
    body,
    authors,
    published,
    notes,
) -> Outcome:
    """The new live article in one save, one revision and Wagtail's three log entries
    (``compat.add_live_child``): what ``add_child``, ``save_revision`` and ``publish`` leave,
    for a third of the writes. test_import_bulk.py holds the two paths to the same end state."""
    first_published = published if item.status != Status.DRAFT else None
    if first_published is None and item.status == Status.LIVE:
        first_published = timezone.now().replace(microsecond=0)
    last = None
    if first_published:
        last = max(first_published, item.updated or first_published).replace(microsecond=0)
    plan = _plan_for(section, options)
    article = ArticlePage(
        title=headline,
        slug=plan.slug if plan else unique_child_slug(section, wanted_slug(item)),
        source_key=item.source_key,
        first_published_at=first_published,
        go_live_at=None,
        **fields,
    )
    article.body = ArticleBodyBlock().to_python(body)
    article.article_authors = [
        ArticleAuthor(author=author, sort_order=index) for index, author in enumerate(authors)
    ]
    _set_tags(article, item.tags, options.lookups)
    # The instance is the stored page (path, URL, revision pointers): nothing to read back.
    path = plan.path if plan else None
    compat.add_live_child(section, article, last_published_at=last, path=path)
    _after_write(article, item, notes, options)
    return Outcome(status="created", article=article, notes=notes)


def _found(model, **lookup):
    """The first row matching ``lookup``, or None: its id asked first (a narrow query), the
    whole row (an article's page and article tables, every column) only when there is one.
    Most items of an import are new."""
    pk = model.objects.filter(**lookup).order_by("pk").values_list("pk", flat=True).first()
    return None if pk is None else model.objects.get(pk=pk)


def _set_tags(article: ArticlePage, names, lookups: RunLookups) -> None:
    """The item's tags on the article (in memory, written with it); the tags the run has met
    are handed over as rows, not looked up by name again."""
    wanted = list(dict.fromkeys(names))
    article.tags.set([lookups.tags.get(name, name) for name in wanted])
    for tag in article.tags.all():  # the rows in hand, found or created by django-taggit
        if tag.name in wanted and tag.name not in lookups.tags:
            lookups.keep(lookups.tags, tag.name, tag)


def _signature(raw_blocks: list[dict]) -> list:
    """Bodies compared by content, not by the random ids a StreamField gives its blocks."""
    return [(block["type"], block["value"]) for block in raw_blocks]


# --- sections, authors, slugs ----------------------------------------------------------------


def _section(*, item: ImportItem, options: ImportOptions, notes) -> SectionPage:
    lookups = options.lookups
    home = options.home or lookups.home
    if home is None:
        home = ensure_home_page()
        lookups.keep_home(home)
    name, slug = _section_name_and_slug(item, options, notes)
    key = f"{home.pk}/{slug}"
    if (known := lookups.sections.get(key)) is not None:
        return known
    section = SectionPage.objects.child_of(home).filter(slug=slug).first()
    section = section or _new_section(home, name=name, slug=slug)
    lookups.keep(lookups.sections, key, section)
    return section


def _section_name_and_slug(item: ImportItem, options: ImportOptions, notes) -> tuple[str, str]:
    if options.section_slug:
        slug = options.section_slug
        return slug.replace("-", " ").title(), slug
    name = item.section.strip()
    if not name:
        notes.append(f"no section: filed under {DEFAULT_SECTION}")
        name = DEFAULT_SECTION
    return name, make_slug(name) or "section"


def _author_keys(item: ImportItem, options: ImportOptions) -> list[tuple[str, str]]:
    named = list(item.authors) or ([(options.default_author, "")] if options.default_author else [])
    return [(name.strip(), email.strip()) for name, email in named]


def shared_rows(item: ImportItem, options: ImportOptions) -> tuple[SectionPage, dict]:
    """A parallel run's parent, before it hands the item over: the item's section, authors
    and tags found or made, in a transaction of their own, as a serial run would make them
    at this item (those rows are unique by the importer's lookups, not by the database: two
    processes could make each twice). Returns the section and the lookups' entries the item
    needs, by store ("sections", "authors", "tags"), for the worker's own lookups."""
    lookups = options.lookups
    # Indexed as the item's own rows are: noted for the run's end (a section: once).
    batched = compat.index_updates_batched(defer_to=indexing.deferred_target())
    with transaction.atomic(), batched:
        section = options.section or _section(item=item, options=options, notes=[])
        _authors(item=item, options=options)
        for name in dict.fromkeys(item.tags):
            if name not in lookups.tags:
                # taggit's own rule (TAGGIT_CASE_INSENSITIVE): a tag is found whatever its case.
                tag = Tag.objects.filter(name__iexact=name).order_by("pk").first()
                lookups.keep(lookups.tags, name, tag or Tag.objects.create(name=name))
    home = options.home or lookups.home
    entries = {"tags": {name: lookups.tags[name] for name in item.tags}}
    if options.section is None:
        key = f"{home.pk}/{_section_name_and_slug(item, options, [])[1]}"
        entries["sections"] = {key: lookups.sections[key]}
        entries["home"] = {"home": home}
    if not (not item.authors and isinstance(options.default_author, Author)):
        keys = _author_keys(item, options)
        entries["authors"] = {key: lookups.authors[key] for key in keys if key in lookups.authors}
    return section, entries


def _new_section(home: HomePage, *, name: str, slug: str) -> SectionPage:
    section = home.add_child(instance=SectionPage(title=name, slug=slug, show_in_menus=True))
    section.save_revision().publish()
    return section


def _authors(*, item: ImportItem, options: ImportOptions) -> list[Author]:
    if not item.authors and isinstance(options.default_author, Author):
        return [options.default_author]
    authors: list[Author] = []
    lookups = options.lookups
    for key in _author_keys(item, options):
        author = lookups.authors.get(key)
        if author is None:
            author = upsert_author(name=key[0], email=key[1])
            if author is not None:
                lookups.keep(lookups.authors, key, author)
        if author is not None and author not in authors:
            authors.append(author)
    return authors


def upsert_author(*, name: str, email: str) -> Author | None:
    """The Author with this e-mail (public or from an earlier import), else with this name;
    created when neither is known. The address is kept as the author's archive address, never
    published: an export's e-mails are the staff's private ones."""
    if not name and not email:
        return None
    author = (
        Author.objects.filter(Q(email__iexact=email) | Q(archive_email__iexact=email))
        .order_by("pk")
        .first()
        if email
        else None
    )
    if author is None and name:
        author = Author.objects.filter(name=name).order_by("pk").first()
    if author is None:
        base = slugify(name or email.split("@")[0])[:190] or "author"
        slug, number = base, 1
        while Author.objects.filter(slug=slug).exists():
            number += 1
            slug = f"{base}-{number}"
        name = name or email.split("@")[0]
        return Author.objects.create(name=name, slug=slug, archive_email=email)
    if email and not author.archive_email and author.email.lower() != email.lower():
        author.archive_email = email
        author.save(update_fields=["archive_email"])
    return author


def make_slug(text: str) -> str:
    """A page slug from a title or a source's slug: percent-encoding undone, letters of any
    script kept (Wagtail allows Unicode slugs), at most 80 characters."""
    return slugify(unquote(text), allow_unicode=True)[:SLUG_MAX_LENGTH].strip("-")


def unique_child_slug(parent, wanted: str) -> str:
    """The slug, numbered when the section already has a page with it."""
    base = make_slug(wanted) or "story"
    slug, number = base, 1
    siblings = parent.get_children()
    while siblings.filter(slug=slug).exists():
        number += 1
        slug = f"{base[: SLUG_MAX_LENGTH - 6]}-{number}"
    return slug


def _standfirst(text: str, notes: list[str]) -> str:
    text = " ".join(text.split())
    if len(text) <= STANDFIRST_MAX_LENGTH:
        return text
    notes.append(f"the standfirst was cut to {STANDFIRST_MAX_LENGTH} characters")
    cut = text[: STANDFIRST_MAX_LENGTH - 1].rsplit(" ", 1)[0]
    return cut + "…"


# --- status, comments, redirects -------------------------------------------------------------


def _restrict(article: ArticlePage, *, private: bool) -> None:
    """A private item is readable by the newsroom only: a view restriction to its groups."""
    restrictions = PageViewRestriction.objects.filter(page=article)
    if not private:
        return  # an editor's own restriction of an imported article is not the import's
    if restrictions.exists():
        return
    restriction = PageViewRestriction.objects.create(
        page=article, restriction_type=PageViewRestriction.GROUPS
    )
    restriction.groups.set(Group.objects.filter(name__in=PRIVATE_GROUPS))


def _comments(article: ArticlePage, item: ImportItem) -> None:
    """Published, with the names and times the source gave them; keyed so a rerun adds none."""
    keyed = {}
    for comment in item.comments:
        text = comment_rules.normalise_text(comment.text)
        if not text:
            continue
        identity = f"{item.source_key}\x00{comment.author_name}\x00{comment.posted.isoformat()}"
        keyed.setdefault(
            hashlib.sha256(f"{identity}\x00{text}".encode()).hexdigest(), (comment, text)
        )
    if not keyed:
        return
    # Those an earlier run imported, found in one query, not one each. The key is unique: two
    # runs importing the same comment at once fail one item, never double it.
    known = set(Comment.objects.filter(source_key__in=keyed).values_list("source_key", flat=True))
    for key, (comment, text) in keyed.items():
        if key in known:
            continue
        posted = comment.posted.replace(microsecond=0)
        Comment.objects.create(
            source_key=key,
            article=article,
            author_name=(comment.author_name or "Reader")[:NAME_LIMIT],
            text=text,
            status=Comment.Status.PUBLISHED,
            received_as=Comment.Status.PUBLISHED,
            created_at=posted,
            published_at=posted,
            fingerprint=comment_rules.fingerprint(text),
        )


def old_path(url: str) -> str:
    """The path (and query) of an old address as the redirects app stores it."""
    parts = urlsplit(url.strip())
    path = parts.path or "/"
    return Redirect.normalise_path(f"{path}?{parts.query}" if parts.query else path)


def _redirects(
    article: ArticlePage, old_urls: tuple[str, ...], notes: list[str], options: ImportOptions
) -> None:
    """Each old address answers 301 with the article's new one (site-wide, permanent)."""
    own = Redirect.normalise_path(article.get_url() or "/")
    # The article answers at its own address itself; "/" would take the home page.
    paths = [path for path in dict.fromkeys(map(old_path, old_urls)) if path not in {"/", own}]
    if not paths:
        return
    _hold(options, "redirect", paths)
    # The item's old addresses looked up together: one query, not one each.
    existing = dict(
        Redirect.objects.filter(old_path__in=paths, site=None).values_list(
            "old_path", "redirect_page_id"
        )
    )
    for path in paths:
        if path not in existing:
            Redirect.objects.create(old_path=path, site=None, redirect_page=article)
        elif existing[path] != article.pk:
            notes.append(f"the old address {path} already redirects elsewhere: left as it is")


# --- images ----------------------------------------------------------------------------------


class _ImageResolver:
    """Images of one item, each found again on a rerun: a stored file by its content's hash, a
    placeholder by its title. A picture is read from ``local_path``, else from the media
    directory, else fetched (a source on the web), else a placeholder stands in."""

    def __init__(self, *, item: ImportItem, options: ImportOptions, notes: list[str]):
        self.options = options
        self.notes = notes
        self.headline = item.headline
        self.known = {image.source_url: image for image in item.images}
        if item.lead_image:
            self.known.setdefault(item.lead_image.source_url, item.lead_image)
        self.created_any = False
        self._resolved: dict[str, CustomImage | None] = {}

    def block_value(self, picture: BodyImage) -> dict | None:
        known = self.known.get(picture.src)
        image = self.image(
            ImportedImage(
                source_url=picture.src,
                alt=picture.alt or (known.alt if known else ""),
                caption=picture.caption or (known.caption if known else ""),
                credit=picture.credit or (known.credit if known else ""),
                local_path=known.local_path if known else "",
            )
        )
        if image is None:
            return None
        caption = picture.caption or (known.caption if known else "")
        return {"image": image.pk, "caption": caption[:500]}

    def image(self, wanted: ImportedImage) -> CustomImage | None:
        if wanted.source_url in self._resolved:
            return self._resolved[wanted.source_url]
        data = self._read(wanted)
        image = self._stored(wanted, data) if data is not None else self._placeholder(wanted)
        self._resolved[wanted.source_url] = image
        return image

    def _read(self, wanted: ImportedImage) -> bytes | None:
        for path in self._candidate_paths(wanted):
            try:
                return path.read_bytes()
            except OSError:
                continue
        if self.options.fetch_image and wanted.source_url.startswith(("http://", "https://")):
            data = self.options.fetch_image(wanted.source_url)
            if data is None:
                self.notes.append(f"the picture {wanted.source_url} could not be fetched")
            return data
        return None

    def _candidate_paths(self, wanted: ImportedImage) -> list[Path]:
        paths = [Path(wanted.local_path)] if wanted.local_path else []
        media = self.options.media_dir
        if media is not None:
            url_path = unquote(urlsplit(wanted.source_url).path)
            # The uploads tree: .../wp-content/uploads/2024/03/photo.jpg -> DIR/2024/03/photo.jpg
            relative = url_path.split("/uploads/", 1)[-1].lstrip("/")
            candidate = (media / relative).resolve()
            if candidate.is_relative_to(media.resolve()):
                paths.append(candidate)
                # A resized copy's name (photo-300x200.jpg) when only the original is there.
                original = re.sub(r"-\d+x\d+(\.\w+)$", r"\1", candidate.name)
                if original != candidate.name:
                    paths.append(candidate.with_name(original))
        return paths

    def _stored(self, wanted: ImportedImage, data: bytes) -> CustomImage | None:
        try:
            with PillowImage.open(BytesIO(data)) as picture:
                picture.verify()
        except (UnidentifiedImageError, OSError, ValueError, SyntaxError):
            self.notes.append(f"the picture {wanted.source_url} is not an image: a placeholder")
            return self._placeholder(wanted)
        # Wagtail's own hash of an image file (hash_filelike): an identity, not a secret.
        file_hash = hashlib.sha1(data, usedforsecurity=False).hexdigest()
        _hold(self.options, "image", [file_hash])
        image = CustomImage.objects.filter(file_hash=file_hash, is_placeholder=False).first()
        if image is None:
            self.created_any = True
            if self.options.dry_run:
                return None
            name = Path(urlsplit(wanted.source_url).path).name or "image"
            if not mimetypes.guess_type(name)[0]:
                name += ".jpg"
            image = CustomImage(
                title=(wanted.alt or wanted.caption or name)[:255],
                description=wanted.alt[:255],
                caption=wanted.caption[:500],
                credit=wanted.credit[:255],
            )
            image.file = ImageFile(BytesIO(data), name=name)
            image.file_hash = file_hash  # what finds it again on the next run
            image.save()
            return image
        fields = {"credit": wanted.credit[:255], "caption": wanted.caption[:500]}
        fields["description"] = wanted.alt[:255]
        changed = [
            name for name, value in fields.items() if value and getattr(image, name) != value
        ]
        for name in changed:
            setattr(image, name, fields[name])
        if changed:
            image.save(update_fields=changed)
        return image

    def _placeholder(self, wanted: ImportedImage) -> CustomImage | None:
        title = f"Placeholder: {wanted.source_url}"[:255]
        _hold(self.options, "placeholder", [title])
        existing = _found(CustomImage, is_placeholder=True, title=title)
        if existing is None:
            self.created_any = True
            if self.options.dry_run:
                return None
        self.notes.append(f"the picture {wanted.source_url} is not here: a placeholder stands in")
        if existing is None:
            return new_placeholder_image(
                title=title,
                credit=wanted.credit,
                caption=wanted.caption[:500],
                collection_id=self.options.lookups.root_collection_id(),
            )
        image = existing
        if wanted.caption and image.caption != wanted.caption[:500]:
            image.caption = wanted.caption[:500]
            image.save(update_fields=["caption"])
        return image
