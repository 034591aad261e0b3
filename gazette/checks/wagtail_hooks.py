"""The checks in Wagtail's admin: on every publish from the editor (create, edit, schedule)
and the page explorer's bulk publish; the override page; the accessibility checker."""

from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.http import url_has_allowed_host_and_scheme
from wagtail import hooks
from wagtail.admin import messages
from wagtail.log_actions import LogFormatter

from gazette.news.models import ArticlePage

from . import accessibility, views
from .rules import Failure, blocking
from .services import check_article, may_override


def _listed(found: list[Failure]):
    return format_html_join("", "<li>{}</li>", ((failure.message,) for failure in found))


@hooks.register("before_publish_page")
def check_before_publishing(request, page):
    """Runs after Wagtail saved the new revision and before it publishes it: a blocking
    failure stops the publish, the draft is kept; warnings are shown and it goes out."""
    article = page.specific
    if not isinstance(article, ArticlePage):
        return None
    found = check_article(article)
    if stopping := blocking(found):
        buttons = []
        revision = article.latest_revision
        if may_override(request.user) and revision is not None:
            url = reverse("checks_publish_despite", args=[article.pk, revision.pk])
            buttons.append(messages.button(url, "Publish anyway…"))
        messages.error(
            request,
            format_html(
                "Not published: {} check{} failed. Your changes are saved as a draft.<ul>{}</ul>",
                len(stopping),
                "s" if len(stopping) > 1 else "",
                _listed(stopping),
            ),
            buttons=buttons,
        )
        return redirect("wagtailadmin_pages:edit", article.pk)
    if found:
        messages.warning(
            request,
            format_html("Published with warnings from the checks:<ul>{}</ul>", _listed(found)),
        )
    return None


@hooks.register("before_bulk_action")
def check_before_bulk_publishing(request, action_type, objects, action_class_instance):
    if action_type != "publish":
        return None
    stopped = []
    for page in objects:
        article = page.specific
        if isinstance(article, ArticlePage):
            latest = article.get_latest_revision_as_object()
            if blocking(check_article(latest)):
                stopped.append(article.title)
    if not stopped:
        return None
    messages.error(
        request,
        format_html(
            "Nothing was published: checks fail for {}. Publish each from its edit page to "
            "see why.",
            ", ".join(f"“{title}”" for title in stopped),
        ),
    )
    back = request.GET.get("next", "")
    if not url_has_allowed_host_and_scheme(back, {request.get_host()}, request.is_secure()):
        back = reverse("wagtailadmin_home")
    return redirect(back)


@hooks.register("register_admin_urls")
def checks_urls():
    return [
        path(
            "checks/publish/<int:page_id>/<int:revision_id>/",
            views.publish_despite_checks,
            name="checks_publish_despite",
        ),
    ]


@hooks.register("construct_wagtail_userbar")
def newsroom_content_checker(request, items, page):
    accessibility.use_newsroom_checker(request, items, page)


@hooks.register("register_log_actions")
def register_log_actions(actions):
    @actions.register_action("checks.published_despite")
    class PublishedDespiteChecks(LogFormatter):
        label = "Publish despite failed checks"

        def format_message(self, log_entry):
            data = log_entry.data or {}
            failed = "; ".join(f["message"] for f in data.get("failures", []))
            return f"Published despite failed checks ({failed}): {data.get('reason', '')}"

        def format_comment(self, log_entry):
            return (log_entry.data or {}).get("reason", "")
