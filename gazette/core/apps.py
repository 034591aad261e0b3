from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "gazette.core"
    label = "core"

    def ready(self):
        from . import purge

        purge.connect()
