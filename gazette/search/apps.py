from django.apps import AppConfig


class SiteSearchConfig(AppConfig):
    name = "gazette.search"
    # wagtail.search and modelsearch sit beside it; a label of its own avoids any clash.
    label = "site_search"
    verbose_name = "Site search"

    def ready(self):
        from django.db.models.signals import post_migrate

        from . import signals

        signals.subscribe()
        post_migrate.connect(signals.fill_after_first_migrate, sender=self)
