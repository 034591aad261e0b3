from django.db import models
from wagtail.images.models import AbstractImage, AbstractRendition, Image


class CustomImage(AbstractImage):
    """An image that always carries its credit (and optionally a caption) with it."""

    credit = models.CharField(
        max_length=255,
        blank=True,
        help_text="Who made or owns the picture, shown with it, e.g. 'Korean Central News Agency'.",
    )
    caption = models.CharField(
        max_length=500, blank=True, help_text="Optional default caption shown under the picture."
    )
    is_placeholder = models.BooleanField(
        default=False,
        help_text="A generated stand-in for a picture the newsroom does not have yet.",
    )

    # "is_placeholder" is set by importers and the demo only, never offered to editors.
    admin_form_fields = (*Image.admin_form_fields, "credit", "caption")


class CustomRendition(AbstractRendition):
    image = models.ForeignKey(CustomImage, on_delete=models.CASCADE, related_name="renditions")

    class Meta:
        unique_together = (("image", "filter_spec", "focal_point_key"),)
