"""Topics in the Wagtail admin: the list of topics with their stories, renaming one (with its
description) and merging one into another.

Topics come into being when an editor tags a story; nobody adds or deletes one here (deleting
a tag would silently take it off every story: merge it into another instead). Renames and
merges go through ``services`` and are written in the topic's history.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.views.generic import FormView
from taggit.models import Tag
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.panels import FieldPanel, ObjectList
from wagtail.admin.ui.tables import Column
from wagtail.admin.views.generic import EditView, IndexView
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.admin.widgets import ListingButton
from wagtail.log_actions import LogFormatter, log
from wagtail.permission_policies import ModelPermissionPolicy

from gazette.news.tagging import tags_with_usage

from . import services
from .queries import description_of

RENAME_ACTION = "gazette_topics.rename"
MERGE_ACTION = "gazette_topics.merge"


class TopicPermissionPolicy(ModelPermissionPolicy):
    """Editors with "change tag" rename and merge topics; nobody adds or deletes one here."""

    def user_has_permission(self, user, action):
        if action in ("add", "delete"):
            return False
        return super().user_has_permission(user, action)

    def user_has_any_permission(self, user, actions):
        return any(self.user_has_permission(user, action) for action in actions)


class TopicForm(WagtailAdminModelForm):
    description = forms.CharField(
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="One or two sentences shown atop the topic page and in its feeds.",
    )

    class Meta:
        model = Tag
        fields = ["name", "slug", "description"]
        help_texts = {
            "name": "As readers see it on stories and the topic page. Stories keep the topic.",
            "slug": "The topic's address, /topics/<slug>/. Changing it keeps the old address "
            "working: it sends readers here (301).",
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["description"].initial = description_of(self.instance)


class TopicEditView(EditView):
    def save_instance(self):
        data = self.form.cleaned_data
        tag = Tag.objects.get(pk=self.object.pk)  # the form has changed the instance already
        before = (tag.name, tag.slug)
        tag = services.update_topic(
            tag=tag, name=data["name"], slug=data["slug"], description=data["description"]
        )
        if before != (tag.name, tag.slug):
            log(
                instance=tag,
                action=RENAME_ACTION,
                data={"old": {"name": before[0], "slug": before[1]}, "new": tag.name},
            )
        return tag

    def form_valid(self, form):
        try:
            return super().form_valid(form)
        except ValidationError as error:
            form.add_error(None, error)
            return self.form_invalid(form)


class TopicIndexView(IndexView):
    def get_base_queryset(self):
        return tags_with_usage()

    def get_list_more_buttons(self, instance):
        buttons = super().get_list_more_buttons(instance)
        if self.permission_policy.user_has_permission(self.request.user, "change"):
            buttons.append(
                ListingButton(
                    "Merge into another topic",
                    url=reverse("topics_admin:merge", args=(instance.pk,)),
                    icon_name="resubmit",
                    priority=20,
                )
            )
        return buttons


class MergeForm(forms.Form):
    target = forms.ModelChoiceField(
        queryset=Tag.objects.none(),
        label="Merge into",
        help_text="Its stories take this topic's place; this topic's address and feeds then "
        "send readers there (301). This cannot be undone.",
    )

    def __init__(self, *args, source: Tag, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["target"].queryset = Tag.objects.exclude(pk=source.pk).order_by("name")


class TopicMergeView(WagtailAdminTemplateMixin, FormView):
    template_name = "topics/admin/merge.html"
    form_class = MergeForm
    header_icon = "tag"
    permission_policy = None  # set by the viewset

    def dispatch(self, request, *args, **kwargs):
        if not self.permission_policy.user_has_permission(request.user, "change"):
            raise PermissionDenied
        self.source = get_object_or_404(Tag, pk=kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def get_page_title(self):
        return f"Merge “{self.source.name}”"

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "source": self.source}

    def get_context_data(self, **kwargs):
        return {
            **super().get_context_data(**kwargs),
            "source": self.source,
            "cancel_url": reverse("topics_admin:index"),
        }

    def form_valid(self, form):
        source, target = self.source, form.cleaned_data["target"]
        label = {"name": source.name, "slug": source.slug}
        services.merge_topics(source=source, target=target)
        log(instance=target, action=MERGE_ACTION, data={"merged": label})
        messages.success(self.request, f"“{label['name']}” merged into “{target.name}”.")
        return redirect("topics_admin:index")


class TopicViewSet(ModelViewSet):
    model = Tag
    name = "topics_admin"
    icon = "tag"
    menu_label = "Topics"
    menu_order = 215
    add_to_admin_menu = True
    copy_view_enabled = False
    index_view_class = TopicIndexView
    edit_view_class = TopicEditView
    search_fields = ["name", "slug"]
    search_backend_name = None
    ordering = ["name"]
    list_per_page = 50
    list_display = [
        "name",
        Column("slug", label="Address"),
        Column("article_count", label="Stories"),
    ]
    edit_handler = ObjectList(
        [FieldPanel("name"), FieldPanel("slug"), FieldPanel("description")],
        base_form_class=TopicForm,
    )

    def get_urlpatterns(self):
        merge = TopicMergeView.as_view(permission_policy=self.permission_policy)
        return [*super().get_urlpatterns(), path("merge/<int:pk>/", merge, name="merge")]


def register_log_actions(actions) -> None:
    @actions.register_action(RENAME_ACTION)
    class Renamed(LogFormatter):
        label = "Rename topic"

        def format_message(self, log_entry):
            old = log_entry.data.get("old", {})
            return f"Renamed from “{old.get('name')}” (/topics/{old.get('slug')}/)"

    @actions.register_action(MERGE_ACTION)
    class Merged(LogFormatter):
        label = "Merge topics"

        def format_message(self, log_entry):
            merged = log_entry.data.get("merged", {})
            return f"“{merged.get('name')}” (/topics/{merged.get('slug')}/) merged into this topic"
