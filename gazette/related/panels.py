"""The article form's "You May Also Like" panels: the editors' picks and, read-only, the
computed similar articles."""

from modelcluster.forms import BaseChildFormSet
from wagtail.admin.panels import InlinePanel, Panel


class EditorsPickFormSet(BaseChildFormSet):
    def clean(self):
        super().clean()
        article = self.instance
        for form in self.forms:
            if self.can_delete and self._should_delete_form(form):
                continue
            pick = form.cleaned_data.get("pick") if hasattr(form, "cleaned_data") else None
            if pick is not None and article.pk is not None and pick.pk == article.pk:
                form.add_error("pick", "An article cannot be its own pick.")


class EditorsPicksPanel(InlinePanel):
    """The editors' own picks for the article, in their order, at most five."""

    def __init__(self, relation_name="editors_picks", **kwargs):
        kwargs.setdefault("label", "You May Also Like: editors' picks")
        kwargs.setdefault("max_num", 5)
        kwargs.setdefault(
            "help_text", "Shown to readers first, in this order, before the computed ones."
        )
        super().__init__(relation_name, **kwargs)

    def get_form_options(self):
        options = super().get_form_options()
        options["formsets"][self.relation_name]["formset"] = EditorsPickFormSet
        return options


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
