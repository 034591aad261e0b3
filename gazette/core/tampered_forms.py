"""A form of Wagtail's admin that no browser sends answers 400, not 500.

Wagtail's page and snippet editors read their fields trusting that the editor's own
JavaScript wrote them: a StreamField's count that is no number, a block without its fields,
rich text that is no JSON, a chooser's id that is no number each raise deep inside Wagtail
(``StreamBlock.value_from_datadict``, the Draftail converter, ``BaseChooser.get_instance``)
and end as a 500. Only a form made by hand sends them, but a 500 is still the wrong answer
and an alarm for the operator: the request was bad, not the server. The exception is logged
with its traceback, so a real bug of ours is still seen.
"""

from __future__ import annotations

import json
import logging

from django.http import HttpResponseBadRequest

logger = logging.getLogger(__name__)

# What reading a malformed form raises in Wagtail's editors; anything else stays a 500.
MALFORMED_FORM_ERRORS = (ValueError, KeyError, TypeError, IndexError, json.JSONDecodeError)
# The admin's views that read a whole page or snippet form.
EDITOR_VIEWS = ("wagtailadmin_pages:", "wagtailsnippets_")

MESSAGE = (
    "The form could not be read: some of its fields are not as the editor sends them. "
    "Nothing was saved. Reload the page and try again."
)


class TamperedAdminFormMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if request.method != "POST" or not isinstance(exception, MALFORMED_FORM_ERRORS):
            return None
        match = getattr(request, "resolver_match", None)
        if match is None or not match.view_name.startswith(EDITOR_VIEWS):
            return None
        logger.warning(
            "A malformed %s form answered 400: %r", match.view_name, exception, exc_info=True
        )
        return HttpResponseBadRequest(MESSAGE, content_type="text/plain; charset=utf-8")
