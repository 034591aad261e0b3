"""The newsroom's checks before publishing, per site: which block, which only warn."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from wagtail.admin.panels import FieldPanel, FieldRowPanel, MultiFieldPanel
from wagtail.contrib.settings.models import BaseSiteSetting, register_setting
from wagtail.models import Site


class Mode(models.TextChoices):
    BLOCK = "block", "Block publishing"
    WARN = "warn", "Warn, publish anyway"
    OFF = "off", "Off"


def _mode(help_text: str) -> models.CharField:
    return models.CharField(
        max_length=5, choices=Mode.choices, default=Mode.WARN, help_text=help_text
    )


@register_setting(icon="tasks")
class PublishingChecks(BaseSiteSetting):
    """What an article must have before it is published. A blocking check stops the publish
    (the draft is kept); editors with the "publish despite failed checks" permission may
    publish anyway with a reason, which is logged. A warning is shown and the story goes out."""

    lead_image = _mode("The lead image, if there is one, has alt text and a credit.")
    body_images = _mode("Every picture in the body has alt text and a credit.")
    byline = _mode("At least one author.")
    section = _mode("The story is in a section.")
    headline_length = _mode("The headline is within the lengths below.")
    headline_min = models.PositiveIntegerField(default=10, help_text="Characters, at least.")
    headline_max = models.PositiveIntegerField(default=110, help_text="Characters, at most.")
    standfirst_length = _mode("The standfirst is within the lengths below.")
    standfirst_min = models.PositiveIntegerField(
        default=0, help_text="Characters, at least. 0: a story may have none."
    )
    standfirst_max = models.PositiveIntegerField(default=300, help_text="Characters, at most.")
    links = _mode(
        "No link in the body to a page that is not live (a draft), to the admin or to "
        "localhost: links that work for the editor and for no reader."
    )

    panels = [
        FieldPanel("lead_image"),
        FieldPanel("body_images"),
        FieldPanel("byline"),
        FieldPanel("section"),
        MultiFieldPanel(
            [
                FieldPanel("headline_length"),
                FieldRowPanel([FieldPanel("headline_min"), FieldPanel("headline_max")]),
            ],
            heading="Headline",
        ),
        MultiFieldPanel(
            [
                FieldPanel("standfirst_length"),
                FieldRowPanel([FieldPanel("standfirst_min"), FieldPanel("standfirst_max")]),
            ],
            heading="Standfirst",
        ),
        FieldPanel("links"),
    ]

    class Meta:
        verbose_name = "checks before publishing"
        permissions = [
            ("publish_despite_checks", "Can publish despite failed checks, giving a reason")
        ]

    def clean(self):
        super().clean()
        for name in ("headline", "standfirst"):
            low, high = getattr(self, f"{name}_min"), getattr(self, f"{name}_max")
            if low > high:
                raise ValidationError({f"{name}_max": f"At least the {name}'s minimum ({low})."})

    @classmethod
    def of_site(cls, site: Site | None) -> PublishingChecks:
        """The site's checks, read without writing: the defaults until an editor saves them."""
        return (cls.objects.filter(site=site).first() if site else None) or cls(site=site)

    def mode_of(self, check: str) -> str:
        return getattr(self, check)
