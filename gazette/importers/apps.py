from django.apps import AppConfig


class ImportersConfig(AppConfig):
    name = "gazette.importers"
    label = "importers"
