"""A page's history shows the editor's saves, not the autosave's.

Wagtail 8 autosaves the edit form every few seconds and logs each autosave as a "Draft saved"
entry. It groups the autosaves of one editing session (one ``uuid``), but every reload of the
edit view starts another group, and a manual save that overwrites the autosave's revision is
grouped with it: one article's history read as eight "Draft saved" lines, none of them the
editor's own save. Here, after each save from the edit view, the new entry is regrouped:

- an autosave joins the run of autosaves just before it (same editor, nothing in between),
  or starts a run of its own; it never joins a save the editor made;
- an editor's save takes over the run of autosaves just before it, and is never grouped with
  an earlier save of hers.

Wagtail's history shows one line per group, its latest entry: one line per save the editor
made, and one for autosaves made since her last save. No entry is deleted (the audit trail
keeps every one, marked ``"autosave": true`` in its data).
"""

from __future__ import annotations

import uuid

from wagtail.models import PageLogEntry

EDIT = "wagtail.edit"
# The edit view's other buttons: publishing and workflow steps log entries of their own.
ACTION_BUTTONS = (
    "action-publish",
    "action-submit",
    "action-workflow-action",
    "action-restart-workflow",
    "action-cancel-workflow",
)


def is_autosave(request) -> bool:
    # Wagtail's autosave posts the form asking for JSON; the editor's buttons expect a page.
    return not request.accepts("text/html")


def is_plain_save(request) -> bool:
    return request.method == "POST" and not any(name in request.POST for name in ACTION_BUTTONS)


def regroup_latest_save(request, page) -> None:
    """Regroup the edit entry the request just logged (see the module's docstring)."""
    if not is_plain_save(request):
        return
    entries = PageLogEntry.objects.filter(page=page).order_by("-pk")
    saved = entries.filter(action=EDIT, user=request.user).first()
    if saved is None:
        return
    before = entries.filter(pk__lt=saved.pk).first()
    after_autosave = (
        before is not None
        and before.action == EDIT
        and before.user_id == saved.user_id
        and before.data.get("autosave") is True
    )
    autosave = is_autosave(request)
    group = before.uuid if after_autosave and before.uuid else uuid.uuid4()
    data = {**saved.data, "autosave": True} if autosave else saved.data
    PageLogEntry.objects.filter(pk=saved.pk).update(uuid=group, data=data)
