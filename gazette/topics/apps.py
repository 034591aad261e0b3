from django.apps import AppConfig


class TopicsConfig(AppConfig):
    name = "gazette.topics"
    label = "topics"
    verbose_name = "Topics"

    def ready(self):
        from gazette.news import slots

        from . import purge, syndication

        purge.subscribe()
        syndication.register()
        slots.register("after-body", "topics/article_topics.html", order=50)
