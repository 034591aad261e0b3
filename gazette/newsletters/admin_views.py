"""The admin: newsletters and issues as snippets (an issue previews as the e-mail and as its
plain text, Wagtail's preview panel), and an issue's sending page: its counts, a test send to
an address, schedule, send now."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from wagtail.admin.ui.tables import Column
from wagtail.snippets.views.snippets import SnippetViewSet

from . import queries, rendering, sending, services
from .models import BreakingNews, Issue, IssueStatus, Newsletter, Subscriber


class NewsletterViewSet(SnippetViewSet):
    model = Newsletter
    icon = "mail"
    menu_label = "Newsletters"
    add_to_admin_menu = True
    menu_order = 240
    list_display = ["name", "cadence", "is_offered", "is_breaking"]


class SendingColumn(Column):
    """A link to the issue's sending page, with its status."""

    def get_value(self, instance):
        url = reverse("newsletters_admin:sending", args=[instance.pk])
        return format_html('<a href="{}">{}</a>', url, instance.get_status_display())


class IssueViewSet(SnippetViewSet):
    model = Issue
    icon = "mail"
    menu_label = "Newsletter issues"
    add_to_admin_menu = True
    menu_order = 241
    list_filter = ["newsletter", "status"]
    list_display = [
        "subject",
        "newsletter",
        SendingColumn("status", label="Status"),
        Column("sent_count", label="Sent"),
        Column("failed_count", label="Failed"),
        Column("unsubscribed_count", label="Unsubscribed since"),
    ]

    def get_queryset(self, request):
        # The counts of a page of issues in one query (queries.with_counts).
        return queries.with_counts(Issue.objects.select_related("newsletter"))


class SubscriberViewSet(SnippetViewSet):
    model = Subscriber
    icon = "user"
    menu_label = "Subscribers"
    add_to_admin_menu = True
    menu_order = 242
    list_display = ["email", "created_at", "failed_count", "stopped_at"]
    search_fields = ["email"]
    inspect_view_enabled = True


class TestSendForm(forms.Form):
    address = forms.EmailField(label="Send a test to")


class ScheduleForm(forms.Form):
    when = forms.DateTimeField(
        label="Send at",
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
        help_text="In your time zone.",
    )

    def clean_when(self):
        when = self.cleaned_data["when"]
        if when <= timezone.now():
            raise forms.ValidationError("Choose a moment in the future, or send it now.")
        return when


def _can_send(user) -> bool:
    return user.has_perm("newsletters.change_issue")


def sending_page(request, pk: int):
    if not _can_send(request.user):
        raise PermissionDenied
    issue = get_object_or_404(Issue.objects.select_related("newsletter"), pk=pk)
    test_form = TestSendForm(initial={"address": request.user.email})
    schedule_form = ScheduleForm()
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "test":
            test_form = TestSendForm(request.POST)
            if test_form.is_valid():
                sending.send_test(issue, test_form.cleaned_data["address"])
                messages.success(request, f"Test sent to {test_form.cleaned_data['address']}.")
                return redirect("newsletters_admin:sending", pk=pk)
        elif action == "schedule":
            schedule_form = ScheduleForm(request.POST)
            if schedule_form.is_valid():
                if services.schedule(issue=issue, when=schedule_form.cleaned_data["when"]):
                    messages.success(request, "Scheduled.")
                else:
                    messages.error(request, "This issue is being sent or was sent already.")
                return redirect("newsletters_admin:sending", pk=pk)
        elif action == "unschedule":
            services.unschedule(issue=issue)
            messages.success(request, "No longer scheduled: back to draft.")
            return redirect("newsletters_admin:sending", pk=pk)
        elif action == "send":
            if services.send_now(issue=issue):
                messages.success(request, "Sending: subscribers get it in the next minutes.")
            else:
                messages.error(request, "This issue is being sent or was sent already.")
            return redirect("newsletters_admin:sending", pk=pk)
    rendered = rendering.render_issue(issue)
    context = {
        "issue": issue,
        "counts": queries.issue_counts(issue),
        "recipients": issue.newsletter.subscriptions.active().count(),
        "html_size": len(rendered.html.encode()),
        "html_limit": rendering.HTML_LIMIT,
        "text": rendered.text,
        "test_form": test_form,
        "schedule_form": schedule_form,
        "can_send": issue.status in (IssueStatus.DRAFT, IssueStatus.SCHEDULED),
        "edit_url": reverse("wagtailsnippets_newsletters_issue:edit", args=[issue.pk]),
        "preview_url": reverse("newsletters_admin:preview", args=[issue.pk, "html"]),
        "text_url": reverse("newsletters_admin:preview", args=[issue.pk, "text"]),
    }
    return TemplateResponse(request, "newsletters/admin/sending.html", context)


def preview(request, pk: int, mode: str):
    """The issue as the e-mail (HTML) or its plain-text part, for the sending page's frame."""
    if not _can_send(request.user):
        raise PermissionDenied
    issue = get_object_or_404(Issue.objects.select_related("newsletter"), pk=pk)
    response = issue.serve_preview(request, "text" if mode == "text" else "html")
    response["X-Frame-Options"] = "SAMEORIGIN"
    return response


def admin_urls():
    return [
        path(
            "newsletters/issue/<int:pk>/sending/",
            sending_page,
            name="sending",
        ),
        path(
            "newsletters/issue/<int:pk>/preview/<str:mode>/",
            preview,
            name="preview",
        ),
    ]


class BreakingNewsViewSet(SnippetViewSet):
    """Mark a story as breaking: an alert to the breaking-news lists and a site banner."""

    model = BreakingNews
    icon = "warning"
    menu_label = "Breaking news"
    add_to_admin_menu = True
    menu_order = 239
    list_display = ["article", "headline", "starts_at", "ends_at"]
