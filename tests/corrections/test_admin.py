"""Editors write notes in the article's form; a published note cannot be deleted there, only
withdrawn with a reason, which the story's history keeps with the editor's name."""

import pytest
from django.urls import reverse
from wagtail.models import PageLogEntry
from wagtail.test.utils.form_data import inline_formset

from gazette.corrections.models import ArticleNote
from gazette.news.models import ArticlePage
from tests.admin_forms import article_form_data
from tests.factories import ArticleFactory, SectionFactory, add_note

pytestmark = pytest.mark.django_db


@pytest.fixture
def story(home):
    return ArticleFactory(parent=SectionFactory(parent=home), title="The vote")


def _post(client, article, notes, *, publish=True):
    data = article_form_data(
        article,
        correction_notes=inline_formset(notes, initial=len([n for n in notes if "id" in n])),
        action="publish" if publish else None,
    )
    return client.post(reverse("wagtailadmin_pages:edit", args=[article.pk]), data)


def _form_of(note: ArticleNote, **changes) -> dict:
    return {
        "id": note.pk,
        "kind": note.kind,
        "text": note.text,
        "withdrawn_reason": note.withdrawn_reason,
        **changes,
    }


def test_an_editor_adds_a_note_in_the_article_form(editor_client, story, client):
    html = editor_client.get(reverse("wagtailadmin_pages:edit", args=[story.pk])).content
    assert "Corrections and updates" in html.decode()
    response = _post(editor_client, story, [{"kind": "correction", "text": "Wrong date."}])
    assert response.status_code == 302
    note = ArticleNote.objects.get()
    assert note.published_at is not None and note.article_id == story.pk
    assert "Wrong date." in client.get(story.url).content.decode()


def test_deleting_a_published_note_is_refused_and_the_note_shown_again(editor_client, story):
    add_note(story, "Wrong date.")
    note = ArticleNote.objects.get()
    response = _post(editor_client, story, [_form_of(note, DELETE="1")])
    assert response.status_code == 200
    html = response.content.decode()
    assert "has been published: it stays with the story" in html
    # The form shows it again (the browser hides a child whose DELETE is "1").
    assert (
        '<input type="hidden" name="correction_notes-0-DELETE" id="id_correction_notes-0-DELETE">'
        in html
    )
    assert ArticleNote.objects.filter(pk=note.pk).exists()


def test_a_draft_note_never_published_may_be_deleted(editor_client, home):
    draft = ArticleFactory(parent=SectionFactory(parent=home), live=False)
    response = _post(editor_client, draft, [{"kind": "update", "text": "Soon."}], publish=False)
    assert response.status_code == 302
    page = ArticlePage.objects.get(pk=draft.pk)
    page.save()  # as creating it would: the note is written, untimed
    note = ArticleNote.objects.get()
    response = _post(editor_client, draft, [_form_of(note, DELETE="1")], publish=False)
    assert response.status_code == 302


def test_withdrawing_in_the_form_is_logged_with_the_editor(editor_client, story, client):
    add_note(story, "Wrong date.")
    note = ArticleNote.objects.get()
    response = _post(editor_client, story, [_form_of(note, withdrawn_reason="It was right.")])
    assert response.status_code == 302
    assert "Wrong date." not in client.get(story.url).content.decode()
    entry = PageLogEntry.objects.get(action="gazette_corrections.withdraw")
    assert entry.user.username == "editor" and entry.data["reason"] == "It was right."
    history = editor_client.get(reverse("wagtailadmin_pages:history", args=[story.pk]))
    assert "Withdrew Correction: “Wrong date.”. Why: It was right." in history.content.decode()
