from django.apps import AppConfig


class NewsConfig(AppConfig):
    name = "gazette.news"
    label = "news"

    def ready(self):
        from . import signals

        signals.connect()
