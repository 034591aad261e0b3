from django import forms

from . import rules, services
from .models import NAME_LIMIT


class CommentForm(forms.Form):
    """What a reader sends. The text is normalised before it is counted, as comments.js does."""

    name = forms.CharField(max_length=NAME_LIMIT * 2, required=False)
    email = forms.EmailField(required=False, max_length=254)
    text = forms.CharField(required=False, strip=False)
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

    def errors_for_reader(self) -> list[str]:
        return [message for messages in self.errors.values() for message in messages]
