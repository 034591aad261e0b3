from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "gazette.core"
    label = "core"

    def ready(self):
        from django.db import models
        from django.db.models.signals import post_delete, post_migrate, post_save
        from wagtail.admin.forms.models import register_form_field_override
        from wagtail.admin.widgets import AdminDateTimeInput
        from wagtail.models import Locale

        from . import compat, editions, newsroom_time, shared_parts, site_address

        # base.html's blocks found once, not on every page rendered from it.
        compat.keep_root_template_blocks()

        # Times editors type (go-live, expiry...) in the newsroom's zone, DST nights included.
        compat.default_admin_time_zone(newsroom_time.newsroom_zone_name)
        register_form_field_override(
            models.DateTimeField,
            override={
                "widget": AdminDateTimeInput,
                "form_class": newsroom_time.NewsroomDateTimeField,
            },
        )

        for model in shared_parts.site_models():
            for signal in (post_save, post_delete):
                signal.connect(
                    shared_parts.retire_on_site_change,
                    sender=model,
                    dispatch_uid=f"shared-parts-{model._meta.label}-{signal is post_save}",
                )

        # A page of another language edition routed without a query for its Locale.
        compat.answer_active_locale_from(editions.locale_ids, editions.active_language)
        for signal in (post_save, post_delete):
            signal.connect(
                editions.retire_on_locale_change,
                sender=Locale,
                dispatch_uid=f"shared-parts-locale-{signal is post_save}",
            )

        # Production gives the site its address in GAZETTE_BASE_URL (gazette.core.site_address).
        post_migrate.connect(
            site_address.apply_base_url_setting, sender=self, dispatch_uid="gazette-base-url"
        )
