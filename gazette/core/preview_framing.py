"""Reader pages may be framed by nobody; the admin's preview of one, by the admin only.

Wagtail renders a preview by sending a made-up request for the page's own URL through the
whole middleware chain (``make_preview_request``), so the reader pages' ``frame-ancestors
'none'`` reached the preview too, and the browser blanked the admin's preview panel (and
with it the checks panel, which reads the preview). Wagtail marks such a request
``is_preview``; for those, framing by the same origin is allowed. The preview URLs are under
/admin/ and served to signed-in editors only; a reader's request never carries the mark.
(X-Frame-Options needs nothing here: Wagtail's preview views set SAMEORIGIN themselves, over
the DENY that Django's middleware gives the inner response.)

The header of a plain response (no nonce asked, no decorator's policy, not a preview: every
reader page) depends on the settings alone, so it is built once per settings object rather
than on every response (django-csp builds it afresh: ~3% of an uncached article's CPU).
"""

from __future__ import annotations

import http.client as http_client
from dataclasses import asdict

from csp.constants import HEADER, HEADER_REPORT_ONLY
from csp.middleware import CheckableLazyObject, CSPMiddleware, PolicyParts
from csp.utils import build_policy
from django.conf import settings

SAME_ORIGIN_ONLY = {"frame-ancestors": ["'self'"]}

# What a response or view sets to change its own policy (django-csp's decorators): any of
# them, and the response takes django-csp's own way.
_PER_RESPONSE = (
    "_csp_config",
    "_csp_update",
    "_csp_replace",
    "_csp_exempt",
    "_csp_config_ro",
    "_csp_update_ro",
    "_csp_replace_ro",
    "_csp_exempt_ro",
)


def is_admin_preview(request) -> bool:
    return getattr(request, "is_preview", False) is True


class _KeptPolicy:
    """The plain policy's two headers and excluded prefixes, built from the two settings
    objects they came from; built again when either is another object (override_settings,
    a test's settings fixture)."""

    __slots__ = ("enforced", "enforced_excluded", "report_only", "report_only_excluded", "sources")

    def __init__(self, sources: tuple):
        enforced, report_only = sources
        self.sources = sources
        self.enforced = build_policy(**asdict(PolicyParts()))
        self.report_only = build_policy(**asdict(PolicyParts()), report_only=True)
        self.enforced_excluded = tuple((enforced or {}).get("EXCLUDE_URL_PREFIXES") or ())
        self.report_only_excluded = tuple((report_only or {}).get("EXCLUDE_URL_PREFIXES") or ())


class ContentSecurityPolicyMiddleware(CSPMiddleware):
    """django-csp's middleware, with the preview framed by the admin's own origin and the
    plain policy's header built once."""

    _kept: _KeptPolicy | None = None

    def get_policy_parts(self, request, response, report_only: bool = False) -> PolicyParts:
        parts = super().get_policy_parts(request, response, report_only)
        if is_admin_preview(request):
            parts.replace = {**(parts.replace or {}), **SAME_ORIGIN_ONLY}
        return parts

    def _kept_policy(self) -> _KeptPolicy:
        # By identity: a settings object is not changed in place (override_settings sets a
        # new one), and the kept policy holds both, so neither id can be reused meanwhile.
        sources = (
            getattr(settings, "CONTENT_SECURITY_POLICY", None),
            getattr(settings, "CONTENT_SECURITY_POLICY_REPORT_ONLY", None),
        )
        kept = self._kept
        if kept is None or kept.sources[0] is not sources[0] or kept.sources[1] is not sources[1]:
            kept = self._kept = _KeptPolicy(sources)
        return kept

    def _is_plain(self, request, response) -> bool:
        return (
            getattr(request, "_csp_nonce", None) is None
            and not is_admin_preview(request)
            and not any(hasattr(response, name) for name in _PER_RESPONSE)
            and not (
                settings.DEBUG
                and response.status_code
                in (http_client.INTERNAL_SERVER_ERROR, http_client.NOT_FOUND)
            )
        )

    def process_response(self, request, response):
        if not self._is_plain(request, response):
            return super().process_response(request, response)
        # As django-csp's process_response for a response with nothing of its own
        # (tests/core/test_security_headers.py compares the two).
        kept = self._kept_policy()
        path = request.path_info
        if kept.enforced and HEADER not in response and not path.startswith(kept.enforced_excluded):
            response[HEADER] = kept.enforced
        if (
            kept.report_only
            and HEADER_REPORT_ONLY not in response
            and not path.startswith(kept.report_only_excluded)
        ):
            response[HEADER_REPORT_ONLY] = kept.report_only
        # No nonce was asked: one asked after the header is written is an error, as in
        # django-csp (the header would not carry it).
        request.csp_nonce = CheckableLazyObject(self._csp_nonce_post_response)
        return response
