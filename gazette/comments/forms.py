from django import forms

from . import rules, services
from .models import NAME_LIMIT


class CommentForm(forms.Form):
    """What a reader sends: a comment, or a reply (``parent``). The text is normalised before
    it is counted, as comments.js does."""

    name = forms.CharField(max_length=NAME_LIMIT * 2, required=False)
    email = forms.EmailField(required=False, max_length=254)
    notify_replies = forms.BooleanField(required=False)
    text = forms.CharField(required=False, strip=False)
    parent = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)
    # The trap: hidden from people, filled in by bots that fill in everything.
    website = forms.CharField(required=False)
    stamp = forms.CharField(required=False)

    def clean_name(self) -> str:
        name = rules.normalise_name(self.cleaned_data["name"])
        if problem := services.name_problem(name):
            raise forms.ValidationError(problem)
        return name

    def clean_text(self) -> str:
        text = rules.normalise_text(self.cleaned_data["text"])
        if problem := services.text_problem(text):
            raise forms.ValidationError(problem)
        return text

    def clean(self):
        data = super().clean()
        if data.get("notify_replies") and not data.get("email") and "email" not in self.errors:
            self.add_error("notify_replies", services.NOTIFY_NEEDS_EMAIL)
        return data

    def errors_for_reader(self) -> list[str]:
        return [message for messages in self.errors.values() for message in messages]
