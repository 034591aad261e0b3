"""Reader pages may be framed by nobody; the admin's preview of one, by the admin only.

Wagtail renders a preview by sending a made-up request for the page's own URL through the
whole middleware chain (``make_preview_request``), so the reader pages' ``frame-ancestors
'none'`` reached the preview too, and the browser blanked the admin's preview panel (and
with it the checks panel, which reads the preview). Wagtail marks such a request
``is_preview``; for those, framing by the same origin is allowed. The preview URLs are under
/admin/ and served to signed-in editors only; a reader's request never carries the mark.
(X-Frame-Options needs nothing here: Wagtail's preview views set SAMEORIGIN themselves, over
the DENY that Django's middleware gives the inner response.)
"""

from csp.middleware import CSPMiddleware, PolicyParts

SAME_ORIGIN_ONLY = {"frame-ancestors": ["'self'"]}


def is_admin_preview(request) -> bool:
    return getattr(request, "is_preview", False) is True


class ContentSecurityPolicyMiddleware(CSPMiddleware):
    """django-csp's middleware, with the preview framed by the admin's own origin."""

    def get_policy_parts(self, request, response, report_only: bool = False) -> PolicyParts:
        parts = super().get_policy_parts(request, response, report_only)
        if is_admin_preview(request):
            parts.replace = {**(parts.replace or {}), **SAME_ORIGIN_ONLY}
        return parts
