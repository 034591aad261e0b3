from django.apps import AppConfig


class DistributionConfig(AppConfig):
    name = "gazette.distribution"
    label = "distribution"
    verbose_name = "Distribution: feeds, sitemaps, structured data, public API"
