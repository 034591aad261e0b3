from django.apps import AppConfig


class PeopleConfig(AppConfig):
    name = "gazette.people"
    label = "people"
