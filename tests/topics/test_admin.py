"""Editors rename and merge topics in the admin; each change is in the topic's history, and
no topic is added or deleted there."""

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse
from taggit.models import Tag
from wagtail.models import ModelLogEntry

from gazette.topics.models import Topic, TopicRedirect
from tests.factories import ArticleFactory, SectionFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def tagged(home):
    world = SectionFactory(parent=home, title="World", slug="world")
    ArticleFactory(parent=world, tags=["Climate", "Warming"])
    ArticleFactory(parent=world, live=False, tags=["Climate"])
    return world


def test_the_topics_list_shows_every_topic_with_its_stories(editor_client, tagged):
    html = editor_client.get(reverse("topics_admin:index")).content.decode()
    assert "Climate" in html and "Warming" in html
    assert reverse("topics_admin:merge", args=[Tag.objects.get(name="Warming").pk]) in html
    assert reverse("topics_admin:add") not in html
    search = editor_client.get(reverse("topics_admin:index"), {"q": "warm"}).content.decode()
    assert "Warming" in search and ">Climate<" not in search


def test_renaming_in_the_admin_keeps_the_old_address_and_logs_it(editor_client, tagged, client):
    tag = Tag.objects.get(name="Climate")
    response = editor_client.post(
        reverse("topics_admin:edit", args=[tag.pk]),
        {"name": "Climate crisis", "slug": "climate-crisis", "description": "Hotter."},
    )
    assert response.status_code == 302
    tag.refresh_from_db()
    assert (tag.name, tag.slug) == ("Climate crisis", "climate-crisis")
    assert Topic.objects.get(tag=tag).description == "Hotter."
    assert TopicRedirect.objects.get(old_slug="climate").tag == tag
    entry = ModelLogEntry.objects.get(action="gazette_topics.rename")
    assert entry.user.username == "editor" and entry.data["old"]["slug"] == "climate"
    history = editor_client.get(reverse("topics_admin:history", args=[tag.pk])).content.decode()
    assert "Renamed from “Climate” (/topics/climate/)" in history
    assert client.get("/topics/climate/")["Location"] == "/topics/climate-crisis/"


def test_a_rename_onto_another_topic_is_refused_in_the_form(editor_client, tagged):
    tag = Tag.objects.get(name="Warming")
    response = editor_client.post(
        reverse("topics_admin:edit", args=[tag.pk]),
        {"name": "Climate", "slug": "warming", "description": ""},
    )
    assert response.status_code == 200
    assert "already exists" in response.content.decode() or "merge" in response.content.decode()
    assert Tag.objects.get(pk=tag.pk).name == "Warming"


def test_merging_in_the_admin(editor_client, tagged):
    source, target = Tag.objects.get(name="Warming"), Tag.objects.get(name="Climate")
    url = reverse("topics_admin:merge", args=[source.pk])
    form = editor_client.get(url).content.decode()
    assert "Merge “Warming”" in form and f'<option value="{target.pk}">Climate</option>' in form
    response = editor_client.post(url, {"target": target.pk})
    assert response.status_code == 302
    assert not Tag.objects.filter(pk=source.pk).exists()
    assert TopicRedirect.objects.get(old_slug="warming").tag == target
    assert ModelLogEntry.objects.get(action="gazette_topics.merge").data["merged"]["name"] == (
        "Warming"
    )
    # Merging into nothing, or into itself, is a message, not an error.
    again = editor_client.post(reverse("topics_admin:merge", args=[target.pk]), {"target": ""})
    assert again.status_code == 200 and "This field is required" in again.content.decode()
    itself = editor_client.post(
        reverse("topics_admin:merge", args=[target.pk]), {"target": target.pk}
    )
    assert itself.status_code == 200


def test_nobody_adds_or_deletes_topics_here(editor_client, tagged):
    tag = Tag.objects.get(name="Climate")
    assert editor_client.get(reverse("topics_admin:add")).status_code in (302, 403)
    assert editor_client.post(reverse("topics_admin:delete", args=[tag.pk])).status_code in (
        302,
        403,
    )
    assert Tag.objects.filter(pk=tag.pk).exists()


def test_editors_manage_topics_and_contributors_do_not(client, tagged, django_user_model):
    editor = django_user_model.objects.create_user("ed", password="pw")
    editor.groups.add(Group.objects.get(name="Editors"))
    contributor = django_user_model.objects.create_user("con", password="pw")
    contributor.groups.add(Group.objects.get(name="Contributors"))
    tag = Tag.objects.get(name="Climate")
    client.force_login(editor)
    assert client.get(reverse("topics_admin:index")).status_code == 200
    assert client.get(reverse("topics_admin:merge", args=[tag.pk])).status_code == 200
    client.force_login(contributor)
    assert client.get(reverse("topics_admin:index")).status_code in (302, 403)
    assert client.get(reverse("topics_admin:merge", args=[tag.pk])).status_code in (302, 403)
