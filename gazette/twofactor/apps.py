from django.apps import AppConfig


class TwoFactorConfig(AppConfig):
    name = "gazette.twofactor"
    label = "twofactor"
    verbose_name = "Two-factor authentication"
