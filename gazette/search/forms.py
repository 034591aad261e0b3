"""The search form: every field optional, every bad value a message, never an error page."""

from __future__ import annotations

import re
from datetime import date

from django import forms
from django.utils.translation import gettext_lazy as _

from gazette.core import editions
from gazette.news.models import SectionPage

from .queries import NEWEST, RELEVANCE, SearchFilters
from .terms import SearchTerms, parse_terms

EARLIEST = date(1900, 1, 1)
LATEST = date(2999, 12, 31)
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
MAX_QUERY_LENGTH = 500


class SearchQueryField(forms.CharField):
    """Takes any text: control characters (a NUL byte too) are dropped, not refused, and an
    overlong query is cut, as the search uses its first words only."""

    def to_python(self, value):
        value = CONTROL_CHARACTERS.sub(" ", value or "")[: MAX_QUERY_LENGTH * 4]
        return super().to_python(value)[:MAX_QUERY_LENGTH]


class SearchForm(forms.Form):
    q = SearchQueryField(label=_("Search for"), required=False, strip=True)
    section = forms.ModelChoiceField(
        label=_("Section"),
        required=False,
        queryset=SectionPage.objects.none(),
        to_field_name="slug",
        empty_label=_("All sections"),
        error_messages={"invalid_choice": _("Choose a section from the list.")},
    )
    published_from = forms.DateField(
        label=_("Published from"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"invalid": _("Enter the start date as YYYY-MM-DD.")},
    )
    published_to = forms.DateField(
        label=_("Published until"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"invalid": _("Enter the end date as YYYY-MM-DD.")},
    )
    order = forms.ChoiceField(
        label=_("Order"),
        required=False,
        choices=[(RELEVANCE, _("Best match")), (NEWEST, _("Newest first"))],
        widget=forms.RadioSelect,
        error_messages={"invalid_choice": _("Order results by best match or newest first.")},
    )

    def __init__(self, *args, sections=None, **kwargs):
        super().__init__(*args, **kwargs)
        if sections is None:
            # The sections of the page's edition (a Korean search lists the Korean ones).
            sections = SectionPage.objects.live().public().order_by("path")
            locale_id = editions.active_locale_id()
            if locale_id is not None:
                sections = sections.filter(locale_id=locale_id)
        self.fields["section"].queryset = sections

    def clean(self):
        data = super().clean()
        for name in ("published_from", "published_to"):
            day = data.get(name)
            if day and not EARLIEST <= day <= LATEST:
                self.add_error(name, _("Enter a date between 1900 and 2999."))
                data[name] = None
        start, end = data.get("published_from"), data.get("published_to")
        if start and end and start > end:
            self.add_error("published_to", _("The end date comes before the start date."))
        return data

    def terms(self) -> SearchTerms:
        return parse_terms(self.cleaned_data.get("q", ""))

    def filters(self) -> SearchFilters:
        data = self.cleaned_data
        return SearchFilters(
            section=data.get("section"),
            published_from=data.get("published_from"),
            published_to=data.get("published_to"),
            order=data.get("order") or RELEVANCE,
            # The edition of the page's address: /ko/search/ searches the Korean stories.
            locale_id=editions.active_locale_id(),
        )
