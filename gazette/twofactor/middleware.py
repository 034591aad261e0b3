"""Admin requests of an editor with two-factor wait for a code; readers are not touched.

Only paths under the Wagtail admin are looked at: for any other request this middleware
compares one string and reads no session, user or database row, so reader pages (served
from the shared cache) stay as they were.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.shortcuts import redirect
from django.urls import NoReverseMatch, reverse
from django.utils.cache import add_never_cache_headers
from django.utils.functional import cached_property
from django_otp.middleware import OTPMiddleware

from .policy import is_two_factor_required
from .services import has_confirmed_device

# Reachable after the password and before the code: signing in and out, the code page, and
# what any admin page needs to render (translations catalogue, icon sprite).
OPEN_BEFORE_CODE = {
    "wagtailadmin_login",
    "wagtailadmin_logout",
    "wagtailadmin_javascript_catalog",
    "wagtailadmin_sprite",
    "twofactor_verify",
}
# Also reachable by an editor who must enrol and has not yet.
OPEN_BEFORE_ENROLMENT = OPEN_BEFORE_CODE | {"twofactor_manage"}


class AdminTwoFactorMiddleware(OTPMiddleware):
    """django-otp's OTPMiddleware (``request.user.is_verified()``), for admin paths only,
    plus the redirects: to the code page, or to enrolment where two-factor is mandatory.
    Goes after AuthenticationMiddleware and MessageMiddleware."""

    # The project serves WSGI; the async half of OTPMiddleware is not needed.
    async_capable = False

    @cached_property
    def admin_prefix(self) -> str | None:
        try:
            return reverse("wagtailadmin_home")
        except NoReverseMatch:  # a URLconf without the admin (some tests): nothing to guard
            return None

    def __call__(self, request):
        prefix = self.admin_prefix
        request._twofactor_checked = prefix is not None and request.path.startswith(prefix)
        if not request._twofactor_checked:
            return self.get_response(request)
        return super().__call__(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if not getattr(request, "_twofactor_checked", False):
            return None
        user = request.user
        if not user.is_authenticated or user.is_verified():
            return None
        url_name = request.resolver_match.url_name
        if url_name in OPEN_BEFORE_CODE:
            return None
        if has_confirmed_device(user):
            return _redirect_with_next("twofactor_verify", request)
        if url_name in OPEN_BEFORE_ENROLMENT or not is_two_factor_required(user):
            return None
        messages.warning(
            request,
            "Your account must use two-factor authentication. Set it up to continue.",
        )
        return _redirect_with_next("twofactor_manage", request)


def _redirect_with_next(url_name: str, request):
    response = redirect(f"{reverse(url_name)}?{urlencode({'next': request.get_full_path()})}")
    add_never_cache_headers(response)  # it depends on the session, like the admin itself
    return response
