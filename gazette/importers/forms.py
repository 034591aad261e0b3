"""The admin's Import form: a file or an address, and the options an editor cares about.

What can be told at once is told on the form (no source, both, too large, not http(s), empty,
binary, a format that cannot be found); what needs the whole source read (malformed XML, an
entity bomb, an address that does not answer) comes from the check, which puts its reason
back on this form with what was typed.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.template.defaultfilters import filesizeformat

from gazette.news.models import SectionPage
from gazette.people.models import Author

from .models import ImportRun
from .reading import HEAD_BYTES, SourceError, detect_format

URL_MAX_LENGTH = 1000


class ImportForm(forms.Form):
    upload = forms.FileField(
        label="File",
        required=False,
        help_text="A WordPress export (WXR), an RSS or Atom feed, or an article's web page.",
    )
    url = forms.CharField(
        label="Or its address",
        required=False,
        max_length=URL_MAX_LENGTH,
        help_text="An http:// or https:// address, fetched by the server.",
        widget=forms.URLInput(attrs={"placeholder": "https://"}),
    )
    format = forms.ChoiceField(
        choices=ImportRun.Format.choices,
        initial=ImportRun.Format.AUTO,
        help_text="Leave it to the content unless the check says it cannot tell.",
    )
    section = forms.ModelChoiceField(
        queryset=SectionPage.objects.order_by("title"),
        required=False,
        empty_label="Each article's own (its category, else News)",
        help_text="Put every article in this section.",
    )
    default_author = forms.ModelChoiceField(
        queryset=Author.objects.order_by("name"),
        required=False,
        empty_label="None",
        label="Default author",
        help_text="Credited on articles whose source names no author.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        cap = filesizeformat(settings.GAZETTE_IMPORT_MAX_UPLOAD_BYTES)
        self.fields["upload"].help_text += f" Up to {cap}; a larger one by its address."

    def clean_url(self) -> str:
        url = self.cleaned_data["url"].strip()
        if not url:
            return ""
        if urlsplit(url).scheme.lower() not in {"http", "https"}:
            raise ValidationError("Only http:// and https:// addresses can be fetched.")
        try:
            URLValidator(schemes=["http", "https"])(url)
        except ValidationError:
            raise ValidationError("This is not a web address the server can fetch.") from None
        return url

    def clean_upload(self):
        upload = self.cleaned_data.get("upload")
        if upload is None:
            return None
        cap = settings.GAZETTE_IMPORT_MAX_UPLOAD_BYTES
        if upload.size > cap:
            raise ValidationError(
                f"The file is {filesizeformat(upload.size)}; the form takes up to "
                f"{filesizeformat(cap)}. Give a larger archive by its address."
            )
        return upload

    def clean(self):
        data = super().clean()
        upload, url = data.get("upload"), data.get("url")
        if "upload" in self.errors or "url" in self.errors:
            return data
        if upload is None and not url:
            raise ValidationError("Choose a file to import, or give its address.")
        if upload is not None and url:
            raise ValidationError(
                "Give a file or an address, not both: the import reads one source."
            )
        if upload is not None:
            self._check_head(upload, data.get("format") or ImportRun.Format.AUTO)
        return data

    def _check_head(self, upload, format: str) -> None:
        """Refuse at once what its first bytes show cannot be imported."""
        upload.seek(0)
        head = upload.read(HEAD_BYTES)
        upload.seek(0)
        try:
            detect_format(head)
        except SourceError as exc:
            if format == ImportRun.Format.AUTO or "empty" in str(exc) or "binary" in str(exc):
                self.add_error("upload", f"{upload.name}: {_sentence(str(exc))}")


def _sentence(text: str) -> str:
    text = text.strip()
    return (text[:1].upper() + text[1:]).rstrip(".") + "."
