from django.apps import AppConfig


class CorrectionsConfig(AppConfig):
    name = "gazette.corrections"
    label = "corrections"
    verbose_name = "Corrections and updates"

    def ready(self):
        from gazette.news import editing, slots
        from gazette.news.queries import load_with_article_page
        from gazette.news.syndication import article_notes

        from . import purge, services
        from .panels import NotesPanel
        from .queries import article_page_prefetch

        services.subscribe()
        purge.subscribe()
        load_with_article_page(article_page_prefetch())
        article_notes.connect(_public_notes, dispatch_uid="corrections")
        slots.register("before-body", "corrections/notes_top.html", order=10)
        slots.register("after-body", "corrections/notes_bottom.html", order=10)
        editing.register_article_panel(NotesPanel(), order=30)


def _public_notes(sender, articles, **kwargs):
    from .queries import public_notes

    return public_notes(articles)
