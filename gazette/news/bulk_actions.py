"""Bulk changes from the page listing: the section of many articles at once (a move under
another section, so the lifecycle's "moved" event reaches every feature), and their topics
(added to or taken from each article's latest version)."""

from __future__ import annotations

from django import forms
from taggit.utils import parse_tags
from wagtail.admin.views.pages.bulk_actions.page_bulk_action import PageBulkAction
from wagtail.models import Page

from gazette.core.wording import count_of

from .models import ArticlePage, SectionPage


class ChangeSectionForm(forms.Form):
    section = forms.ModelChoiceField(
        queryset=SectionPage.objects.order_by("path"),
        empty_label=None,
        help_text="The articles move under this section; their addresses change with it.",
    )


class ChangeSectionBulkAction(PageBulkAction):
    display_name = "Change section"
    action_type = "change_section"
    aria_label = "Change the section of the selected articles"
    template_name = "news/admin/bulk_change_section.html"
    action_priority = 15
    form_class = ChangeSectionForm

    def check_perm(self, page):
        return (
            issubclass(page.specific_class or Page, ArticlePage)
            and page.permissions_for_user(self.request.user).can_move()
        )

    def get_execution_context(self):
        return {**super().get_execution_context(), **self.cleaned_form.cleaned_data}

    @classmethod
    def execute_action(cls, objects, section=None, user=None, **kwargs):
        moved = 0
        for page in objects:
            if page.path.startswith(section.path) and page.depth == section.depth + 1:
                continue  # already there
            if not page.permissions_for_user(user).can_move_to(section):
                continue
            if not Page._slug_is_available(page.slug, section, page=page):
                continue  # the listing's message counts only the moved ones
            page.move(section, pos="last-child", user=user)
            moved += 1
        return moved, 0

    def get_success_message(self, num_parent_objects, num_child_objects):
        section = self.cleaned_form.cleaned_data["section"]
        return f"{count_of(num_parent_objects, 'article', 'articles')} moved to {section.title}."


class ChangeTopicsForm(forms.Form):
    add = forms.CharField(
        required=False,
        label="Add topics",
        help_text="Comma-separated, e.g. Climate, Energy. New topics are created.",
    )
    remove = forms.CharField(required=False, label="Remove topics", help_text="Comma-separated.")

    def clean(self):
        cleaned = super().clean()
        cleaned["add"] = parse_tags(cleaned.get("add") or "")
        cleaned["remove"] = parse_tags(cleaned.get("remove") or "")
        if not cleaned["add"] and not cleaned["remove"]:
            raise forms.ValidationError("Name at least one topic to add or to remove.")
        return cleaned


def change_topics(article: ArticlePage, *, add: list[str], remove: list[str], user) -> bool:
    """Add and remove topics on the article's latest version. A live article with no draft
    pending is republished with them; otherwise they wait in a new draft, so nobody's
    unpublished work goes live by accident. True when readers see the change now."""
    publish_now = article.live and not article.has_unpublished_changes
    version = article.get_latest_revision_as_object()
    wanted_off = {name.lower() for name in remove}
    kept = [tag.name for tag in version.tags.all() if tag.name.lower() not in wanted_off]
    names = kept + [name for name in add if name.lower() not in {n.lower() for n in kept}]
    version.tags.set(names)
    revision = version.save_revision(user=user, log_action=True)
    if publish_now:
        revision.publish(user=user)
    return publish_now


class ChangeTopicsBulkAction(PageBulkAction):
    display_name = "Change topics"
    action_type = "change_topics"
    aria_label = "Add or remove topics of the selected articles"
    template_name = "news/admin/bulk_change_topics.html"
    action_priority = 16
    form_class = ChangeTopicsForm

    def check_perm(self, page):
        return (
            issubclass(page.specific_class or Page, ArticlePage)
            and page.permissions_for_user(self.request.user).can_edit()
        )

    def get_execution_context(self):
        return {**super().get_execution_context(), **self.cleaned_form.cleaned_data}

    @classmethod
    def execute_action(cls, objects, add=(), remove=(), user=None, **kwargs):
        for page in objects:
            change_topics(page.specific, add=list(add), remove=list(remove), user=user)
        return len(objects), 0

    def get_success_message(self, num_parent_objects, num_child_objects):
        return (
            f"Topics changed on {count_of(num_parent_objects, 'article', 'articles')}. Live "
            "articles without a pending draft are republished; the others keep the change "
            "in a new draft."
        )
