from django.apps import AppConfig


class ChecksConfig(AppConfig):
    name = "gazette.checks"
    label = "checks"
    verbose_name = "Checks before publishing"

    def ready(self):
        from gazette.news import slots

        # In the editor's preview only: what the accessibility checker reads (accessibility.py).
        slots.register("after-article", "checks/preview_markers.html", order=1000)
