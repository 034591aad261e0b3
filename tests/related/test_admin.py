"""Editors see the computed list with its scores and reasons, and choose their own picks."""

import pytest
from django.urls import reverse
from django.utils import timezone
from wagtail.test.utils.form_data import inline_formset

from gazette.related.models import EditorsExclusion, EditorsPick, SimilarArticle
from tests.admin_forms import article_form_data
from tests.factories import ArticleFactory, SectionFactory

pytestmark = pytest.mark.django_db


def test_the_edit_form_shows_the_computed_list_read_only(editor_client, home):
    section = SectionFactory(parent=home)
    article = ArticleFactory(parent=section)
    other = ArticleFactory(parent=section, title="Ceasefire talks resume")
    SimilarArticle.objects.create(
        article=article,
        similar=other,
        rank=1,
        score=0.4321,
        reason="Shared terms: ceasefire, talks",
        computed_at=timezone.now(),
    )
    html = editor_client.get(reverse("wagtailadmin_pages:edit", args=[article.pk])).content
    html = html.decode()
    assert "You May Also Like: similar articles (computed)" in html
    assert "Ceasefire talks resume" in html and "0.432" in html
    assert "Shared terms: ceasefire, talks" in html
    assert 'name="similar' not in html  # nothing there to edit


def _edit(client, article, picks, excluded=()):
    data = article_form_data(
        article,
        editors_picks=inline_formset([{"pick": pick.pk} for pick in picks]),
        editors_exclusions=inline_formset([{"excluded": page.pk} for page in excluded]),
        action="publish",
    )
    return client.post(reverse("wagtailadmin_pages:edit", args=[article.pk]), data)


def test_editors_choose_picks_in_the_article_form(editor_client, home):
    section = SectionFactory(parent=home)
    article, first, second = (ArticleFactory(parent=section) for _ in range(3))

    response = _edit(editor_client, article, [second, first])
    assert response.status_code == 302
    picks = EditorsPick.objects.filter(article=article).order_by("sort_order")
    assert [pick.pick_id for pick in picks] == [second.pk, first.pk]


@pytest.mark.parametrize("case", ["itself", "twice"])
def test_a_bad_pick_gets_a_message_not_an_error(editor_client, home, case):
    section = SectionFactory(parent=home)
    article, other = ArticleFactory(parent=section), ArticleFactory(parent=section)
    picks = [article] if case == "itself" else [other, other]

    response = _edit(editor_client, article, picks)
    assert response.status_code == 200
    html = response.content.decode()
    expected = "cannot be its own pick" if case == "itself" else "duplicate"
    assert expected in html
    assert not EditorsPick.objects.exists()


def test_editors_exclude_an_article_in_the_same_panel_as_the_picks(editor_client, home):
    section = SectionFactory(parent=home)
    article, pick, unwanted = (ArticleFactory(parent=section) for _ in range(3))
    html = editor_client.get(reverse("wagtailadmin_pages:edit", args=[article.pk])).content
    html = html.decode()
    panel = html.split("You May Also Like: editors&#x27; choices", 1)[1]
    assert "editors&#x27; picks" in panel and "You May Also Like: never show" in panel

    response = _edit(editor_client, article, [pick], excluded=[unwanted])
    assert response.status_code == 302
    assert list(EditorsExclusion.objects.values_list("article_id", "excluded_id")) == [
        (article.pk, unwanted.pk)
    ]


def test_an_article_cannot_exclude_itself(editor_client, home):
    article = ArticleFactory(parent=SectionFactory(parent=home))
    response = _edit(editor_client, article, [], excluded=[article])
    assert response.status_code == 200
    assert "no need to exclude it" in response.content.decode()
    assert not EditorsExclusion.objects.exists()


def test_a_live_headline_only_pick_reaches_the_readers_page(editor_client, client, home):
    # Issue 23, defect 5: picked in the form, shown on the page, although only its headline
    # is known (the computed list would skip it).
    section = SectionFactory(parent=home)
    article = ArticleFactory(parent=section, title="Article")
    stub = ArticleFactory(parent=section, title="Wire flash", body=[], is_headline_only=True)

    assert _edit(editor_client, article, [stub]).status_code == 302
    html = client.get(article.url).content.decode()
    rail = html.split('id="you-may-also-like-heading"', 1)[1]
    assert "Wire flash" in rail


def test_a_restricted_article_cannot_be_picked_and_the_form_says_why(editor_client, home):
    from wagtail.models import PageViewRestriction

    section = SectionFactory(parent=home)
    members = SectionFactory(parent=home, title="Members", slug="members")
    PageViewRestriction.objects.create(page=members, restriction_type="login")
    article = ArticleFactory(parent=section)
    private = ArticleFactory(parent=members, title="Members briefing")

    response = _edit(editor_client, article, [private])
    assert response.status_code == 200
    html = response.content.decode()
    assert "cannot be picked" in html and "Only some readers may open it" in html
    assert not EditorsPick.objects.exists()


def test_the_form_says_which_saved_picks_readers_do_not_see(editor_client, home):
    section = SectionFactory(parent=home)
    article = ArticleFactory(parent=section)
    shown = ArticleFactory(parent=section, title="Shown pick")
    draft = ArticleFactory(parent=section, title="Draft pick", live=False)
    EditorsPick.objects.create(article=article, pick=shown, sort_order=0)
    EditorsPick.objects.create(article=article, pick=draft, sort_order=1)

    html = editor_client.get(reverse("wagtailadmin_pages:edit", args=[article.pk])).content
    notes = html.decode().split("Saved picks that readers do not see now", 1)[1].split("</ul>")[0]
    assert "Draft pick" in notes and "Not published: it shows once it is published." in notes
    assert "Shown pick" not in notes
