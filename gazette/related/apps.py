from django.apps import AppConfig


class RelatedConfig(AppConfig):
    name = "gazette.related"
    label = "related"
    verbose_name = "You May Also Like"

    def ready(self):
        from . import signals

        signals.connect()
