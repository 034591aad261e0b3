from django.apps import AppConfig


class DistributionConfig(AppConfig):
    name = "gazette.distribution"
    label = "distribution"
    verbose_name = "Distribution: feeds, sitemaps, structured data, public API"

    def ready(self):
        from gazette.news import slots

        from . import purge

        purge.subscribe()
        slots.register("article-head", "distribution/article_head.html")
