"""factory-boy factories for Gazette content. Pages are added under their parent in the tree
and published, as an editor would."""

from datetime import timedelta

import factory
from django.db import transaction
from django.utils import timezone
from factory.django import DjangoModelFactory
from wagtail.images.tests.utils import get_test_image_file_jpeg
from wagtail.models import PageLogEntry

from gazette.core.compat import add_live_child, index_updates_batched
from gazette.home.services import ensure_home_page
from gazette.images.models import CustomImage
from gazette.news.models import (
    ArticleAuthor,
    ArticlePage,
    CuratedList,
    CuratedListItem,
    SectionPage,
)
from gazette.people.models import Author


class ImageFactory(DjangoModelFactory):
    class Meta:
        model = CustomImage

    title = factory.Sequence(lambda n: f"Picture {n}")
    credit = factory.Sequence(lambda n: f"Agency {n}")
    # A JPEG, as newsrooms upload: its renditions cost half a PNG's (~0.2 s against ~0.4 s).
    file = factory.LazyFunction(lambda: get_test_image_file_jpeg(size=(1200, 675)))

    class Params:
        # For listings of many stories, where a picture's size is not what a test reads:
        # its five renditions cost ~20 ms instead of ~200.
        small = factory.Trait(
            file=factory.LazyFunction(lambda: get_test_image_file_jpeg(size=(240, 135)))
        )


class AuthorFactory(DjangoModelFactory):
    class Meta:
        model = Author
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"Writer {n}")
    slug = factory.LazyAttribute(lambda o: o.name.lower().replace(" ", "-"))
    email = factory.LazyAttribute(lambda o: f"{o.slug}@example.org")


class PageFactory(factory.Factory):
    """Builds a page, adds it under ``parent`` and publishes it (unless live=False)."""

    class Meta:
        abstract = True

    @classmethod
    def _generate(cls, strategy, params):
        # A page is saved several times here (added, its revision, published, then its
        # authors or tags): indexed once at the end, as the importers do.
        with index_updates_batched():
            return super()._generate(strategy, params)

    @classmethod
    def _create(cls, model_class, *args, parent=None, live=True, **kwargs):
        if live and not (kwargs.get("go_live_at") or kwargs.get("expire_at")):
            return cls._create_live(model_class, *args, parent=parent, **kwargs)
        page = model_class(*args, live=False, **kwargs)
        parent.add_child(instance=page)
        if live:
            page.save_revision().publish()
            page.refresh_from_db()
        return page

    @classmethod
    def _create_live(cls, model_class, *args, parent, **kwargs):
        """A new page published at once, written as the importers' bulk runs write one
        (compat.add_live_child: the row born live, one revision, page_published sent): what
        Wagtail's add_child, save_revision and publish leave (tests/core/test_compat.py), in
        about a third of their queries. Thousands of tests make pages only to read them."""
        page = model_class(*args, **kwargs)
        # One transaction, as an import's item: the tree's parent row is locked for update (on
        # PostgreSQL, outside a transaction in the live-server tests, that is refused).
        with transaction.atomic():
            revision = add_live_child(parent, page)
            # Wagtail's publish logs the creation and the publication; add_live_child also logs
            # the revision as an edit, as save_revision(log_action=True) does: not what an
            # editor's one-step publish leaves, and what the autosave history counts.
            PageLogEntry.objects.filter(revision=revision, action="wagtail.edit").delete()
        page.refresh_from_db()
        return page


class SectionFactory(PageFactory):
    class Meta:
        model = SectionPage

    title = factory.Sequence(lambda n: f"Section {n}")
    slug = factory.LazyAttribute(lambda o: o.title.lower().replace(" ", "-"))
    show_in_menus = True
    parent = factory.LazyFunction(ensure_home_page)


class ArticleFactory(PageFactory):
    class Meta:
        model = ArticlePage

    title = factory.Sequence(lambda n: f"Story number {n}")
    slug = factory.Sequence(lambda n: f"story-{n}")
    standfirst = "A short summary."
    body = factory.LazyFunction(
        lambda: [("paragraph", "<p>First paragraph.</p>"), ("paragraph", "<p>Second.</p>")]
    )
    parent = factory.SubFactory(SectionFactory)
    first_published_at = factory.Sequence(
        lambda n: timezone.now() - timedelta(days=1) + timedelta(minutes=n)
    )

    @factory.post_generation
    def authors(self, create, extracted, **kwargs):
        if not create or not extracted:
            return
        self.article_authors = [
            ArticleAuthor(author=author, sort_order=index) for index, author in enumerate(extracted)
        ]
        self.save_revision().publish()

    @factory.post_generation
    def tags(self, create, extracted, **kwargs):
        """Tags typed in the form, then published (saved as a draft if the story is not live)."""
        if not create or not extracted:
            return
        self.tags.add(*extracted)
        revision = self.save_revision()
        if self.live:
            revision.publish()
            self.refresh_from_db()


def add_note(article, text, *, kind="correction", publish=True):
    """Open the article as an editor would, add a note to readers, publish it (or save a
    draft). Returns the article as stored."""
    from gazette.corrections.models import ArticleNote

    page = article.get_latest_revision_as_object()
    page.correction_notes.add(ArticleNote(kind=kind, text=text))
    revision = page.save_revision()
    if publish:
        revision.publish()
    return ArticlePage.objects.get(pk=article.pk)


def retag(article, names, *, publish=True):
    """Open the article as an editor would (its latest version), set its tags, publish it (or
    save a draft)."""
    page = article.get_latest_revision_as_object()
    page.tags.set(names)
    revision = page.save_revision()
    if publish:
        revision.publish()
    return ArticlePage.objects.get(pk=article.pk)


def make_curated_list(slug: str, articles) -> CuratedList:
    curated, _ = CuratedList.objects.get_or_create(slug=slug, defaults={"name": slug.title()})
    for index, article in enumerate(articles):
        CuratedListItem.objects.create(curated_list=curated, article=article, sort_order=index)
    return curated
