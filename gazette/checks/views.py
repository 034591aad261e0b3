"""Publishing despite the checks: the failures, a reason, the publish. Editors with the
permission reach it from the message of a publish the checks stopped."""

from __future__ import annotations

from django import forms
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from wagtail.admin import messages
from wagtail.models import Revision

from gazette.news.models import ArticlePage

from . import services
from .rules import blocking


class ReasonForm(forms.Form):
    reason = forms.CharField(
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Why this story goes out despite the checks. Kept in its history with your name.",
        error_messages={"required": "Give a reason: it is kept in the story's history."},
    )


def publish_despite_checks(request, page_id: int, revision_id: int):
    article = get_object_or_404(ArticlePage, pk=page_id)
    revision = get_object_or_404(Revision.page_revisions, pk=revision_id, object_id=str(page_id))
    if (
        not services.may_override(request.user)
        or not article.permissions_for_user(request.user).can_publish()
    ):
        raise PermissionDenied
    found = services.check_article(revision.as_object())
    if not blocking(found):
        messages.info(request, "No check stops this version any more: publish it as usual.")
        return redirect("wagtailadmin_pages:edit", article.pk)
    form = ReasonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.publish_despite_checks(
                revision=revision, user=request.user, reason=form.cleaned_data["reason"]
            )
        except services.CannotOverride as refused:
            form.add_error("reason", refused.message)
        else:
            messages.success(
                request, f"“{article.title}” is published despite its checks; the reason is logged."
            )
            return redirect("wagtailadmin_explore", article.get_parent().pk)
    context = {"article": article, "failures": blocking(found), "form": form, "revision": revision}
    return TemplateResponse(request, "checks/publish_despite_checks.html", context)
