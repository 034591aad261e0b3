from django.apps import AppConfig


class NewsConfig(AppConfig):
    name = "gazette.news"
    label = "news"
