from django_tasks import task

from .renditions import generate_renditions


@task()
def generate_article_renditions(article_id: int) -> None:
    """Make the renditions an article's pages will ask for, so that rendering never writes."""
    from .models import ArticlePage

    article = ArticlePage.objects.filter(pk=article_id).select_related("lead_image").first()
    if article is not None:
        generate_renditions(article)


@task()
def generate_renditions_of(article_ids: list[int]) -> None:
    """The renditions of many articles (a bulk run's publications), in one task."""
    from .models import ArticlePage

    for article in ArticlePage.objects.filter(pk__in=article_ids).select_related("lead_image"):
        generate_renditions(article)


@task()
def announce_publications_noted_before(cutoff: str) -> None:
    """Announce the publications a bulk run noted and never announced (it died)."""
    from datetime import datetime

    from .lifecycle import announce_deferred_publications

    announce_deferred_publications(noted_before=datetime.fromisoformat(cutoff))
