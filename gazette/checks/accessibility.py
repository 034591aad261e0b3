"""Wagtail's content checker (axe, in the editor's Checks panel and the userbar) with the
newsroom's checks as rules of its own, so an editor sees them while writing.

The preview of an article carries, hidden, one marker per failed check
(``checks/preview_markers.html``: rendered for previews only, never into a reader's page),
computed by the same code as the check on publishing (``rules.failures``). Each check is an
axe rule that fails on its marker: the same rules, read at the same moment as the preview.
axe's ``has-descendant`` check with a selector that matches nothing is what fails it (a
built-in check, named by string: Wagtail passes the configuration as JSON).
"""

from __future__ import annotations

from functools import cached_property

from wagtail.admin.userbar import ContentCheckerItem
from wagtail.models import Site

from .models import Mode, PublishingChecks
from .rules import CHECKS

PROBLEMS = {
    "lead_image": "Lead image without alt text or credit",
    "body_images": "Picture in the body without alt text or credit",
    "byline": "No author",
    "section": "Not in a section",
    "headline_length": "Headline too long or too short",
    "standfirst_length": "Standfirst too long or too short",
    "links": "Link to a draft, the admin or localhost",
}
FAILS = "gazette-check-failed"


def rule_id(check: str) -> str:
    return f"gazette-{check.replace('_', '-')}"


class NewsroomContentChecker(ContentCheckerItem):
    def __init__(self, in_editor=False, page=None):
        super().__init__(in_editor=in_editor)
        self.page = page

    @cached_property
    def _on(self) -> dict[str, str]:
        """The checks that are on for the page's site (the default site's without a page)."""
        site = self.page.get_site() if self.page is not None and self.page.pk else None
        checks = PublishingChecks.of_site(site or Site.objects.filter(is_default_site=True).first())
        modes = {check: checks.mode_of(check) for check in CHECKS}
        return {check: mode for check, mode in modes.items() if mode != Mode.OFF}

    def get_axe_run_only(self, request):
        return [*super().get_axe_run_only(request), *(rule_id(check) for check in self._on)]

    def get_axe_custom_rules(self, request):
        rules = [
            {
                "id": rule_id(check),
                "impact": "serious" if mode == Mode.BLOCK else "moderate",
                "selector": f'[data-gazette-check="{check}"]',
                "excludeHidden": False,
                "tags": ["gazette-checks"],
                "any": [FAILS],
                "enabled": True,
            }
            for check, mode in self._on.items()
        ]
        return [*super().get_axe_custom_rules(request), *rules]

    def get_axe_custom_checks(self, request):
        never = {
            "id": FAILS,
            "evaluate": "has-descendant-evaluate",
            "options": {"selector": "gazette-never"},
        }
        return [*super().get_axe_custom_checks(request), never]

    def get_axe_messages(self, request):
        messages = dict(super().get_axe_messages(request))
        for check, mode in self._on.items():
            messages[rule_id(check)] = {
                "error_name": PROBLEMS[check],
                "help_text": "Stops publishing: the newsroom's checks"
                if mode == Mode.BLOCK
                else "A warning of the newsroom's checks",
            }
        return messages


def use_newsroom_checker(request, items, page) -> None:
    """construct_wagtail_userbar: the newsroom's checker in place of Wagtail's."""
    for index, item in enumerate(items):
        if isinstance(item, ContentCheckerItem) and not isinstance(item, NewsroomContentChecker):
            items[index] = NewsroomContentChecker(in_editor=item.in_editor, page=page)
