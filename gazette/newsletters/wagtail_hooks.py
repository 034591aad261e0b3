from django.urls import include, path
from wagtail import hooks
from wagtail.snippets.models import register_snippet

from . import admin_views

register_snippet(admin_views.NewsletterViewSet)
register_snippet(admin_views.IssueViewSet)
register_snippet(admin_views.SubscriberViewSet)


@hooks.register("register_admin_urls")
def newsletter_admin_urls():
    return [path("", include((admin_views.admin_urls(), "newsletters_admin")))]


register_snippet(admin_views.BreakingNewsViewSet)


@hooks.register("after_create_snippet")
def start_breaking_news(request, instance):
    from . import breaking
    from .models import BreakingNews

    if isinstance(instance, BreakingNews):
        breaking.start(instance)


@hooks.register("after_edit_snippet")
def breaking_news_changed(request, instance):
    from . import breaking
    from .models import BreakingNews

    if isinstance(instance, BreakingNews):
        breaking.purge_reader_pages()
