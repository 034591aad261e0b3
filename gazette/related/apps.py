from django.apps import AppConfig


class RelatedConfig(AppConfig):
    name = "gazette.related"
    label = "related"
    verbose_name = "You May Also Like"

    def ready(self):
        from gazette.news import editing, slots

        from . import signals
        from .panels import SimilarArticlesPanel, you_may_also_like_panel
        from .queries import article_page_reads

        signals.subscribe()
        slots.register("rail", "related/includes/you_may_also_like.html", order=10)
        slots.register_reads(article_page_reads)
        editing.register_article_panel(you_may_also_like_panel(), order=10)
        editing.register_article_panel(SimilarArticlesPanel(), order=20)
