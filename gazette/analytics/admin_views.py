"""What editors see of the counts: views columns in the page explorer and the "Most read"
report with its chart of views per hour."""

from __future__ import annotations

from django.db.models import Q
from django.urls import reverse
from django.utils.functional import cached_property
from wagtail.admin.ui.components import Component
from wagtail.admin.ui.tables import Column, NumberColumn, TitleColumn
from wagtail.admin.views.pages.listing import ExplorableIndexView
from wagtail.admin.views.reports import ReportView
from wagtail.admin.viewsets.pages import PageViewSet

from gazette.news.models import ArticlePage

from .charts import hourly_chart
from .queries import most_read_today, popular_window, views_per_hour, with_views


def _window_label() -> str:
    hours = int(popular_window().total_seconds() // 3600)
    return f"Views ({hours} h)"


class ArticleExplorerView(ExplorableIndexView):
    """The page explorer inside a section: Wagtail's columns plus recent and total views."""

    base_columns = [
        *ExplorableIndexView.base_columns,
        NumberColumn("views_recent", label=_window_label(), sort_key="views_recent", width="10%"),
        NumberColumn("views_total", label="Views (total)", sort_key="views_total", width="10%"),
    ]

    def annotate_queryset(self, pages):
        return super().annotate_queryset(with_views(pages))


class ArticlePageViewSet(PageViewSet):
    model = ArticlePage
    index_view_class = ArticleExplorerView


class ChartLinkColumn(Column):
    cell_template_name = "analytics/admin/chart_link_cell.html"


class MostReadReportView(ReportView):
    """The most read articles of the window, with a server-drawn chart of views per hour for
    the whole site or, with ``?article=<id>``, for one article."""

    page_title = "Most read"
    header_icon = "view"
    index_url_name = "analytics_most_read"
    index_results_url_name = "analytics_most_read_results"
    results_template_name = "analytics/admin/most_read_results.html"
    template_name = "analytics/admin/most_read.html"
    paginate_by = 50
    default_ordering = "-views_recent"
    list_export = ["title", "section.display_label", "views_recent", "views_total"]
    export_headings = {
        "title": "Article",
        "section.display_label": "Section",
        "views_recent": _window_label(),
        "views_total": "Views (total)",
    }

    @cached_property
    def columns(self):
        return [
            TitleColumn(
                "title",
                label="Article",
                get_url=lambda page: reverse("wagtailadmin_pages:edit", args=[page.pk]),
            ),
            Column("section", label="Section", accessor="section.display_label", width="15%"),
            NumberColumn(
                "views_recent", label=_window_label(), sort_key="views_recent", width="12%"
            ),
            NumberColumn("views_total", label="Views (total)", sort_key="views_total", width="12%"),
            ChartLinkColumn("chart", label="Per hour", width="10%"),
        ]

    def get_filename(self):
        return "most-read"

    def get_base_queryset(self):
        pages = with_views(ArticlePage.objects.select_related("section"))
        return pages.filter(Q(views_recent__gt=0) | Q(views_total__gt=0))

    def order_queryset(self, queryset):
        queryset = super().order_queryset(queryset)
        # Ties in the chosen column: the more read overall, then the newer.
        return queryset.order_by(*queryset.query.order_by, "-views_total", "-pk")

    @cached_property
    def charted_article(self) -> ArticlePage | None:
        raw = self.request.GET.get("article", "")
        if not raw.isdigit():
            return None
        return ArticlePage.objects.filter(pk=int(raw)).first()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        article = self.charted_article
        context["charted_article"] = article
        context["chart"] = hourly_chart(views_per_hour(article=article))
        context["window_label"] = _window_label()
        return context


class MostReadTodayPanel(Component):
    """The dashboard's most read stories since midnight, with their views: three queries."""

    name = "most_read_today"
    order = 60
    template_name = "analytics/admin/dashboard_most_read.html"

    def get_context_data(self, parent_context=None):
        from gazette.core.wording import count_of

        rows = [(article, count_of(views, "view", "views")) for article, views in most_read_today()]
        return {"rows": rows, "report_url": reverse("analytics_most_read")}
