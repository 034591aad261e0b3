"""A page's history lists the editor's saves, not each autosave: autosaves between two of her
saves are folded into the later one; those since her last save show as one line."""

import re

import pytest
from django.urls import reverse
from wagtail.models import PageLogEntry

from tests.admin_forms import article_form_data
from tests.factories import ArticleFactory, SectionFactory

pytestmark = pytest.mark.django_db


class EditingSession:
    """The edit view as the browser drives it: the form loaded once, autosaves posting for
    JSON and overwriting the revision the first one made, the editor's Save draft button."""

    def __init__(self, client, article):
        self.client, self.article = client, article
        self.url = reverse("wagtailadmin_pages:edit", args=[article.pk])
        self.open()

    def open(self):
        html = self.client.get(self.url).content.decode()
        loaded = r'name="(loaded_revision_id|loaded_revision_created_at)" value="([^"]*)"'
        self.loaded = dict(re.findall(loaded, html))
        self.overwrite = None

    def _data(self, text):
        data = article_form_data(self.article, body=text)
        data.update(self.loaded)
        if self.overwrite:
            data["overwrite_revision_id"] = self.overwrite
        return data

    def autosave(self, text):
        response = self.client.post(self.url, self._data(text), HTTP_ACCEPT="application/json")
        assert response.json()["success"] is True
        self.overwrite = str(response.json()["revision_id"])

    def save_draft(self, text):
        response = self.client.post(self.url, self._data(text))
        assert response.status_code == 302
        self.open()  # the edit view loads again


def _history_lines(client, article) -> int:
    html = client.get(reverse("wagtailadmin_pages:history", args=[article.pk])).content.decode()
    return html.count("Draft saved")


@pytest.fixture
def article(home, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    return ArticleFactory(parent=SectionFactory(parent=home))


def test_the_history_shows_one_line_per_save_of_the_editor(editor_client, article):
    session = EditingSession(editor_client, article)
    for text in ["Fir", "First dra", "First draft."]:
        session.autosave(text)
    session.save_draft("First draft.")
    assert _history_lines(editor_client, article) == 1

    for text in ["Second", "Second draft."]:
        session.autosave(text)
    session.save_draft("Second draft, saved.")
    assert _history_lines(editor_client, article) == 2

    session.autosave("Third, not saved by the editor yet")
    session.autosave("Third, not saved by the editor yet, longer")
    assert _history_lines(editor_client, article) == 3  # her two saves, the autosaves since

    # Every autosave is still in the audit log, marked as one.
    edits = PageLogEntry.objects.filter(page=article, action="wagtail.edit")
    assert edits.count() == 9
    assert edits.filter(data__autosave=True).count() == 7


def test_autosaves_of_several_visits_are_one_line_until_the_editor_saves(editor_client, article):
    session = EditingSession(editor_client, article)
    session.autosave("Morning")
    session.open()  # she comes back to the article later: a new editing session
    session.autosave("Morning, then noon")
    session.open()
    session.autosave("Morning, noon, evening")
    assert _history_lines(editor_client, article) == 1
    session.save_draft("Morning, noon, evening.")
    assert _history_lines(editor_client, article) == 1
