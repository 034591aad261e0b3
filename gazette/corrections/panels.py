"""The article form's "Corrections and updates" panel: the story's notes, in order. A
published note cannot be deleted there, only withdrawn with a reason."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from modelcluster.forms import BaseChildFormSet
from wagtail.admin.panels import InlinePanel

from .models import ArticleNote

REFUSED_DELETION = (
    "“%(text)s” has been published: it stays with the story. To take it off, write why under "
    "“Withdraw it: why” and publish; the story's history keeps the reason."
)


def _published_ids(forms) -> set[int]:
    ids = [form.instance.pk for form in forms if form.instance.pk]
    if not ids:
        return set()
    published = ArticleNote.objects.filter(pk__in=ids, published_at__isnull=False)
    return set(published.values_list("pk", flat=True))


class NotesFormSet(BaseChildFormSet):
    def clean(self):
        super().clean()
        deleted = [
            form for form in self.forms if self.can_delete and self._should_delete_form(form)
        ]
        published = _published_ids(deleted)
        refused = [form for form in deleted if form.instance.pk in published]
        if refused:
            self.refused_deletions = refused
            raise ValidationError(
                [REFUSED_DELETION % {"text": form.instance.text[:80]} for form in refused]
            )


class NotesPanel(InlinePanel):
    """The story's notes to readers: corrections, clarifications, updates, editor's notes."""

    def __init__(self, relation_name="correction_notes", **kwargs):
        kwargs.setdefault("label", "Corrections and updates")
        kwargs.setdefault(
            "help_text",
            "Notes readers see with the story, each timed when the story is published with it. "
            "A published note cannot be deleted: withdraw it with a reason.",
        )
        super().__init__(relation_name, **kwargs)

    def get_form_options(self):
        options = super().get_form_options()
        options["formsets"][self.relation_name]["formset"] = NotesFormSet
        return options

    class BoundPanel(InlinePanel.BoundPanel):
        def __init__(self, **kwargs):
            super().__init__(**kwargs)
            # A refused deletion shows the note again (the browser had hidden it as deleted).
            for form in getattr(self.formset, "refused_deletions", ()):
                data = form.data.copy()
                data[form.add_prefix("DELETE")] = ""
                form.data = data
