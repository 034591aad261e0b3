from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "gazette.core"
    label = "core"
