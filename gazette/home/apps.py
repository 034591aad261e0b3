from django.apps import AppConfig


class HomeConfig(AppConfig):
    name = "gazette.home"
    label = "home"
