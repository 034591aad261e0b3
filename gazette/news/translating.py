"""The admin's Translate action (wagtail.contrib.simple_translation), refusing clearly.

Wagtail's view copies a page into another locale as a draft, under its parent's translation
in that locale, linked by ``translation_key``; the form offers only the locales the page has
no translation in yet, and greys out those its parent has none in. Posted anyway (a second
tab, a colleague quicker, a crafted request), Wagtail answers with a bare "Select a valid
choice" or a 500 (ParentNotTranslatedError, the unique translation key). Here each refusal
names the page and the edition, and nothing is written.
"""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from wagtail.actions.copy_for_translation import ParentNotTranslatedError
from wagtail.admin import messages
from wagtail.contrib.simple_translation.views import SubmitPageTranslationView
from wagtail.models import Locale, Page


def refusals(page: Page, locale_ids: list[str]) -> list[str]:
    """Why ``page`` cannot be translated into each of the posted locales (none: it can)."""
    wanted = Locale.objects.filter(pk__in=[pk for pk in locale_ids if pk.isdigit()])
    translated = set(page.get_translations(inclusive=True).values_list("locale_id", flat=True))
    parent = page.get_parent()
    parent_in = (
        None
        if parent.is_root()
        else set(parent.get_translations(inclusive=True).values_list("locale_id", flat=True))
    )
    reasons = []
    for locale in wanted:
        names = {"page": page.get_admin_display_title(), "edition": locale.get_display_name()}
        if locale.pk in translated:
            reasons.append(
                _("“%(page)s” already has a translation in %(edition)s: edit that one.") % names
            )
        elif parent_in is not None and locale.pk not in parent_in:
            names["parent"] = parent.get_admin_display_title()
            reasons.append(
                _("Translate “%(parent)s” into %(edition)s first: “%(page)s” goes under it.")
                % names
            )
    return reasons


class TranslatePageView(SubmitPageTranslationView):
    def get_form(self):
        # One form per request: the refusals below are put on the form the page shows.
        if not hasattr(self, "_form"):
            self._form = super().get_form()
        return self._form

    def post(self, request, **kwargs):
        reasons = refusals(self.object, request.POST.getlist("locales"))
        if reasons:
            form = self.get_form()
            form.is_valid()
            form.errors["locales"] = form.error_class(reasons)
            return self.render_to_response(self.get_context_data(**kwargs), status=409)
        try:
            with transaction.atomic():
                return super().post(request, **kwargs)
        except (IntegrityError, ParentNotTranslatedError):
            # Checked above, so another editor translated it (or its parent went) meanwhile.
            messages.error(
                request,
                _("“%(page)s” was translated by someone else meanwhile; nothing was copied.")
                % {"page": self.object.get_admin_display_title()},
            )
            return redirect(request.path)
