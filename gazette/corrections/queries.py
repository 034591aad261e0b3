"""Reading notes: those on an article page, those of many articles for machines, and the
corrections page's."""

from __future__ import annotations

from collections.abc import Sequence

from django.db.models import Prefetch

from gazette.news.models import ArticlePage
from gazette.news.syndication import PublicNote

from .models import ArticleNote, NoteKind, UpdatesPosition

# Where the article page's query leaves the article's public notes (``load_with_article_page``).
LOADED = "public_correction_notes"


def article_page_prefetch() -> Prefetch:
    return Prefetch(
        "correction_notes", queryset=ArticleNote.objects.public().oldest_first(), to_attr=LOADED
    )


def notes_on_page(article: ArticlePage) -> list[ArticleNote]:
    """The notes readers see on the article, oldest first: those the article page loaded with
    it (no query); in a preview, the draft's own (withdrawn ones left out)."""
    loaded = getattr(article, LOADED, None)
    if loaded is not None:
        return loaded
    manager = article.correction_notes
    if manager.is_deferring:
        notes = [note for note in manager.all() if not note.withdrawn_reason]
        return sorted(notes, key=lambda note: (note.published_at is None, note.published_at))
    if article.pk is None:
        return []
    return list(ArticleNote.objects.public().filter(article_id=article.pk).oldest_first())


def placed(notes: Sequence[ArticleNote], *, position: str, updates_position: str) -> list:
    """The notes shown at ``position`` ("top" or "bottom") of the story: everything but the
    updates at the top, the updates where the site's settings put them."""

    def shown_here(note: ArticleNote) -> bool:
        where = updates_position if note.kind == NoteKind.UPDATE else UpdatesPosition.TOP
        return where == position

    return [note for note in notes if shown_here(note)]


def public_notes(articles: Sequence[ArticlePage]) -> dict[int, list[PublicNote]]:
    """The public notes of each article, oldest first: loaded ones as they are, the others'
    in one query."""
    found: dict[int, list[ArticleNote]] = {}
    missing = []
    for article in articles:
        loaded = getattr(article, LOADED, None)
        if loaded is None:
            missing.append(article.pk)
        else:
            found[article.pk] = list(loaded)
    if missing:
        rows = ArticleNote.objects.public().filter(article_id__in=missing).oldest_first()
        for note in rows:
            found.setdefault(note.article_id, []).append(note)
    return {
        article_id: [as_public(note) for note in notes if note.published_at]
        for article_id, notes in found.items()
    }


def as_public(note: ArticleNote) -> PublicNote:
    return PublicNote(
        kind=note.kind,
        label=note.get_kind_display(),
        text=note.text,
        published_at=note.published_at,
        is_correction=note.is_correcting,
    )


def corrections_page_notes():
    """The corrections page's notes, newest first: the corrections, clarifications and
    editor's notes readers can see, with their stories and sections (one query a page)."""
    return (
        ArticleNote.objects.public()
        .accountable()
        # The active language's edition: /ko/corrections/ notes the Korean stories.
        .filter(article__in=ArticlePage.objects.readable().in_edition().values("pk"))
        .select_related("article", "article__section")
        .defer("article__body")
        .newest_first()
    )
