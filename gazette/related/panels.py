"""The article form's "You May Also Like" panel: the editors' picks, the articles they
exclude and, read-only, the computed similar articles."""

from modelcluster.forms import BaseChildFormSet
from wagtail.admin.panels import InlinePanel, MultiFieldPanel, Panel


class NotItselfFormSet(BaseChildFormSet):
    """Rows naming another article: the article being edited cannot be one of them."""

    field_name = ""
    message = ""

    def clean(self):
        super().clean()
        article = self.instance
        for form in self.forms:
            if self.can_delete and self._should_delete_form(form):
                continue
            chosen = (
                form.cleaned_data.get(self.field_name) if hasattr(form, "cleaned_data") else None
            )
            if chosen is not None and article.pk is not None and chosen.pk == article.pk:
                form.add_error(self.field_name, self.message)


class EditorsPickFormSet(NotItselfFormSet):
    field_name = "pick"
    message = "An article cannot be its own pick."

    def clean(self):
        super().clean()
        from .queries import why_pick_not_shown

        for form in self.forms:
            if self.can_delete and self._should_delete_form(form):
                continue
            chosen = getattr(form, "cleaned_data", {}).get(self.field_name)
            if chosen is None or form.errors:
                continue
            # A restricted article can never be shown under a public one: refuse it and say
            # why. One that is merely unpublished is kept: it shows once it goes live.
            reason = why_pick_not_shown(chosen)
            if reason.startswith("Only some readers"):
                form.add_error(self.field_name, f"“{chosen.title}” cannot be picked. {reason}")


class EditorsExclusionFormSet(NotItselfFormSet):
    field_name = "excluded"
    message = "An article is never listed under itself: no need to exclude it."


class _ChoicesPanel(InlinePanel):
    formset_class = BaseChildFormSet

    def get_form_options(self):
        options = super().get_form_options()
        options["formsets"][self.relation_name]["formset"] = self.formset_class
        return options


class EditorsPicksPanel(_ChoicesPanel):
    """The editors' own picks for the article, in their order, at most five."""

    formset_class = EditorsPickFormSet

    class BoundPanel(InlinePanel.BoundPanel):
        template_name = "related/panels/editors_picks.html"

        def get_context_data(self, parent_context=None):
            from .queries import picks_not_shown

            context = super().get_context_data(parent_context)
            context["picks_not_shown"] = picks_not_shown(self.instance)
            return context

    def __init__(self, relation_name="editors_picks", **kwargs):
        kwargs.setdefault("label", "You May Also Like: editors' picks")
        kwargs.setdefault("max_num", 5)
        kwargs.setdefault(
            "help_text", "Shown to readers first, in this order, before the computed ones."
        )
        super().__init__(relation_name, **kwargs)


class EditorsExclusionsPanel(_ChoicesPanel):
    """Computed articles the editors keep off the article's list."""

    formset_class = EditorsExclusionFormSet

    def __init__(self, relation_name="editors_exclusions", **kwargs):
        kwargs.setdefault("label", "You May Also Like: never show")
        kwargs.setdefault(
            "help_text",
            "Articles kept off this list however similar they are; the next one takes the "
            "place. Recomputing the list keeps them off. A pick above still shows.",
        )
        super().__init__(relation_name, **kwargs)


def you_may_also_like_panel() -> MultiFieldPanel:
    """The editors' side of the list in one panel: what to show first, what never to show."""
    return MultiFieldPanel(
        [EditorsPicksPanel(), EditorsExclusionsPanel()],
        heading="You May Also Like: editors' choices",
    )


class SimilarArticlesPanel(Panel):
    """Lists the stored similar articles of the article being edited, with their score and
    the reason they were chosen. Nothing to edit: the recompute task keeps them."""

    def __init__(self, **kwargs):
        kwargs.setdefault("heading", "You May Also Like: similar articles (computed)")
        kwargs.setdefault(
            "help_text",
            "Recomputed from the text, tags and section whenever an article is published. "
            "Readers see your picks above first, then these, then the newest of the section.",
        )
        super().__init__(**kwargs)

    @property
    def clean_name(self):
        return super().clean_name or "similar_articles"

    class BoundPanel(Panel.BoundPanel):
        template_name = "related/panels/similar_articles.html"

        def get_context_data(self, parent_context=None):
            from .models import SimilarArticle

            context = super().get_context_data(parent_context)
            rows = []
            if self.instance.pk:
                rows = list(
                    SimilarArticle.objects.filter(article_id=self.instance.pk)
                    .select_related("similar", "similar__section")
                    .order_by("rank")
                )
            context["rows"] = rows
            return context
