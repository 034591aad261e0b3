"""The corrections page readers see. Thin: gather, render."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.template.response import TemplateResponse
from django.views.decorators.http import require_safe

from gazette.core.shared_parts import preload_site_parts

from .queries import corrections_page_notes

NOTES_PER_PAGE = 30


@require_safe
def corrections_page(request):
    preload_site_parts(request)
    notes = Paginator(corrections_page_notes(), NOTES_PER_PAGE).get_page(request.GET.get("page"))
    return TemplateResponse(request, "corrections/corrections_page.html", {"notes": notes})
