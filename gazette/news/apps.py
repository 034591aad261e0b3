from django.apps import AppConfig


class NewsConfig(AppConfig):
    name = "gazette.news"
    label = "news"

    def ready(self):
        from . import lifecycle, purge, renditions

        lifecycle.connect()
        renditions.subscribe()
        purge.subscribe()
