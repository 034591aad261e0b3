from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Newsletter

CHOOSE_ONE = _("Choose at least one newsletter.")


class SubscribeForm(forms.Form):
    """What the subscribe forms send: an address and the lists ticked (a form for one list
    sends it as a hidden field)."""

    email = forms.EmailField(
        max_length=254,
        error_messages={
            "required": _("Enter your e-mail address."),
            "invalid": _("Enter an e-mail address like name@example.org."),
        },
    )
    newsletters = forms.ModelMultipleChoiceField(
        queryset=Newsletter.objects.offered(),
        to_field_name="slug",
        error_messages={
            "required": CHOOSE_ONE,
            "invalid_choice": _("That newsletter is no longer offered. Choose another."),
            "invalid_pk_value": _("That newsletter is no longer offered. Choose another."),
        },
    )
    # The trap: hidden from people, filled in by bots that fill in everything.
    website = forms.CharField(required=False)

    def errors_for_reader(self) -> list[str]:
        return [message for messages in self.errors.values() for message in messages]


class PreferencesForm(forms.Form):
    newsletters = forms.ModelMultipleChoiceField(
        queryset=Newsletter.objects.all(),
        to_field_name="slug",
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
