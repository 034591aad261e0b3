from django.apps import AppConfig
from django.conf import settings


class AnalyticsConfig(AppConfig):
    name = "gazette.analytics"
    label = "analytics"
    verbose_name = "Reader analytics"

    def ready(self):
        from gazette.news import editing, slots

        from . import signals
        from .panels import ArticleFiguresPanel
        from .queries import article_page_reads

        signals.subscribe()
        slots.register("byline", "analytics/includes/view_count.html")
        slots.register("rail", "analytics/includes/popular_now.html", order=20)
        slots.register("article-scripts", "analytics/includes/view_script.html", order=10)
        slots.register_reads(article_page_reads)
        editing.register_article_panel(ArticleFiguresPanel(), order=90)
        uses_local_buffer = not getattr(settings, "GAZETTE_VIEWS_REDIS_URL", "")
        if uses_local_buffer and getattr(settings, "GAZETTE_VIEWS_FLUSH_IN_PROCESS", True):
            from .counters import stop_gracefully_on_sigterm

            stop_gracefully_on_sigterm()
