"""Issue 23: "Add to Must-Reads" from the article's own page in the admin, placed at the top."""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.urls import reverse

from gazette.news.models import MUST_READS_SLUG, CuratedListItem, must_reads
from tests.factories import ArticleFactory, SectionFactory, make_curated_list

pytestmark = pytest.mark.django_db


def _order():
    return list(
        CuratedListItem.objects.filter(curated_list__slug=MUST_READS_SLUG)
        .order_by("sort_order")
        .values_list("article__title", flat=True)
    )


def test_the_articles_admin_page_offers_the_action(editor_client, home):
    article = ArticleFactory(parent=SectionFactory(parent=home))
    html = editor_client.get(reverse("wagtailadmin_pages:edit", args=[article.pk])).content
    assert reverse("news_must_reads", args=[article.pk]) in html.decode()
    assert "Add to Must-Reads" in html.decode()


def test_adding_puts_the_story_first_and_readers_see_it(editor_client, client, home):
    section = SectionFactory(parent=home)
    first, second, new = (
        ArticleFactory(parent=section, title=title) for title in ("First", "Second", "New")
    )
    make_curated_list(MUST_READS_SLUG, [first, second])
    url = reverse("news_must_reads", args=[new.pk])

    confirm = editor_client.get(url)
    assert confirm.status_code == 200 and _order() == ["First", "Second"]  # a GET writes nothing
    response = editor_client.post(url, {"action": "add"})
    assert response.status_code == 302
    assert _order() == ["New", "First", "Second"]
    assert must_reads()[0].title == "New"
    assert "New" in client.get(first.url).content.decode().split('id="must-reads-heading"')[1]

    editor_client.post(reverse("news_must_reads", args=[second.pk]), {"action": "add"})
    assert _order() == ["Second", "New", "First"]  # moved up, not listed twice
    editor_client.post(reverse("news_must_reads", args=[new.pk]), {"action": "remove"})
    assert _order() == ["Second", "First"]


def test_the_list_is_made_when_there_is_none(editor_client, home):
    article = ArticleFactory(parent=SectionFactory(parent=home), title="Lonely")
    editor_client.post(reverse("news_must_reads", args=[article.pk]), {"action": "add"})
    assert _order() == ["Lonely"]


def test_a_contributor_may_not_curate(client, home):
    article = ArticleFactory(parent=SectionFactory(parent=home))
    contributor = get_user_model().objects.create_user("amina")
    contributor.groups.add(Group.objects.get(name="Contributors"))
    client.force_login(contributor)
    response = client.post(reverse("news_must_reads", args=[article.pk]), {"action": "add"})
    assert response.status_code in (302, 403)
    assert _order() == []
