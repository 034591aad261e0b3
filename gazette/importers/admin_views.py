"""The admin's Import: the form, a run's page (check report, progress, final report) and the
list of past runs. Every view needs ``importers.run_import``; the work is in
``import_runs`` and the tasks, never here."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.views.decorators.http import require_POST
from django.views.generic import FormView, TemplateView
from wagtail.admin import messages
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.widgets.button import HeaderButton

from gazette.news.models import ArticlePage

from . import import_runs
from .forms import ImportForm
from .models import ImportRun
from .run import STATUSES

PERMISSION = "importers.run_import"
ITEMS_PER_PAGE = 100
RUNS_PER_PAGE = 50
# How often a working run's page reloads itself (no JavaScript needed).
REFRESH_SECONDS = 3


def may_import(user) -> bool:
    return user.has_perm(PERMISSION)


def refused(request):
    """403 with a page that says why (Wagtail would turn PermissionDenied into a redirect)."""
    return TemplateResponse(request, "importers/admin/refused.html", status=403)


class _ImportPermissionMixin:
    def dispatch(self, request, *args, **kwargs):
        if not may_import(request.user):
            return refused(request)
        return super().dispatch(request, *args, **kwargs)


def _breadcrumbs(*items):
    return [
        {"url": reverse("wagtailadmin_home"), "label": "Home"},
        {"url": reverse("importers_runs"), "label": "Imports"},
        *items,
    ]


class ImportFormView(_ImportPermissionMixin, WagtailAdminTemplateMixin, FormView):
    """Step 1: the source and the options; the check (a dry run) is queued on submit."""

    template_name = "importers/admin/import_form.html"
    form_class = ImportForm
    page_title = "Import"
    header_icon = "download"

    def get_breadcrumbs_items(self):
        return _breadcrumbs({"url": "", "label": "New import"})

    def get_initial(self):
        """ "Change and try again" from a run: its options back on the form."""
        run = self._earlier_run()
        if run is None:
            return super().get_initial()
        return {
            "url": run.source_url,
            "format": run.format,
            "section": run.section_id,
            "default_author": run.default_author_id,
        }

    def _earlier_run(self) -> ImportRun | None:
        raw = self.request.GET.get("from", "")
        return ImportRun.objects.filter(pk=int(raw)).first() if raw.isdigit() else None

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        earlier = self._earlier_run() if self.request.method == "GET" else None
        if earlier is not None and earlier.status == ImportRun.Status.REFUSED:
            context["refusal"] = f"{earlier.source_name}: {earlier.message}"
        context["runs_url"] = reverse("importers_runs")
        return context

    def form_valid(self, form):
        data = form.cleaned_data
        run = import_runs.start_check(
            user=self.request.user,
            upload=data["upload"],
            url=data["url"],
            format=data["format"],
            section=data["section"],
            default_author=data["default_author"],
        )
        if run.status == ImportRun.Status.REFUSED:
            # The check ran at once (no separate worker): its reason goes on this form, with
            # everything as typed.
            form.add_error(None, f"{run.source_name}: {run.message}")
            return self.form_invalid(form)
        return redirect("importers_run", run.pk)


class ImportRunView(_ImportPermissionMixin, WagtailAdminTemplateMixin, TemplateView):
    """A run: its progress while a task works on it, then the check's or the import's report."""

    template_name = "importers/admin/import_run.html"
    header_icon = "download"

    def dispatch(self, request, *args, **kwargs):
        if not may_import(request.user):
            return refused(request)
        # The reports (megabytes for a large archive) are read only when shown, not on each
        # reload of a working run.
        runs = ImportRun.objects.select_related("created_by", "section", "default_author")
        self.run = get_object_or_404(runs.defer("check_report", "report"), pk=kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def get_page_title(self):
        return f"Import of {self.run.source_name}"

    def get_breadcrumbs_items(self):
        return _breadcrumbs({"url": "", "label": self.run.source_name[:60]})

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        run = self.run
        finished = run.status == ImportRun.Status.FINISHED
        if finished:
            rows = run.report
        elif run.status == ImportRun.Status.CHECKED:
            rows = run.check_report
        else:
            rows = []
        page = Paginator(rows, ITEMS_PER_PAGE).get_page(self.request.GET.get("page"))
        stalled = run.is_stalled()
        context.update(
            run=run,
            stalled=stalled,
            refresh_seconds=REFRESH_SECONDS if run.is_working and not stalled else None,
            items=_with_links(page.object_list, dry_run=not finished),
            page_obj=page,
            counts=_counts(run.counts if finished else run.check_counts, dry_run=not finished),
            live_counts=_counts(run.counts, dry_run=run.status == ImportRun.Status.CHECKING),
            may_run_again=stalled or run.status == ImportRun.Status.FAILED,
            retry_url=reverse("importers_run_again", args=[run.pk]),
            import_url=reverse("importers_start_import", args=[run.pk]),
            new_url=reverse("importers_new"),
            change_url=reverse("importers_new") + f"?from={run.pk}",
        )
        return context


def _counts(counts: dict, *, dry_run: bool) -> list[tuple[str, int]]:
    labels = {
        "created": "would be created" if dry_run else "created",
        "updated": "would be updated" if dry_run else "updated",
        "unchanged": "unchanged",
        "skipped": "skipped",
        "failed": "failed",
    }
    return [(labels[status], counts.get(status, 0)) for status in STATUSES]


def _with_links(rows: list[dict], *, dry_run: bool) -> list[dict]:
    """Each item of the page with its article's admin and live links (one query)."""
    ids = [row["article_id"] for row in rows if row.get("article_id")]
    live = dict(ArticlePage.objects.filter(pk__in=ids).values_list("pk", "live")) if ids else {}
    shown = []
    for row in rows:
        article_id = row.get("article_id")
        exists = article_id in live
        shown.append(
            {
                **row,
                "status_label": _status_label(row["status"], dry_run=dry_run),
                "edit_url": reverse("wagtailadmin_pages:edit", args=[article_id]) if exists else "",
                "live_url": row.get("url", "") if exists and live[article_id] else "",
            }
        )
    return shown


def _status_label(status: str, *, dry_run: bool) -> str:
    if dry_run and status in {"created", "updated"}:
        return f"would be {status}"
    return status


class ImportRunsView(_ImportPermissionMixin, WagtailAdminTemplateMixin, TemplateView):
    """Past runs, newest first: two queries a page (the count and the rows with their users)."""

    template_name = "importers/admin/import_runs.html"
    page_title = "Imports"
    header_icon = "download"

    @property
    def header_buttons(self):
        return [HeaderButton("New import", url=reverse("importers_new"), icon_name="plus")]

    def get_breadcrumbs_items(self):
        return [
            {"url": reverse("wagtailadmin_home"), "label": "Home"},
            {"url": "", "label": "Imports"},
        ]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        page = Paginator(ImportRun.objects.for_listing(), RUNS_PER_PAGE).get_page(
            self.request.GET.get("page")
        )
        context.update(page_obj=page, runs=page.object_list, new_url=reverse("importers_new"))
        return context


@require_POST
def start_import_view(request, pk: int):
    """Step 2: the checked run imported by a task."""
    if not may_import(request.user):
        return refused(request)
    run = get_object_or_404(ImportRun, pk=pk)
    if not import_runs.start_import(run):
        messages.warning(request, "This run is not waiting to be imported: nothing was queued.")
    return redirect("importers_run", run.pk)


@require_POST
def run_again_view(request, pk: int):
    """A stalled step, or a step an error stopped, queued again (imports are idempotent)."""
    if not may_import(request.user):
        return refused(request)
    run = get_object_or_404(ImportRun, pk=pk)
    if not import_runs.run_again(run):
        messages.warning(request, "This run is not stalled or stopped: nothing was queued.")
    return redirect("importers_run", run.pk)
