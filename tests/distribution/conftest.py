"""A small newsroom for the distribution tests: what machines may see and what they may not."""

from dataclasses import dataclass, field
from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone
from wagtail.models import PageViewRestriction

from gazette.home.services import ensure_home_page
from gazette.news.models import ArticlePage
from gazette.news.renditions import generate_renditions
from tests.factories import ArticleFactory, AuthorFactory, ImageFactory, SectionFactory


@dataclass
class Newsroom:
    world: object
    lifestyle: object
    kim: object
    lee: object
    published: list = field(default_factory=list)  # newest first
    hidden: dict = field(default_factory=dict)  # what must never be syndicated


def add_story(section, *, minutes_ago: int, authors=(), body=None, **kwargs):
    story = ArticleFactory(
        parent=section,
        first_published_at=timezone.now() - timedelta(minutes=minutes_ago),
        authors=list(authors),
        **({"body": body} if body is not None else {}),
        **kwargs,
    )
    if story.lead_image_id or body:
        generate_renditions(story)  # as publishing does (images are slow: only where needed)
    # Publishing with authors republished it: read back what the database holds.
    return ArticlePage.objects.get(pk=story.pk)


@pytest.fixture(scope="module")
def newsroom(django_db_setup, django_db_blocker) -> Newsroom:
    """Built once per test module inside a transaction that is rolled back after it; each
    test runs in a savepoint within it, as Django's TestCase.setUpTestData does."""
    with django_db_blocker.unblock(), transaction.atomic():
        room = _build_newsroom(ensure_home_page())
        yield room
        transaction.set_rollback(True)


def _build_newsroom(home) -> Newsroom:
    world = SectionFactory(parent=home, title="World", slug="world")
    lifestyle = SectionFactory(parent=home, title="Lifestyle", slug="lifestyle")
    kim = AuthorFactory(name="Daniel Kim", slug="daniel-kim", bio="Covers Korea.")
    lee = AuthorFactory(name="Mina Lee", slug="mina-lee")
    room = Newsroom(world=world, lifestyle=lifestyle, kim=kim, lee=lee)
    room.published = [
        add_story(
            world,
            minutes_ago=10,
            title='Soldiers <flee> & "run" across the border',
            authors=[kim, lee],
            lead_image=ImageFactory(),
            body=[
                ("paragraph", f'<p>They fled <a linktype="page" id="{world.pk}">north</a>.</p>'),
                ("image", {"image": ImageFactory(credit="Getty"), "caption": "At the river"}),
                ("quote", {"text": "We <ran>", "attribution": "A soldier"}),
                ("embed", "https://video.example.org/watch/1"),
            ],
        ),
        add_story(lifestyle, minutes_ago=60, title="Porsche breaks a drift record", authors=[lee]),
        add_story(world, minutes_ago=60 * 24 * 5, title="An older story", authors=[kim]),
    ]
    draft = ArticleFactory(parent=world, title="Draft never published", live=False)
    stub = add_story(world, minutes_ago=5, title="Headline only stub", is_headline_only=True)
    private = add_story(world, minutes_ago=7, title="Members only story")
    PageViewRestriction.objects.create(page=private, restriction_type="password", password="x")
    edited = ArticlePage.objects.get(pk=room.published[1].pk)
    edited.title = "Unpublished edit of a headline"
    edited.save_revision()  # a draft revision: the live headline stays
    room.hidden = {"draft": draft, "stub": stub, "private": private}
    return room


HIDDEN_TITLES = (
    "Draft never published",
    "Headline only stub",
    "Members only story",
    "Unpublished edit of a headline",
)
