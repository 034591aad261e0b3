"""A note's time is set once, when its story is published with it; a published note never
vanishes silently: withdrawn with a reason, or removed by a revision, it leaves an entry in
the story's history with who, when and why."""

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone
from wagtail.log_actions import LogContext
from wagtail.models import PageLogEntry

from gazette.corrections.models import ArticleNote
from gazette.news.models import ArticlePage
from tests.factories import ArticleFactory, SectionFactory, add_note

pytestmark = pytest.mark.django_db


@pytest.fixture
def story(home):
    return ArticleFactory(parent=SectionFactory(parent=home), title="The vote")


@pytest.fixture
def editor(django_user_model):
    return django_user_model.objects.create_user("kim", password="pw")


def _publish_latest(article, changes=None):
    """Open the story as an editor would, change its notes ({text: {field: value}}), publish."""
    page = ArticlePage.objects.get(pk=article.pk).get_latest_revision_as_object()
    notes = list(page.correction_notes.all())
    for note in notes:
        for name, value in (changes or {}).get(note.text, {}).items():
            setattr(note, name, value)
    page.correction_notes = notes  # in hand, as the form's are
    page.save_revision().publish()


def test_a_note_is_timed_when_published_and_keeps_its_time(story):
    published_at = timezone.now() + timedelta(hours=1)
    with time_machine.travel(published_at, tick=False):
        add_note(story, "The vote is on 4 May, not 5 May.")
    note = ArticleNote.objects.get()
    assert note.published_at == published_at
    with time_machine.travel(published_at + timedelta(days=1)):
        _publish_latest(story)  # republished for another reason
    assert ArticleNote.objects.get().published_at == published_at
    # The revision that added the note knows it without an id or a time: publishing it again
    # (a revert) keeps the note, its id and its time.
    with_note = ArticlePage.objects.get(pk=story.pk).revisions.order_by("pk")[1]
    assert with_note.content["correction_notes"][0]["pk"] is None
    with time_machine.travel(published_at + timedelta(days=2)):
        with_note.publish()
    assert ArticleNote.objects.get().published_at == published_at
    assert ArticleNote.objects.get().pk == note.pk


def test_a_draft_note_waits_for_the_publish(story, client):
    add_note(story, "Not yet.", publish=False)
    assert not ArticleNote.objects.exists()  # the story's rows change when it is published
    assert "Not yet." not in client.get(story.url).content.decode()
    _publish_latest(story)
    assert ArticleNote.objects.get().published_at is not None


def test_a_note_on_a_story_never_live_has_no_time_until_it_goes_live(home):
    draft = ArticleFactory(parent=SectionFactory(parent=home), live=False)
    add_note(draft, "Written before publication.", publish=False)
    page = ArticlePage.objects.get(pk=draft.pk).get_latest_revision_as_object()
    page.save()  # a full save of a story that is not live writes the notes untimed
    assert ArticleNote.objects.get().published_at is None
    ArticlePage.objects.get(pk=draft.pk).save_revision().publish()
    assert ArticleNote.objects.get().published_at is not None


def test_withdrawing_a_note_hides_it_and_logs_who_when_and_why(story, editor, client):
    add_note(story, "Wrong date.")
    with time_machine.travel(timezone.now() + timedelta(hours=2), tick=False) as moment:
        with LogContext(user=editor):
            _publish_latest(story, {"Wrong date.": {"withdrawn_reason": "It was right."}})
        withdrawn_at = timezone.now()
    note = ArticleNote.objects.get()
    assert note.withdrawn_at == withdrawn_at and note.published_at is not None
    assert "Wrong date." not in client.get(story.url).content.decode()
    entry = PageLogEntry.objects.get(action="gazette_corrections.withdraw")
    assert entry.page_id == story.pk and entry.user == editor
    assert entry.timestamp == withdrawn_at
    assert entry.data["reason"] == "It was right."
    assert entry.data["note"]["text"] == "Wrong date."
    assert moment


def test_a_note_removed_by_publishing_a_revision_without_it_is_logged(story, editor):
    before = ArticlePage.objects.get(pk=story.pk).latest_revision
    add_note(story, "A correction.")
    with LogContext(user=editor):
        before.publish()  # an editor reverts to the version before the note
    assert not ArticleNote.objects.exists()
    entry = PageLogEntry.objects.get(action="gazette_corrections.remove")
    assert entry.user == editor and entry.data["note"]["text"] == "A correction."
    assert "without it" in entry.data["reason"]


def test_a_withdrawn_note_brought_back_by_a_revert_is_logged(story, editor):
    add_note(story, "A correction.")
    shown = ArticlePage.objects.get(pk=story.pk).latest_revision
    with LogContext(user=editor):
        _publish_latest(story, {"A correction.": {"withdrawn_reason": "Mistake."}})
        shown.publish()
    note = ArticleNote.objects.get()
    assert note.withdrawn_at is None and note.withdrawn_reason == ""
    assert PageLogEntry.objects.filter(action="gazette_corrections.reinstate").count() == 1


def test_a_withdrawal_the_scheduler_publishes_is_credited_to_the_revisions_author(story, editor):
    add_note(story, "A correction.")
    page = ArticlePage.objects.get(pk=story.pk).get_latest_revision_as_object()
    notes = list(page.correction_notes.all())
    notes[0].withdrawn_reason = "Superseded."
    page.correction_notes = notes
    revision = page.save_revision(user=editor)
    revision.publish()  # nobody signed in: as the scheduler publishes
    entry = PageLogEntry.objects.get(action="gazette_corrections.withdraw")
    assert entry.user == editor and entry.data["reason"] == "Superseded."
