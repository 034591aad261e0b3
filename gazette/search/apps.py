from django.apps import AppConfig


class SiteSearchConfig(AppConfig):
    name = "gazette.search"
    # wagtail.search and modelsearch sit beside it; a label of its own avoids any clash.
    label = "site_search"
    verbose_name = "Site search"
