from django.apps import AppConfig


class CommentsConfig(AppConfig):
    name = "gazette.comments"
    label = "comments"
    verbose_name = "Comments"

    def ready(self):
        from gazette.news import slots

        slots.register("after-article", "comments/article_slot.html")
        slots.register("article-scripts", "comments/article_script.html", order=20)
