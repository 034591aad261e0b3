from django.apps import AppConfig


class UsersConfig(AppConfig):
    name = "gazette.users"
    label = "users"
    verbose_name = "Users"
