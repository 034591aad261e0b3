from django.db import models
from wagtail.contrib.settings.models import BaseSiteSetting, register_setting


@register_setting(icon="site")
class SiteIdentity(BaseSiteSetting):
    """What the site calls itself in its header, titles and footer."""

    name = models.CharField(max_length=100, default="Gazette", help_text="The publication's name.")
    footer_text = models.CharField(
        max_length=300,
        blank=True,
        help_text="A line at the foot of every page, e.g. the publisher and a copyright notice.",
    )

    class Meta:
        verbose_name = "site identity"
