from django.apps import AppConfig


class NewsConfig(AppConfig):
    name = "gazette.news"
    label = "news"

    def ready(self):
        from wagtail.signals import init_new_page

        from gazette.core import periodic

        from . import authors, lifecycle, purge, renditions

        lifecycle.connect()
        periodic.register("deferred-publications", lifecycle.announce_stale_publications)
        renditions.subscribe()
        purge.subscribe()
        init_new_page.connect(authors.start_with_my_byline, dispatch_uid="news-my-byline")
