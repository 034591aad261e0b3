"""Issue 23, defect 8: authors get a slug from their name, are created from the article's
author chooser, and a staff member has a byline of her own that her new articles start with."""

import json

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import IntegrityError, transaction
from django.urls import reverse

from gazette.people.models import Author
from tests.factories import AuthorFactory, SectionFactory

pytestmark = pytest.mark.django_db


def test_an_author_created_anywhere_gets_a_unique_slug_from_the_name():
    first = Author.objects.create(name="Ana López")
    second = Author.objects.create(name="Ana Lopez")
    assert (first.slug, second.slug) == ("ana-lopez", "ana-lopez-2")
    kept = Author.objects.create(name="Bo Li", slug="bo")
    assert kept.slug == "bo"  # a slug given is kept


def test_a_name_with_no_latin_letters_still_gets_a_slug():
    assert Author.objects.create(name="Иван").slug == "author"
    assert Author.objects.create(name="Пётр").slug == "author-2"


def test_the_snippet_form_fills_the_slug_from_the_name(editor_client):
    form = editor_client.get(reverse("wagtailsnippets_people_author:add")).content.decode()
    assert 'data-controller="w-slug"' in form and "w-sync" in form  # filled in as typed
    response = editor_client.post(
        reverse("wagtailsnippets_people_author:add"),
        {"name": "Marta Ferreira", "slug": "", "email": "", "bio": ""},
    )
    assert response.status_code == 302
    assert Author.objects.get(name="Marta Ferreira").slug == "marta-ferreira"


def test_the_author_chooser_is_headed_name_and_offers_a_new_author(editor_client):
    AuthorFactory(name="Zoë Writer")
    response = editor_client.get(reverse("wagtailsnippetchoosers_people_author:choose"))
    html = json.loads(response.content)["html"]
    assert "Zoë Writer" in html
    heading = html.split("<table", 1)[1].split("</thead>", 1)[0]
    assert "Name" in heading and "Title" not in heading
    assert "New author" in html and 'name="name"' in html


def test_an_author_is_created_from_the_chooser_and_chosen(editor_client):
    response = editor_client.post(
        reverse("wagtailsnippetchoosers_people_author:create"),
        {"name": "Kofi Mensah", "email": "kofi@example.org", "bio": ""},
    )
    data = json.loads(response.content)
    assert data["step"] == "chosen"
    author = Author.objects.get(name="Kofi Mensah")
    assert author.slug == "kofi-mensah" and data["result"]["id"] == str(author.pk)


def test_the_chooser_refuses_a_new_author_without_a_name(editor_client):
    response = editor_client.post(
        reverse("wagtailsnippetchoosers_people_author:create"), {"name": "", "email": ""}
    )
    data = json.loads(response.content)
    assert data["step"] == "reshow_creation_form"
    assert "This field is required" in data["htmlFragment"]
    assert not Author.objects.exists()


def test_a_user_has_at_most_one_author_profile():
    user = get_user_model().objects.create_user("writer")
    AuthorFactory(name="Writer One", user=user)
    with pytest.raises(IntegrityError), transaction.atomic():
        AuthorFactory(name="Writer Two", user=user)


@pytest.fixture
def contributor_client(client, home):
    user = get_user_model().objects.create_user(
        "amina", "amina@example.org", "pw", first_name="Amina", last_name="Diallo"
    )
    user.groups.add(Group.objects.get(name="Contributors"))
    client.force_login(user)
    client.user = user
    return client


def test_a_contributor_creates_her_own_byline(contributor_client):
    url = reverse("people_my_byline")
    form = contributor_client.get(url).content.decode()
    assert 'value="Amina Diallo"' in form  # started from her account's name
    response = contributor_client.post(url, {"name": "Amina Diallo", "email": "", "bio": "Hi"})
    assert response.status_code == 302
    author = Author.objects.get(user=contributor_client.user)
    assert (author.name, author.slug, author.bio) == ("Amina Diallo", "amina-diallo", "Hi")

    contributor_client.post(url, {"name": "Amina K. Diallo", "email": "", "bio": "Hi"})
    author.refresh_from_db()
    assert Author.objects.count() == 1
    assert (author.name, author.slug) == ("Amina K. Diallo", "amina-diallo")  # address kept


def test_a_contributor_cannot_edit_another_author(contributor_client):
    other = AuthorFactory(name="Someone Else")
    response = contributor_client.get(
        reverse("wagtailsnippets_people_author:edit", args=[other.pk])
    )
    assert response.status_code in (302, 403)


def test_a_contributors_new_article_starts_with_her_byline(contributor_client, home):
    section = SectionFactory(parent=home)
    author = AuthorFactory(name="Amina Diallo", user=contributor_client.user)
    AuthorFactory(name="Not Her")
    url = reverse("wagtailadmin_pages:add", args=["news", "articlepage", section.pk])
    html = contributor_client.get(url).content.decode()
    assert 'name="article_authors-TOTAL_FORMS" value="1"' in html
    assert f'name="article_authors-0-author" value="{author.pk}"' in html


def test_without_a_byline_a_new_article_starts_with_none(editor_client, home):
    section = SectionFactory(parent=home)
    AuthorFactory(name="Not Mine")
    url = reverse("wagtailadmin_pages:add", args=["news", "articlepage", section.pk])
    html = editor_client.get(url).content.decode()
    assert 'name="article_authors-TOTAL_FORMS" value="0"' in html
