"""Warnings for editors at the top of the admin's dashboard and of a page's edit view: what
stops the site from doing what they asked (a story's go-live time missed, the scheduler
stopped). Kept apart from the dashboard's own panels: each warning is a small function of the
request."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from django.urls import reverse
from django.utils import timezone
from wagtail.admin.ui.components import Component
from wagtail.models import Page, Site
from wagtail.permissions import page_permission_policy

from . import schedule_health
from .site_address import address_of_request, address_of_site

SCHEDULER_COMMAND = "manage.py schedule_worker"


@dataclass(frozen=True)
class AdminWarning:
    heading: str
    text: str
    links: list[tuple[str, str]] = field(default_factory=list)  # (label, admin URL)


def shown_time(moment: datetime) -> str:
    """A time as editors read it: in their zone, named ("6 Dec 13:26 GMT")."""
    local = timezone.localtime(moment)
    return f"{local.day} {local:%b %Y %H:%M %Z}"


def _scheduler_state() -> str:
    last = schedule_health.last_round()
    if last is None:
        return f"The scheduler ({SCHEDULER_COMMAND}) has never run on this site."
    return f"The scheduler ({SCHEDULER_COMMAND}) last ran at {shown_time(last)}."


def missed_schedule_warning(request) -> AdminWarning | None:
    editable = page_permission_policy.instances_user_has_any_permission_for(
        request.user, {"change", "publish"}
    )
    missed = schedule_health.pages_with_missed_schedule(pages=editable)
    if not missed:
        return None
    count = len(missed)
    stories = "story was" if count == 1 else "stories were"
    # When the scheduler is silent its own warning says so, with its last round.
    why = "" if schedule_health.scheduler_is_silent() else f" {_scheduler_state()}"
    return AdminWarning(
        heading="Missed schedule",
        text=f"{count} {stories} due to be published and {'is' if count == 1 else 'are'} "
        f"still waiting.{why}",
        links=[
            (
                f"{page.get_admin_display_title()}: due {shown_time(due)}",
                reverse("wagtailadmin_pages:edit", args=[page.pk]),
            )
            for page, due in missed
        ],
    )


def scheduler_silent_warning(request) -> AdminWarning | None:
    if not schedule_health.scheduler_is_silent():
        return None
    minutes = int(schedule_health.SILENT_AFTER.total_seconds() // 60)
    return AdminWarning(
        heading="Scheduled publishing is not running",
        text=f"{_scheduler_state()} Stories scheduled to go live or expire will not until it "
        f"runs (it should run every minute; this warning shows after {minutes} minutes "
        "without a round). “make run” and “make stack” start it.",
    )


def site_address_warning(request) -> AdminWarning | None:
    """The admin is reached at one address and the Site record names another: every absolute
    URL readers and search engines get (canonical, feeds, sitemaps, social cards) points to
    the record's, which is often http://localhost/ on a fresh install."""
    site = Site.find_for_request(request)
    if site is None:
        return None
    served, recorded = address_of_request(request), address_of_site(site)
    if served == recorded:
        return None
    links = []
    if request.user.has_perm("wagtailcore.change_site"):
        links.append(("Edit the site's address", reverse("wagtailsites:edit", args=[site.pk])))
    return AdminWarning(
        heading="The site's address differs from this one",
        text=f"This admin is served at {served}, but the site “{site.site_name or site.hostname}” "
        f"has the address {recorded}, so canonical links, feeds, sitemaps and social cards "
        "point there. Set "
        f"GAZETTE_BASE_URL (applied at each migrate), run “manage.py set_site_address "
        f"{served}”, or edit the site's hostname and port.",
        links=links,
    )


# Each returns a warning for the request, or None.
DASHBOARD_CHECKS = [missed_schedule_warning, scheduler_silent_warning, site_address_warning]


def dashboard_warnings(request) -> list[AdminWarning]:
    return [warning for check in DASHBOARD_CHECKS if (warning := check(request))]


def page_warnings(page: Page) -> list[AdminWarning]:
    """Warnings about one page, for its edit view."""
    due = schedule_health.missed_go_live_of(page)
    if due is None:
        return []
    return [
        AdminWarning(
            heading="Missed schedule",
            text=f"This page was due to be published at {shown_time(due)} and is still "
            f"waiting. {_scheduler_state()}",
        )
    ]


class AdminWarningsPanel(Component):
    """The dashboard's warnings, above its other panels; nothing when all is well."""

    name = "gazette_admin_warnings"
    order = 1
    template_name = "core/admin/warnings_panel.html"

    def __init__(self, request):
        self.warnings = dashboard_warnings(request)

    def render_html(self, parent_context=None) -> str:
        return super().render_html(parent_context) if self.warnings else ""

    def get_context_data(self, parent_context=None):
        return {"warnings": self.warnings}
