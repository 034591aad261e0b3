from django.apps import AppConfig


class NewslettersConfig(AppConfig):
    name = "gazette.newsletters"
    label = "newsletters"
    verbose_name = "Newsletters"

    def ready(self):
        from django.db.models.signals import post_delete, post_save

        from gazette.core import periodic
        from gazette.news import slots

        from . import queries, scheduling
        from .models import Newsletter

        # The subscribe form under the story: the same HTML for every reader (no token).
        slots.register("article-head", "newsletters/article_head.html", order=80)
        slots.register("after-body", "newsletters/article_slot.html", order=80)
        slots.register("article-scripts", "newsletters/article_script.html", order=80)
        periodic.register("newsletters", scheduling.enqueue_due_issues)

        # The lists offered on the article page are a shared part (queries.OFFERED).
        for signal in (post_save, post_delete):
            signal.connect(
                queries.forget_offered,
                sender=Newsletter,
                dispatch_uid=f"newsletters-offered-{signal is post_save}",
            )
