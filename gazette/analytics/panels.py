"""The article form's "Readers" panel: views in the last day and in total, a chart by hour
(server-drawn SVG, no script) and the article's place in Popular Now."""

from wagtail.admin.panels import Panel


class ArticleFiguresPanel(Panel):
    def __init__(self, **kwargs):
        kwargs.setdefault("heading", "Readers: views and Popular Now")
        super().__init__(**kwargs)

    @property
    def clean_name(self):
        return super().clean_name or "article_figures"

    class BoundPanel(Panel.BoundPanel):
        template_name = "analytics/admin/article_figures.html"

        def get_context_data(self, parent_context=None):
            from gazette.core.wording import count_of

            from .charts import hourly_chart
            from .queries import article_figures, popular_window

            context = super().get_context_data(parent_context)
            if self.instance.pk is None:
                context["figures"] = None
                return context
            figures = article_figures(self.instance)
            hours = int(popular_window().total_seconds() // 3600)
            context.update(
                figures=figures,
                window_hours=hours,
                recent=count_of(figures["views_recent"], "view", "views"),
                total=count_of(figures["views_total"], "view", "views"),
                chart=hourly_chart(figures["per_hour"]),
            )
            return context
