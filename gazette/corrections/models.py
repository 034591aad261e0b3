"""Notes to readers on a story: corrections, clarifications, updates and editor's notes.

Editors write them in the article's form (its "Corrections and updates" panel); they are part
of the article, so readers see a note when the story is published with it. Its time is set
then, once. A published note is never deleted: an editor withdraws it with a reason, and the
story's history keeps who did so, when and why (``services``).
"""

from __future__ import annotations

from django.db import models
from django.db.models import F
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey
from wagtail.admin.panels import FieldPanel
from wagtail.contrib.settings.models import BaseSiteSetting, register_setting

from gazette.core.shared_parts import SitePart


class NoteKind(models.TextChoices):
    CORRECTION = "correction", _("Correction")
    CLARIFICATION = "clarification", _("Clarification")
    UPDATE = "update", _("Update")
    EDITORS_NOTE = "editors-note", _("Editor's note")


# Kinds that say the story was wrong or unclear: at the top of the story always, on the
# corrections page, and schema.org CorrectionComments.
CORRECTING_KINDS = (NoteKind.CORRECTION, NoteKind.CLARIFICATION)
# Kinds the corrections page lists: what the newsroom owes readers an account of.
ACCOUNTABLE_KINDS = (*CORRECTING_KINDS, NoteKind.EDITORS_NOTE)


class ArticleNoteQuerySet(models.QuerySet):
    def public(self) -> ArticleNoteQuerySet:
        """Notes readers see on their story: published with it, not withdrawn."""
        return self.filter(published_at__isnull=False, withdrawn_at__isnull=True)

    def accountable(self) -> ArticleNoteQuerySet:
        return self.filter(kind__in=ACCOUNTABLE_KINDS)

    def oldest_first(self) -> ArticleNoteQuerySet:
        return self.order_by(F("published_at").asc(nulls_last=True), "pk")

    def newest_first(self) -> ArticleNoteQuerySet:
        return self.order_by(F("published_at").desc(nulls_last=True), "-pk")


class ArticleNote(models.Model):
    article = ParentalKey(
        "news.ArticlePage", on_delete=models.CASCADE, related_name="correction_notes"
    )
    kind = models.CharField(
        max_length=20,
        choices=NoteKind.choices,
        default=NoteKind.CORRECTION,
        help_text="Corrections, clarifications and editor's notes show at the top of the story "
        "and on the corrections page; updates where the site's correction settings say.",
    )
    text = models.TextField(
        max_length=1000,
        help_text="What readers should know, e.g. 'An earlier version of this story gave the "
        "wrong date for the vote. It is on 4 May.'",
    )
    published_at = models.DateTimeField(
        null=True,
        blank=True,
        editable=False,
        help_text="When readers first saw the note: set when the story is published with it.",
    )
    withdrawn_reason = models.TextField(
        blank=True,
        max_length=500,
        verbose_name="withdraw it: why",
        help_text="A published note is not deleted. To take it off the story, say here why "
        "and publish: the story's history keeps the note, your name, the time and the reason.",
    )
    withdrawn_at = models.DateTimeField(null=True, blank=True, editable=False)

    objects = ArticleNoteQuerySet.as_manager()

    panels = [FieldPanel("kind"), FieldPanel("text"), FieldPanel("withdrawn_reason")]

    class Meta:
        indexes = [models.Index(fields=["published_at"], name="corrections_note_published")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.text[:60]}"

    @property
    def is_published(self) -> bool:
        return self.published_at is not None

    @property
    def is_correcting(self) -> bool:
        return self.kind in CORRECTING_KINDS


class UpdatesPosition(models.TextChoices):
    TOP = "top", "At the top of the story, with the corrections"
    BOTTOM = "bottom", "At the end of the story"


@register_setting(icon="edit")
class CorrectionSettings(BaseSiteSetting):
    updates_position = models.CharField(
        max_length=10,
        choices=UpdatesPosition.choices,
        default=UpdatesPosition.TOP,
        verbose_name="updates",
        help_text="Where stories show their updates. Corrections, clarifications and editor's "
        "notes are always at the top.",
    )

    panels = [FieldPanel("updates_position")]

    class Meta:
        verbose_name = "correction settings"

    @classmethod
    def for_page(cls, request) -> CorrectionSettings:
        """The settings of the request's site, read without writing (defaults until an
        editor saves them), cached until a setting is saved (gazette.core.shared_parts)."""
        return CORRECTION_SETTINGS.get(request)

    @classmethod
    def of_site(cls, site) -> CorrectionSettings:
        return (cls.objects.filter(site=site).first() if site else None) or cls(site=site)


# Shown by the article's before-body and after-body slots alone, kept as HTML per live
# revision: read when those are rendered again, not with every page's site parts.
CORRECTION_SETTINGS = SitePart("correction-settings", CorrectionSettings.of_site, preload=False)
