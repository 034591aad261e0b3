"""The admin's image form, wherever Wagtail builds it: the upload form, the chooser's upload
tab, each image of a multiple upload and the edit form (WAGTAILIMAGES_IMAGE_FORM_BASE)."""

from django import forms
from wagtail.images.forms import BaseImageForm

CREDIT_REQUIRED = (
    "Every picture carries a credit: say who made or owns it (e.g. a photographer, an agency, "
    "“Handout”)."
)


class CreditedImageForm(BaseImageForm):
    """An image is saved from the admin only with its credit. The model leaves it optional for
    importers, whose pictures the pre-publication checks flag instead."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "credit" in self.fields:
            self.fields["credit"].required = True
            self.fields["credit"].error_messages["required"] = CREDIT_REQUIRED

    def clean_credit(self):
        credit = (self.cleaned_data.get("credit") or "").strip()
        if not credit:
            raise forms.ValidationError(CREDIT_REQUIRED, code="required")
        return credit
