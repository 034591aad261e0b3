"""The editor's two-factor pages in the Wagtail admin: enrol or remove (Account > Two-factor
authentication) and the code page between password and admin."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.views import View
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django_otp import login as otp_login
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from . import services
from .forms import CodeForm

APP_CODE_HELP = "The six-digit code your authenticator app shows now."
ANY_CODE_HELP = "The six-digit code from your authenticator app, or one of your backup codes."


def _safe_next(request, default: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return default


def _status_for(rejection: services.CodeRejected | None) -> int:
    return 429 if rejection is not None and rejection.throttled else 200


@method_decorator([never_cache, sensitive_post_parameters("code")], name="dispatch")
class ManageView(WagtailAdminTemplateMixin, View):
    """Enrolment (QR code, secret, confirm with a code) or, once enrolled, status and removal."""

    page_title = "Two-factor authentication"
    header_icon = "key"

    def get_breadcrumbs_items(self):
        return [
            *self.breadcrumbs_items,
            {"url": reverse("wagtailadmin_account"), "label": "Account"},
            {"url": "", "label": self.page_title},
        ]

    def get(self, request):
        return self.render(CodeForm(help_text=self._help_text()))

    def post(self, request):
        if services.has_confirmed_device(request.user):
            return redirect("twofactor_manage")
        form = CodeForm(request.POST, help_text=APP_CODE_HELP)
        if not form.is_valid():
            return self.render(form)
        try:
            enrolment = services.confirm_enrolment(
                user=request.user, code=form.cleaned_data["code"]
            )
        except services.CodeRejected as rejection:
            form.add_error("code", rejection.message)
            return self.render(form, status=_status_for(rejection))
        otp_login(request, enrolment.device)
        request.session.cycle_key()
        context = self.get_context_data(
            backup_codes=enrolment.backup_codes,
            continue_url=_safe_next(request, reverse("wagtailadmin_home")),
        )
        return TemplateResponse(request, "twofactor/backup_codes.html", context)

    def render(self, form, *, status=200):
        user = self.request.user
        device = services.confirmed_device(user)
        context = {"form": form, "device": device, "next": self.request.GET.get("next", "")}
        if device is None:
            pending = services.pending_device(user=user)
            context["qr_svg"] = mark_safe(services.enrolment_qr_svg(pending))  # noqa: S308
            context["secret"] = services.secret_for_manual_entry(pending)
        else:
            context["backup_codes_left"] = services.remaining_backup_codes(user)
        return TemplateResponse(
            self.request,
            "twofactor/manage.html",
            self.get_context_data(**context),
            status=status,
        )

    def _help_text(self):
        return ANY_CODE_HELP if services.has_confirmed_device(self.request.user) else APP_CODE_HELP


class RemoveView(ManageView):
    """Turn two-factor off, proven with a current code (or a backup code)."""

    http_method_names = ["post"]

    def post(self, request):
        form = CodeForm(request.POST, help_text=ANY_CODE_HELP)
        if not services.has_confirmed_device(request.user):
            return redirect("twofactor_manage")
        if not form.is_valid():
            return self.render(form)
        try:
            services.remove_two_factor(user=request.user, code=form.cleaned_data["code"])
        except services.CodeRejected as rejection:
            form.add_error("code", rejection.message)
            return self.render(form, status=_status_for(rejection))
        messages.success(request, "Two-factor authentication is off for your account.")
        return redirect("twofactor_manage")


@method_decorator([never_cache, sensitive_post_parameters("code")], name="dispatch")
class VerifyView(View):
    """The code page after the password, before any other admin page."""

    template_name = "twofactor/verify.html"

    def get(self, request):
        return self.render(CodeForm(help_text=ANY_CODE_HELP))

    def post(self, request):
        form = CodeForm(request.POST, help_text=ANY_CODE_HELP)
        if not form.is_valid():
            return self.render(form)
        try:
            device = services.check_code(user=request.user, code=form.cleaned_data["code"])
        except services.CodeRejected as rejection:
            form.add_error("code", rejection.message)
            return self.render(form, status=_status_for(rejection))
        otp_login(request, device)
        # A new session key once the session is worth more.
        request.session.cycle_key()
        return redirect(_safe_next(request, reverse("wagtailadmin_home")))

    def dispatch(self, request, *args, **kwargs):
        done = request.user.is_verified() or not services.has_confirmed_device(request.user)
        if done:
            return redirect(_safe_next(request, reverse("wagtailadmin_home")))
        return super().dispatch(request, *args, **kwargs)

    def render(self, form, *, status=200):
        context = {"form": form, "next": _safe_next(self.request, "")}
        return TemplateResponse(self.request, self.template_name, context, status=status)
