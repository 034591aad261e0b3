from django.apps import AppConfig


class CommentsConfig(AppConfig):
    name = "gazette.comments"
    label = "comments"
    verbose_name = "Comments"

    def ready(self):
        from django.db.models.signals import post_delete, post_save

        from gazette.news import slots

        from . import fragments
        from .models import Comment
        from .presentation import article_page_reads

        for signal in (post_save, post_delete):
            signal.connect(
                fragments.comment_saved_or_deleted,
                sender=Comment,
                dispatch_uid=f"comments-list-{signal is post_save}",
            )

        slots.register("after-article", "comments/article_slot.html")
        slots.register_reads(article_page_reads)
        slots.register("article-scripts", "comments/article_script.html", order=20)
