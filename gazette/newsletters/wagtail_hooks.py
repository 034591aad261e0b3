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
