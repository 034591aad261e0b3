"""The cached list: no query on a warm cache, and what changes it shows on the next render."""

import pytest
from django.template.loader import render_to_string
from django.utils import timezone

from gazette.news.models import ArticlePage
from gazette.news.renditions import generate_renditions
from gazette.related.models import EditorsPick, SimilarArticle
from gazette.related.services import rebuild_related
from tests.factories import ArticleFactory, ImageFactory, SectionFactory

from .test_admin import _edit

pytestmark = pytest.mark.django_db

FIRES = [
    ("Wildfire forces evacuations", "Crews fought the wildfire as flames and smoke spread."),
    ("Bushfire season starts early", "Dry bush and heat raise the wildfire risk; crews ready."),
]


def _block(article) -> str:
    return render_to_string("related/includes/you_may_also_like.html", {"page": article})


def _article(section, title, text="Nothing in common.", **kwargs):
    return ArticleFactory(
        parent=section, title=title, standfirst="", body=[("paragraph", f"<p>{text}</p>")], **kwargs
    )


def test_the_block_makes_no_query_on_a_warm_cache(home, django_assert_num_queries):
    section = SectionFactory(parent=home, title="World", slug="world")
    article = _article(section, "Article")
    others = [_article(section, f"Other {n}") for n in range(6)]
    for page in others[:2]:  # the teasers' pictures come from the cache too
        page.lead_image = ImageFactory()
        page.save()
        generate_renditions(page)
    EditorsPick.objects.create(article=article, pick=others[0], sort_order=0)
    SimilarArticle.objects.create(
        article=article, similar=others[1], rank=1, score=0.5, computed_at=timezone.now()
    )

    with django_assert_num_queries(2):  # cold: the list, the renditions of its teasers
        cold = _block(article)
    page = ArticlePage.objects.get(pk=article.pk)  # as another request reads it
    with django_assert_num_queries(0):
        warm = _block(page)
    assert warm == cold
    assert cold.count('class="ranked-list__item"') == 5
    assert cold.index("Other 0") < cold.index("Other 1")


def test_a_recompute_shows_on_the_next_render(home, django_capture_on_commit_callbacks):
    news = SectionFactory(parent=home, title="News", slug="news")
    world = SectionFactory(parent=home, title="World", slug="world")
    fire = _article(news, *FIRES[0])
    for n in range(5):
        _article(news, f"Filler {n}")
    rebuild_related()
    assert "Bushfire" not in _block(fire)  # cached now

    with django_capture_on_commit_callbacks(execute=True):
        _article(world, *FIRES[1]).save_revision().publish()  # the task recomputes the lists

    assert "Bushfire season starts early" in _block(fire)


def test_a_change_of_picks_shows_on_the_next_render(
    editor_client, home, django_capture_on_commit_callbacks
):
    section = SectionFactory(parent=home, title="News", slug="news")
    article = _article(section, "Article")
    elsewhere = SectionFactory(parent=home, title="Sport", slug="sport")
    pick = _article(elsewhere, "Editors like this one")
    assert "Editors like this one" not in _block(article)  # cached now

    with django_capture_on_commit_callbacks(execute=True):
        assert _edit(editor_client, article, [pick]).status_code == 302

    assert "Editors like this one" in _block(ArticlePage.objects.get(pk=article.pk))


@pytest.mark.parametrize("kind", ["pick", "similar", "newest of the section"])
def test_an_unpublished_article_leaves_the_cached_list_at_once(
    home, django_capture_on_commit_callbacks, kind
):
    section = SectionFactory(parent=home, title="News", slug="news")
    elsewhere = SectionFactory(parent=home, title="Sport", slug="sport")
    article = _article(section, "Article")
    shown = _article(section if kind == "newest of the section" else elsewhere, "Withdrawn")
    if kind == "pick":
        EditorsPick.objects.create(article=article, pick=shown, sort_order=0)
    elif kind == "similar":
        SimilarArticle.objects.create(
            article=article, similar=shown, rank=1, score=0.5, computed_at=timezone.now()
        )
    assert "Withdrawn" in _block(article)  # cached now

    with django_capture_on_commit_callbacks(execute=True):
        shown.unpublish()

    assert "Withdrawn" not in _block(article)
    assert not SimilarArticle.objects.filter(similar=shown).exists()  # the task's rewrite
