from django.urls import path, reverse
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from .admin_views import ArticlePageViewSet, MostReadReportView, MostReadTodayPanel


@hooks.register("register_admin_viewset")
def register_article_page_viewset():
    # Exploring a section lists its articles with their views (last 24 h and total).
    return ArticlePageViewSet("article_pages")


@hooks.register("register_admin_urls")
def register_most_read_report_urls():
    return [
        path("reports/most-read/", MostReadReportView.as_view(), name="analytics_most_read"),
        path(
            "reports/most-read/results/",
            MostReadReportView.as_view(results_only=True),
            name="analytics_most_read_results",
        ),
    ]


@hooks.register("register_reports_menu_item")
def register_most_read_report_menu_item():
    return MenuItem(
        "Most read",
        reverse("analytics_most_read"),
        name="most-read",
        icon_name="view",
        order=150,
    )


@hooks.register("construct_homepage_panels")
def add_most_read_today_panel(request, panels):
    panels.append(MostReadTodayPanel())
