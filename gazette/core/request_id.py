"""One id per request, from nginx's X-Request-ID or made here, in every log line and in the
response: a reader's complaint, the proxy's access log and the app's logs meet on it."""

from __future__ import annotations

import logging
import re
import uuid
from contextvars import ContextVar

from django.core.signals import request_finished

HEADER = "X-Request-ID"
META_KEY = "HTTP_X_REQUEST_ID"
# Anything else a client sends is replaced: the id lands in logs and must not forge lines.
_VALID = re.compile(r"^[A-Za-z0-9._:-]{8,128}$")

_request_id: ContextVar[str] = ContextVar("gazette_request_id", default="")


def current_request_id() -> str:
    return _request_id.get()


def new_request_id() -> str:
    return uuid.uuid4().hex


class RequestIdMiddleware:
    """Take the id nginx made (or a client's, when it is well formed), else make one; return
    it in the response header and keep it for the log records of this request."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        incoming = request.META.get(META_KEY, "")
        request_id = incoming if _VALID.match(incoming) else new_request_id()
        request.request_id = request_id
        # Not reset on the way out: Django logs a 4xx or 5xx after the middleware has
        # returned. The id is cleared when the response is finished (request_finished).
        _request_id.set(request_id)
        response = self.get_response(request)
        response[HEADER] = request_id
        return response


def forget_request_id(**kwargs) -> None:
    _request_id.set("")


request_finished.connect(forget_request_id, dispatch_uid="gazette-request-id")


class RequestIdFilter(logging.Filter):
    """Puts ``request_id`` on every record (empty outside a request)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not getattr(record, "request_id", ""):
            record.request_id = current_request_id()
        return True
