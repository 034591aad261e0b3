from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "gazette.core"
    label = "core"

    def ready(self):
        from django.db.models.signals import post_delete, post_save

        from . import shared_parts

        for model in shared_parts.site_models():
            for signal in (post_save, post_delete):
                signal.connect(
                    shared_parts.retire_on_site_change,
                    sender=model,
                    dispatch_uid=f"shared-parts-{model._meta.label}-{signal is post_save}",
                )
