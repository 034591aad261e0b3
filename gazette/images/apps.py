from django.apps import AppConfig


class ImagesConfig(AppConfig):
    name = "gazette.images"
    label = "images"
