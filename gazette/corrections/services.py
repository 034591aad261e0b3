"""What happens to notes when their story is saved: times set once, withdrawals and removals
written in the story's history.

Notes are child rows of the article (django-modelcluster): a full save of the article writes
them from what the editor (or a revision) holds, right after the article's row. news announces
that save (``article_changed``) before the notes are written, so this module sees both the
notes as they were and as they are about to be, and:

- sets a note's time when it first reaches readers (the story is live), and never again: a
  revision or a form cannot move it;
- when a published note is withdrawn (an editor gave a reason), or taken away without one (a
  revision from before it was published, a script), or brought back, logs it in Wagtail's
  history of the story: who, when, the note, and why.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence

from django.utils import timezone
from wagtail.log_actions import get_active_log_context, log

from gazette.core import compat
from gazette.news.models import ArticlePage

from .models import ArticleNote

WITHDRAW_ACTION = "gazette_corrections.withdraw"
REMOVE_ACTION = "gazette_corrections.remove"
REINSTATE_ACTION = "gazette_corrections.reinstate"
REMOVED_WITHOUT_REASON = "Taken off the story by publishing a version without it."


def record_note_changes(*, article: ArticlePage, notes: Sequence[ArticleNote]) -> None:
    """Called as ``article`` is saved with ``notes`` (not written yet): set their times,
    keep what only the server may set, and log what readers stop (or start again) seeing."""
    now = timezone.now()
    before = {note.pk: note for note in ArticleNote.objects.filter(article_id=article.pk)}
    _recognise(notes, before)
    user = functools.cache(lambda: _acting_user(article))  # read only if something is logged
    for note in notes:
        stored = before.get(note.pk)
        if stored is not None:
            # The stored times are the truth: an old revision or a form does not reset them.
            note.published_at, note.withdrawn_at = stored.published_at, stored.withdrawn_at
        if note.withdrawn_reason and note.withdrawn_at is None:
            if note.published_at is not None:
                note.withdrawn_at = now
                _log(article, WITHDRAW_ACTION, note, user(), reason=note.withdrawn_reason)
        elif not note.withdrawn_reason and note.withdrawn_at is not None:
            note.withdrawn_at = None
            _log(article, REINSTATE_ACTION, note, user())
        if note.published_at is None and article.live and not note.withdrawn_reason:
            note.published_at = now
    kept = {note.pk for note in notes if note.pk is not None}
    for pk, stored in before.items():
        if pk not in kept and stored.published_at and stored.withdrawn_at is None:
            _log(article, REMOVE_ACTION, stored, user(), reason=REMOVED_WITHOUT_REASON)


def _recognise(notes: Sequence[ArticleNote], before: dict[int, ArticleNote]) -> None:
    """Give a note without an id the id of the stored note it is. A revision saved before its
    notes were first written knows them without ids (publishing that revision again, a revert,
    would otherwise delete each note and write it anew, with a new time)."""
    unclaimed = [stored for pk, stored in before.items() if pk not in {n.pk for n in notes}]
    for note in notes:
        if note.pk is not None:
            continue
        same = next((s for s in unclaimed if (s.kind, s.text) == (note.kind, note.text)), None)
        if same is not None:
            unclaimed.remove(same)
            compat.mark_as_stored(note, same.pk)


def _acting_user(article: ArticlePage):
    """The editor acting in the admin; else (the scheduler publishing) the author of the
    revision going live."""
    user = get_active_log_context().user
    if user is None and article.live_revision_id:
        revision = article.live_revision
        user = revision.user if revision is not None else None
    return user


def _log(article: ArticlePage, action: str, note: ArticleNote, user, *, reason: str = "") -> None:
    log(
        instance=article,
        action=action,
        user=user,
        data={
            "note": {
                "kind": note.kind,
                "label": note.get_kind_display(),
                "text": note.text,
                "published_at": note.published_at.isoformat() if note.published_at else None,
            },
            "reason": reason,
        },
    )


# -- the article event ---------------------------------------------------------------------------


def _article_changed(sender, article, update_fields=None, **kwargs):
    # Only a full save (creating, publishing) writes the notes; a draft saved writes named
    # fields of the page alone.
    if update_fields is not None or article.pk is None:
        return
    manager = article.correction_notes
    if manager.is_deferring:  # notes in hand: they are written right after this
        record_note_changes(article=article, notes=list(manager.all()))


def subscribe() -> None:
    from gazette.news import lifecycle

    lifecycle.article_changed.connect(_article_changed, dispatch_uid="corrections-notes")
